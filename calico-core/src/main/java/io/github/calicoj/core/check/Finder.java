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
import java.util.Arrays;
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
 * HostView} (null without the dataplane) and the scope. It indexes the state once; {@link
 * DataplaneFindings} looks at this host's dead endpoints and stray links, {@link IpamFindings} at
 * allocations, blocks and handles, and this class at endpoints' addresses and markers. Each finding
 * comes with the reads that must confirm it afterwards ({@link Candidate#confirms()}): the keys it
 * rests on, read again once everything else was read, so that a workload added or removed while the
 * check was reading is not reported. Not thread-safe; one per check.
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
  record Workload(String host, String orchestrator, String workload) {
    String name() {
      return orchestrator + "/" + workload;
    }
  }

  /** An allocation as read: its block and its attribute. */
  record Allocation(ClusterState.StoredBlock block, AllocationBlock.Attribute attribute) {
    /** The host it belongs to: its {@code host} attribute, else its block's affinity. */
    String host() {
      String h = attribute.secondary().get(Owners.HOST);
      return h != null ? h : block.block().affinityHost().orElse("");
    }
  }

  final String host;
  final boolean allHosts;
  final ClusterState state;
  final @Nullable HostView view;
  final Map<Workload, List<WorkloadEndpoint>> byWorkload = new LinkedHashMap<>();
  final Map<InetAddress, Allocation> allocations = new HashMap<>();

  /** Endpoints found dead (gone or linkless): their addresses are not judged. */
  final Set<Key> dead = new HashSet<>();

  private final List<Candidate> out = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  Finder(String host, boolean allHosts, ClusterState state, @Nullable HostView view) {
    this.host = host;
    this.allHosts = allHosts;
    this.state = state;
    this.view = view;
    Map<String, WorkloadEndpoint> sorted = new TreeMap<>();
    state.endpoints().forEach(ep -> sorted.put(WorkloadEndpoints.keyOf(ep).path(), ep));
    for (WorkloadEndpoint ep : sorted.values()) {
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

  /** The candidates, in report order. */
  List<Candidate> find() {
    HostView v = view;
    if (v != null) {
      DataplaneFindings.deadEndpoints(this, v);
    }
    endpointAddresses();
    IpamFindings.allocationsWithoutEndpoint(this);
    markersWithoutEndpoint();
    if (v != null && v.links() != null) {
      DataplaneFindings.linksWithoutEndpoint(this, v.links());
    }
    IpamFindings.emptyBlocks(this);
    IpamFindings.handles(this);
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

  void add(Draft d) {
    out.add(d.build());
  }

  void note(String text) {
    notes.add(text);
  }

  boolean inScope(String h) {
    return allHosts || h.equals(host);
  }

  static String ip(InetAddress a) {
    return InetAddresses.toAddrString(a);
  }

  /** Addresses in order: IPv4 first, then by their bytes, unsigned. */
  static final Comparator<InetAddress> BY_ADDRESS =
      (x, y) -> {
        byte[] a = x.getAddress();
        byte[] b = y.getAddress();
        if (a.length != b.length) {
          return Integer.compare(a.length, b.length);
        }
        return Arrays.compareUnsigned(a, b);
      };

  /**
   * The block of {@code a}, as {@link AllocationBlock#blockFor} gives it, by clearing the address's
   * low six bits (without {@code Cidr}'s arithmetic: this runs for every endpoint address).
   */
  static Cidr blockOf(InetAddress a) {
    byte[] b = a.getAddress();
    b[b.length - 1] &= (byte) 0xc0;
    try {
      return new Cidr(InetAddress.getByAddress(b), b.length == 4 ? 26 : 122);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e); // 4 or 16 bytes never fail
    }
  }

  /** A confirming read: the endpoint is still at the revision read. */
  static Confirm unchanged(WorkloadEndpoint ep) {
    Revision r = ep.revision();
    return new Confirm(
        WorkloadEndpoints.keyOf(ep), kv -> kv.isPresent() && kv.get().revision().equals(r));
  }

  /** The endpoints' keys and revisions: what makes a finding about them the same finding. */
  static String ids(List<WorkloadEndpoint> eps) {
    StringBuilder b = new StringBuilder();
    for (WorkloadEndpoint ep : eps) {
      b.append(b.length() == 0 ? "" : ",").append(WorkloadEndpoints.keyOf(ep).path());
      b.append('@').append(ep.revision());
    }
    return b.toString();
  }

  static String owner(AllocationBlock.Attribute a) {
    return a.handleId() == null ? "no handle" : "handle " + a.handleId();
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

  // ------------------------------------------------------------------ addresses on endpoints

  /** Duplicates among live endpoints, and each live endpoint's address against its allocation. */
  private void endpointAddresses() {
    Map<InetAddress, List<WorkloadEndpoint>> holders = new TreeMap<>(BY_ADDRESS);
    for (List<WorkloadEndpoint> eps : byWorkload.values()) {
      for (WorkloadEndpoint ep : eps) {
        if (!dead.contains(WorkloadEndpoints.keyOf(ep))) {
          ep.nets()
              .forEach(n -> holders.computeIfAbsent(n.address(), k -> new ArrayList<>()).add(ep));
        }
      }
    }
    holders.forEach(
        (a, eps) -> {
          if (eps.size() > 1) {
            duplicate(a, eps);
          } else {
            addressOf(eps.get(0), a);
          }
        });
  }

  private Draft addressDraft(FindingKind kind, String h, String subject, String id, InetAddress a) {
    Allocation alloc = allocations.get(a);
    return new Draft(kind, h, subject, id)
        .detail("ip", ip(a))
        .detail("block", blockOf(a).toString())
        .detail("handle", alloc == null ? null : alloc.attribute().handleId());
  }

  private void duplicate(InetAddress a, List<WorkloadEndpoint> eps) {
    Optional<WorkloadEndpoint> mine = eps.stream().filter(ep -> inScope(ep.hostname())).findFirst();
    if (mine.isEmpty()) {
      return;
    }
    Allocation alloc = allocations.get(a);
    String fp = ip(a) + "|" + ids(eps);
    add(
        addressDraft(FindingKind.DUPLICATE_IP, mine.get().hostname(), ip(a), ip(a), a)
            .detail(
                "endpoints",
                String.join(
                    ",", eps.stream().map(ep -> WorkloadEndpoints.keyOf(ep).path()).toList()))
            .evidence(
                ip(a)
                    + " is on "
                    + eps.size()
                    + " endpoints: "
                    + String.join(", ", eps.stream().map(Finder::describe).toList())
                    + (alloc == null
                        ? "; it is not allocated"
                        : "; allocated to " + owner(alloc.attribute())))
            .fingerprint(fp)
            .target(new Target.Duplicate(a, eps, alloc == null ? null : alloc.attribute()))
            .confirm(eps.stream().map(Finder::unchanged).toList()));
  }

  private void addressOf(WorkloadEndpoint ep, InetAddress a) {
    Cidr cidr = blockOf(a);
    if (!inScope(ep.hostname()) || state.unreadableBlocks().contains(cidr)) {
      return;
    }
    Allocation alloc = allocations.get(a);
    AllocationBlock.Attribute holder = alloc == null ? null : alloc.attribute();
    String handle = holder == null ? null : holder.handleId();
    if (holder != null
        && (handle == null
            || !handle.startsWith(Owners.HANDLE_PREFIX)
            || handle.equals(Owners.handleId(ep.hostname(), ep.orchestratorId(), ep.workloadId()))
            || handle.equals(
                state.handleOf(ep.hostname(), ep.orchestratorId(), ep.workloadId())))) {
      return; // its own, or another tool's or an older writer's: matched by address
    }
    String expected = state.handleOf(ep.hostname(), ep.orchestratorId(), ep.workloadId());
    String subject = ip(a) + " on " + ep.endpointId();
    String id = ep.orchestratorId() + "/" + ep.workloadId() + "/" + ep.endpointId() + "/" + ip(a);
    Key blockKey = CalicoKeys.block(cidr);
    if (holder == null) {
      add(
          addressDraft(FindingKind.ENDPOINT_IP_NOT_ALLOCATED, ep.hostname(), subject, id, a)
              .detail("endpoint", WorkloadEndpoints.keyOf(ep).path())
              .evidence(
                  ip(a)
                      + " of "
                      + describe(ep)
                      + " is free in IPAM (block "
                      + cidr
                      + (state.blocks().containsKey(cidr) ? "" : ", which does not exist")
                      + ")")
              .fingerprint(ids(List.of(ep)) + "|" + ip(a))
              .target(new Target.EndpointIp(ep, a, null))
              .confirm(
                  List.of(
                      new Confirm(
                          blockKey,
                          kv -> kv.isEmpty() || !BlockJson.read(kv.get().value()).isAllocated(a)),
                      unchanged(ep))));
      return;
    }
    add(
        addressDraft(FindingKind.ENDPOINT_IP_OTHER_OWNER, ep.hostname(), subject, id, a)
            .detail("endpoint", WorkloadEndpoints.keyOf(ep).path())
            .evidence(
                ip(a)
                    + " of "
                    + describe(ep)
                    + " is allocated to "
                    + owner(holder)
                    + ", not to "
                    + expected)
            .fingerprint(ids(List.of(ep)) + "|" + ip(a) + "|" + holder)
            .target(new Target.EndpointIp(ep, a, holder))
            .confirm(
                List.of(
                    new Confirm(
                        blockKey,
                        kv ->
                            kv.isPresent()
                                && BlockJson.read(kv.get().value())
                                    .attributesOf(a)
                                    .filter(holder::equals)
                                    .isPresent()),
                    unchanged(ep))));
  }

  // ------------------------------------------------------------------ markers

  private void markersWithoutEndpoint() {
    Set<Workload> withOdd = new HashSet<>();
    for (ClusterState.OddEndpoint o : state.oddEndpoints()) {
      CalicoKeys.parseEndpoint(o.key())
          .ifPresent(k -> withOdd.add(new Workload(k.hostname(), k.orchestrator(), k.workload())));
    }
    for (ClusterState.MarkerEntry m : state.markers().values()) {
      Workload w = new Workload(m.host(), m.orchestrator(), m.workload());
      if (!inScope(m.host()) || byWorkload.containsKey(w) || withOdd.contains(w)) {
        continue;
      }
      WorkloadMarker marker = m.marker();
      KeyValue kv = m.entry();
      add(
          new Draft(FindingKind.MARKER_WITHOUT_ENDPOINT, m.host(), w.name(), w.name())
              .evidence(
                  "workload marker " + kv.key() + " is left, but the workload has no endpoint")
              .detail("marker", kv.key().path())
              .detail("workload", w.name())
              .fingerprint(kv.key().path() + "@" + kv.revision())
              .created(
                  marker != null && marker.writtenAtMillis() > 0
                      ? Instant.ofEpochMilli(marker.writtenAtMillis())
                      : null)
              .target(new Target.Marker(kv))
              .confirm(
                  List.of(
                      new Confirm(
                          kv.key(),
                          now -> now.isPresent() && now.get().revision().equals(kv.revision())))));
    }
  }
}
