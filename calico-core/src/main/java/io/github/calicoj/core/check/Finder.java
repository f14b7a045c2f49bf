package io.github.calicoj.core.check;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.client.Owners;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.ipam.AllocationBlock;
import io.github.calicoj.core.ipam.BlockJson;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.core.repository.WorkloadEndpoints;
import io.github.calicoj.core.repository.WorkloadMarker;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Revision;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Turns what a check read into findings: a pure function of the {@link ClusterState}, the {@link
 * HostView} (null without the dataplane) and the scope. Each finding comes with the reads that must
 * confirm it afterwards ({@link Candidate#confirms()}): the keys it rests on, read again once
 * everything else was read, so that a workload added or removed while the check was reading is not
 * reported. Not thread-safe; one per check.
 */
final class Finder {
  static final String DOCKER = "docker";
  static final String NAMESPACE = "namespace";

  /** A finding and the reads, in order, that must still hold for it to be reported. */
  record Candidate(Finding finding, List<Confirm> confirms) {
    Candidate {
      confirms = List.copyOf(confirms);
    }
  }

  /** A key whose current entry must satisfy {@code holds}. */
  record Confirm(Key key, Predicate<Optional<KeyValue>> holds) {}

  /** A workload: its host, orchestrator and workload id. */
  private record Workload(String host, String orchestrator, String workload) {
    String name() {
      return orchestrator + "/" + workload;
    }
  }

  /** An allocation as read: its block and its attribute. */
  private record Allocation(ClusterState.StoredBlock block, AllocationBlock.Attribute attribute) {}

  private final String host;
  private final boolean allHosts;
  private final ClusterState s;
  private final @Nullable HostView v;
  private final List<Candidate> out = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private final Map<Workload, List<WorkloadEndpoint>> byWorkload = new LinkedHashMap<>();
  private final Map<InetAddress, Allocation> allocations = new HashMap<>();
  private final Set<Key> dead = new HashSet<>();

  Finder(String host, boolean allHosts, ClusterState state, @Nullable HostView view) {
    this.host = host;
    this.allHosts = allHosts;
    this.s = state;
    this.v = view;
    List<WorkloadEndpoint> sorted = new ArrayList<>(state.endpoints());
    sorted.sort(Comparator.comparing(ep -> WorkloadEndpoints.keyOf(ep).path()));
    for (WorkloadEndpoint ep : sorted) {
      byWorkload
          .computeIfAbsent(
              new Workload(ep.hostname(), ep.orchestratorId(), ep.workloadId()),
              k -> new ArrayList<>())
          .add(ep);
    }
    for (ClusterState.StoredBlock sb : state.blocks().values()) {
      for (InetAddress ip : sb.block().allocatedAddresses()) {
        allocations.put(ip, new Allocation(sb, sb.block().attributesOf(ip).orElseThrow()));
      }
    }
  }

  /** The candidates, in report order, and the notes on what could not be checked. */
  List<Candidate> find() {
    if (v != null) {
      deadEndpoints(v);
    }
    endpointAddresses();
    allocationsWithoutEndpoint();
    markersWithoutEndpoint();
    if (v != null && v.links() != null) {
      linksWithoutEndpoint(v.links());
    }
    emptyBlocks();
    handles();
    out.sort(
        Comparator.comparing((Candidate c) -> c.finding().kind())
            .thenComparing(c -> c.finding().host())
            .thenComparing(c -> c.finding().subject()));
    return List.copyOf(out);
  }

  /** What could not be checked, in words. */
  List<String> notes() {
    return List.copyOf(notes);
  }

  private boolean inScope(String h) {
    return allHosts || h.equals(host);
  }

  private static String ip(InetAddress a) {
    return InetAddresses.toAddrString(a);
  }

  private static Confirm unchanged(WorkloadEndpoint ep) {
    Revision r = ep.revision();
    return new Confirm(
        WorkloadEndpoints.keyOf(ep), kv -> kv.isPresent() && kv.get().revision().equals(r));
  }

  private static String ids(List<WorkloadEndpoint> eps) {
    StringBuilder b = new StringBuilder();
    for (WorkloadEndpoint ep : eps) {
      b.append(b.length() == 0 ? "" : ",").append(WorkloadEndpoints.keyOf(ep).path());
      b.append('@').append(ep.revision());
    }
    return b.toString();
  }

  private void add(
      FindingKind kind,
      String h,
      String subject,
      String evidence,
      Map<String, String> details,
      String id,
      String continuity,
      String identity,
      @Nullable Instant created,
      Target target,
      List<Confirm> confirms) {
    out.add(
        new Candidate(
            new Finding(
                kind, h, subject, evidence, details, id, continuity, identity, created, target),
            confirms));
  }

  // ------------------------------------------------------------------ dead endpoints

  private void deadEndpoints(HostView view) {
    Map<String, Integer> links = view.links();
    Map<String, Boolean> containers = view.containers();
    for (Map.Entry<Workload, List<WorkloadEndpoint>> e : byWorkload.entrySet()) {
      Workload w = e.getKey();
      List<WorkloadEndpoint> eps = e.getValue();
      if (!w.host().equals(host)) {
        continue;
      }
      Map<String, String> details = new TreeMap<>();
      details.put("workload", w.name());
      details.put(
          "endpoints", String.join(",", eps.stream().map(WorkloadEndpoint::endpointId).toList()));
      String gone = goneReason(w, view, details);
      List<Confirm> confirms = eps.stream().map(Finder::unchanged).toList();
      if (gone != null) {
        add(
            FindingKind.WORKLOAD_GONE,
            host,
            w.name(),
            gone,
            details,
            w.name(),
            ids(eps),
            ids(eps),
            null,
            new Target.Endpoints(eps, true),
            confirms);
        eps.forEach(ep -> dead.add(WorkloadEndpoints.keyOf(ep)));
        continue;
      }
      boolean stopped =
          w.orchestrator().equals(DOCKER)
              && (containers == null || !Boolean.TRUE.equals(containers.get(w.workload())));
      if (links == null || stopped) {
        continue; // no link to expect, or no way to tell
      }
      List<WorkloadEndpoint> linkless =
          eps.stream().filter(ep -> !links.containsKey(ep.name())).toList();
      for (WorkloadEndpoint ep : linkless) {
        Map<String, String> d = new TreeMap<>();
        d.put("endpoint", WorkloadEndpoints.keyOf(ep).path());
        d.put("link", ep.name());
        d.put("workload", w.name());
        String id = w.name() + "/" + ep.endpointId();
        add(
            FindingKind.ENDPOINT_WITHOUT_LINK,
            host,
            ep.endpointId(),
            "endpoint of "
                + w.name()
                + " has no link "
                + ep.name()
                + " in the host side's namespace",
            d,
            id,
            ids(List.of(ep)),
            ids(List.of(ep)),
            null,
            new Target.Endpoints(linkless, linkless.size() == eps.size()),
            List.of(unchanged(ep)));
        dead.add(WorkloadEndpoints.keyOf(ep));
      }
    }
  }

  /** Why the workload is gone, or null if it is not (or cannot be told). */
  private @Nullable String goneReason(Workload w, HostView view, Map<String, String> details) {
    if (w.orchestrator().equals(DOCKER)) {
      Map<String, Boolean> containers = view.containers();
      details.put("container", w.workload());
      if (containers != null && !containers.containsKey(w.workload())) {
        return "container "
            + abbreviate(w.workload())
            + " does not exist (not in the Docker daemon's list)";
      }
      return null;
    }
    if (!w.orchestrator().equals(NAMESPACE)) {
      return null;
    }
    ClusterState.MarkerEntry m =
        s.markers().get(WorkloadMarker.key(w.host(), w.orchestrator(), w.workload()));
    WorkloadMarker marker = m == null ? null : m.marker();
    WorkloadMarker.NamespaceRef ref = marker == null ? null : marker.namespace();
    if (ref == null) {
      return null;
    }
    details.put("netns", ref.path());
    HostSide.NamespaceState now = view.namespaces().get(ref.path());
    if (now == null) {
      return null;
    }
    return switch (now.status()) {
      case MISSING -> "netns path " + ref.path() + " is missing";
      case NOT_A_NAMESPACE -> "netns path " + ref.path() + " is no longer a network namespace";
      case UNREADABLE -> {
        notes.add("Namespace " + ref.path() + " could not be checked: " + now.detail());
        yield null;
      }
      case PRESENT -> {
        var id = now.identity();
        if (id != null && (id.dev() != ref.device() || id.ino() != ref.inode())) {
          yield "netns path "
              + ref.path()
              + " now names namespace "
              + id
              + ", not "
              + ref.device()
              + ":"
              + ref.inode()
              + " that the workload was added for";
        }
        yield null;
      }
    };
  }

  private static String abbreviate(String id) {
    return id.length() > 12 ? id.substring(0, 12) : id;
  }

  // ------------------------------------------------------------------ addresses on endpoints

  private void endpointAddresses() {
    Map<InetAddress, List<WorkloadEndpoint>> holders =
        new TreeMap<>(Comparator.comparing(Finder::ip));
    for (List<WorkloadEndpoint> eps : byWorkload.values()) {
      for (WorkloadEndpoint ep : eps) {
        if (!dead.contains(WorkloadEndpoints.keyOf(ep))) {
          ep.nets()
              .forEach(n -> holders.computeIfAbsent(n.address(), k -> new ArrayList<>()).add(ep));
        }
      }
    }
    for (Map.Entry<InetAddress, List<WorkloadEndpoint>> e : holders.entrySet()) {
      InetAddress a = e.getKey();
      List<WorkloadEndpoint> eps = e.getValue();
      Cidr cidr = AllocationBlock.blockFor(a);
      Allocation alloc = allocations.get(a);
      Map<String, String> d = new TreeMap<>();
      d.put("ip", ip(a));
      d.put("block", cidr.toString());
      if (alloc != null && alloc.attribute().handleId() != null) {
        d.put("handle", alloc.attribute().handleId());
      }
      if (eps.size() > 1) {
        Optional<WorkloadEndpoint> mine =
            eps.stream().filter(ep -> inScope(ep.hostname())).findFirst();
        if (mine.isPresent()) {
          d.put(
              "endpoints",
              String.join(
                  ",", eps.stream().map(ep -> WorkloadEndpoints.keyOf(ep).path()).toList()));
          add(
              FindingKind.DUPLICATE_IP,
              mine.get().hostname(),
              ip(a),
              ip(a)
                  + " is on "
                  + eps.size()
                  + " endpoints: "
                  + String.join(", ", eps.stream().map(Finder::describe).toList())
                  + (alloc == null
                      ? "; it is not allocated"
                      : "; allocated to " + owner(alloc.attribute())),
              d,
              ip(a),
              ip(a) + "|" + ids(eps),
              ip(a) + "|" + ids(eps),
              null,
              new Target.Duplicate(a, eps, alloc == null ? null : alloc.attribute()),
              eps.stream().map(Finder::unchanged).toList());
        }
        continue;
      }
      WorkloadEndpoint ep = eps.get(0);
      if (!inScope(ep.hostname()) || s.unreadableBlocks().contains(cidr)) {
        continue;
      }
      d.put("endpoint", WorkloadEndpoints.keyOf(ep).path());
      String id = ep.orchestratorId() + "/" + ep.workloadId() + "/" + ep.endpointId() + "/" + ip(a);
      Key blockKey = CalicoKeys.block(cidr);
      if (alloc == null) {
        add(
            FindingKind.ENDPOINT_IP_NOT_ALLOCATED,
            ep.hostname(),
            ip(a) + " on " + ep.endpointId(),
            ip(a)
                + " of "
                + describe(ep)
                + " is free in IPAM (block "
                + cidr
                + (s.blocks().containsKey(cidr) ? "" : ", which does not exist")
                + ")",
            d,
            id,
            ids(List.of(ep)) + "|" + ip(a),
            ids(List.of(ep)) + "|" + ip(a),
            null,
            new Target.EndpointIp(ep, a, null),
            List.of(
                new Confirm(
                    blockKey,
                    kv -> kv.isEmpty() || !BlockJson.read(kv.get().value()).isAllocated(a)),
                unchanged(ep)));
        continue;
      }
      String handle = alloc.attribute().handleId();
      String expected = Owners.handleId(ep.hostname(), ep.orchestratorId(), ep.workloadId());
      if (handle != null && handle.startsWith(Owners.HANDLE_PREFIX) && !handle.equals(expected)) {
        AllocationBlock.Attribute holder = alloc.attribute();
        String fp = ids(List.of(ep)) + "|" + ip(a) + "|" + holder;
        add(
            FindingKind.ENDPOINT_IP_OTHER_OWNER,
            ep.hostname(),
            ip(a) + " on " + ep.endpointId(),
            ip(a)
                + " of "
                + describe(ep)
                + " is allocated to "
                + owner(holder)
                + ", not to "
                + expected,
            d,
            id,
            fp,
            fp,
            null,
            new Target.EndpointIp(ep, a, holder),
            List.of(
                new Confirm(
                    blockKey,
                    kv ->
                        kv.isPresent()
                            && BlockJson.read(kv.get().value())
                                .attributesOf(a)
                                .filter(holder::equals)
                                .isPresent()),
                unchanged(ep)));
      }
    }
  }

  private static String describe(WorkloadEndpoint ep) {
    return "endpoint "
        + ep.endpointId()
        + " of "
        + ep.orchestratorId()
        + "/"
        + ep.workloadId()
        + " on "
        + ep.hostname();
  }

  private static String owner(AllocationBlock.Attribute a) {
    return a.handleId() == null ? "no handle" : "handle " + a.handleId();
  }

  // ------------------------------------------------------------------ leftovers

  private void allocationsWithoutEndpoint() {
    Set<InetAddress> held = new HashSet<>();
    s.endpoints().forEach(ep -> ep.nets().forEach(n -> held.add(n.address())));
    for (ClusterState.OddEndpoint o : s.oddEndpoints()) {
      if (o.ips() == null) {
        notes.add(
            "Allocations not checked: endpoint "
                + o.key()
                + " holds addresses that cannot be read.");
        return;
      }
      held.addAll(o.ips());
    }
    Map<InetAddress, Allocation> sorted = new TreeMap<>(Comparator.comparing(Finder::ip));
    sorted.putAll(allocations);
    for (Map.Entry<InetAddress, Allocation> e : sorted.entrySet()) {
      InetAddress a = e.getKey();
      Allocation alloc = e.getValue();
      AllocationBlock.Attribute attr = alloc.attribute();
      String h = allocationHost(alloc);
      if (!inScope(h) || held.contains(a)) {
        continue;
      }
      Instant created = Owners.created(attr).orElse(null);
      String continuity = ip(a) + "|" + attr.handleId() + "|" + attr.secondary();
      String identity =
          created != null ? continuity : continuity + "@" + alloc.block().entry().revision();
      Map<String, String> d = new TreeMap<>();
      d.put("ip", ip(a));
      d.put("block", alloc.block().block().cidr().toString());
      if (attr.handleId() != null) {
        d.put("handle", attr.handleId());
      }
      String w = attr.secondary().get(Owners.WORKLOAD);
      if (w != null) {
        d.put("workload", attr.secondary().getOrDefault(Owners.ORCHESTRATOR, "?") + "/" + w);
      }
      add(
          FindingKind.ALLOCATION_WITHOUT_ENDPOINT,
          h,
          ip(a),
          "allocated in block "
              + alloc.block().block().cidr()
              + " to "
              + owner(attr)
              + (w == null ? "" : " (workload " + d.get("workload") + ")")
              + ", but no endpoint holds it",
          d,
          ip(a),
          continuity,
          identity,
          created,
          new Target.Allocation(alloc.block().entry(), a, attr),
          List.of());
    }
  }

  /** The host an allocation belongs to: its {@code host} attribute, else its block's affinity. */
  private static String allocationHost(Allocation a) {
    String h = a.attribute().secondary().get(Owners.HOST);
    return h != null ? h : a.block().block().affinityHost().orElse("");
  }

  private void markersWithoutEndpoint() {
    Set<Workload> withOdd = new HashSet<>();
    for (ClusterState.OddEndpoint o : s.oddEndpoints()) {
      CalicoKeys.parseEndpoint(o.key())
          .ifPresent(k -> withOdd.add(new Workload(k.hostname(), k.orchestrator(), k.workload())));
    }
    for (ClusterState.MarkerEntry m : s.markers().values()) {
      Workload w = new Workload(m.host(), m.orchestrator(), m.workload());
      if (!inScope(m.host()) || byWorkload.containsKey(w) || withOdd.contains(w)) {
        continue;
      }
      WorkloadMarker marker = m.marker();
      Instant created =
          marker != null && marker.writtenAtMillis() > 0
              ? Instant.ofEpochMilli(marker.writtenAtMillis())
              : null;
      KeyValue kv = m.entry();
      String fp = kv.key().path() + "@" + kv.revision();
      add(
          FindingKind.MARKER_WITHOUT_ENDPOINT,
          m.host(),
          w.name(),
          "workload marker " + kv.key() + " is left, but the workload has no endpoint",
          Map.of("marker", kv.key().path(), "workload", w.name()),
          w.name(),
          fp,
          fp,
          created,
          new Target.Marker(kv),
          List.of(
              new Confirm(
                  kv.key(), now -> now.isPresent() && now.get().revision().equals(kv.revision()))));
    }
  }

  private void linksWithoutEndpoint(Map<String, Integer> links) {
    Set<String> claimed = new HashSet<>();
    s.endpoints().stream()
        .filter(ep -> ep.hostname().equals(host))
        .forEach(ep -> claimed.add(ep.name()));
    for (ClusterState.OddEndpoint o : s.oddEndpoints()) {
      if (o.host().equals(host)) {
        if (o.name() == null) {
          notes.add("Links not checked: endpoint " + o.key() + " has no readable interface name.");
          return;
        }
        claimed.add(o.name());
      }
    }
    for (Map.Entry<String, Integer> l : new TreeMap<>(links).entrySet()) {
      if (!claimed.contains(l.getKey())) {
        String fp = l.getKey() + "@" + l.getValue();
        add(
            FindingKind.LINK_WITHOUT_ENDPOINT,
            host,
            l.getKey(),
            "cali veth "
                + l.getKey()
                + " (index "
                + l.getValue()
                + ") in the host side's namespace, but no endpoint of "
                + host
                + " names it",
            Map.of("link", l.getKey()),
            l.getKey(),
            fp,
            fp,
            null,
            new Target.Link(l.getKey(), l.getValue()),
            List.of());
      }
    }
  }

  /** Blocks with no allocation; one that holds an endpoint's (unallocated) address is in use. */
  private void emptyBlocks() {
    Set<Cidr> used = new HashSet<>();
    s.endpoints()
        .forEach(ep -> ep.nets().forEach(n -> used.add(AllocationBlock.blockFor(n.address()))));
    for (ClusterState.StoredBlock sb : s.blocks().values()) {
      Optional<String> affine = sb.block().affinityHost();
      if (affine.isEmpty()
          || !inScope(affine.get())
          || sb.block().freeCount() != AllocationBlock.SIZE
          || used.contains(sb.block().cidr())) {
        continue;
      }
      Cidr cidr = sb.block().cidr();
      ClusterState.Affinity a = s.affinities().get(CalicoKeys.affinity(affine.get(), cidr));
      String fp = cidr + "@" + sb.entry().revision();
      add(
          FindingKind.EMPTY_AFFINE_BLOCK,
          affine.get(),
          cidr.toString(),
          "block affine to "
              + affine.get()
              + " has no allocation"
              + (a == null ? " (and " + affine.get() + " has no affinity marker for it)" : ""),
          Map.of("block", cidr.toString()),
          cidr.toString(),
          fp,
          fp,
          null,
          new Target.Block(sb.entry(), a == null ? null : a.entry()),
          List.of());
    }
  }

  private void handles() {
    if (!s.unreadableBlocks().isEmpty()) {
      notes.add("Handles not checked: some blocks are unreadable.");
      return;
    }
    Map<String, Map<Cidr, Integer>> expected = new TreeMap<>();
    Map<String, String> hostOf = new HashMap<>();
    for (Allocation a : allocations.values()) {
      String h = a.attribute().handleId();
      if (h != null) {
        expected
            .computeIfAbsent(h, k -> new TreeMap<>())
            .merge(a.block().block().cidr(), 1, Integer::sum);
        hostOf.putIfAbsent(h, allocationHost(a));
      }
    }
    Set<String> ids = new java.util.TreeSet<>(expected.keySet());
    ids.addAll(s.handles().keySet());
    for (String id : ids) {
      Map<Cidr, Integer> stored = new TreeMap<>();
      KeyValue kv = s.handles().get(id);
      if (kv != null) {
        try {
          BlockJson.readHandle(kv.value())
              .forEach(
                  (c, n) -> {
                    if (n != 0) {
                      stored.put(c, n);
                    }
                  });
        } catch (IllegalArgumentException e) {
          notes.add("Handle " + id + " is unreadable: " + e.getMessage());
          continue;
        }
      }
      Map<Cidr, Integer> want = expected.getOrDefault(id, Map.of());
      if (stored.equals(want)) {
        continue;
      }
      String h =
          hostOf.getOrDefault(id, id.startsWith(Owners.HANDLE_PREFIX + host + ".") ? host : "");
      if (!inScope(h)) {
        continue;
      }
      String fp = id + "|" + stored + "|" + want;
      add(
          FindingKind.HANDLE_MISMATCH,
          h,
          id,
          (kv == null ? "no handle key" : "the handle counts " + stored)
              + ", but the blocks hold "
              + want,
          Map.of("handle", id),
          id,
          fp,
          fp,
          null,
          new Target.Handle(id),
          List.of());
    }
  }
}
