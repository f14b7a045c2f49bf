package io.github.calicoj.core.check;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.WireFormat;
import io.github.calicoj.core.client.Owners;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.codec.EndpointJson;
import io.github.calicoj.core.ipam.AllocationBlock;
import io.github.calicoj.core.ipam.BlockJson;
import io.github.calicoj.core.ipam.IpOwner;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.core.repository.IpPools;
import io.github.calicoj.core.repository.WorkloadEndpoints;
import io.github.calicoj.core.repository.WorkloadMarker;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.Transaction;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A simulated cluster written straight into a datastore (no links, no namespaces): healthy
 * namespace workloads on several hosts (allocation with handle and {@code created}, endpoint,
 * marker, affinities), and exactly {@value #LEAKS} planted leaks of the kinds a check finds without
 * the dataplane. For the scale IT and {@code scripts/bench lifecycle}.
 */
final class ScaleCluster {
  /** How many leaks {@link #write} plants. */
  static final int LEAKS = 30;

  static final Instant CREATED = Instant.parse("2026-11-30T08:00:00Z");

  /** One planted leak: what the check must report. */
  record Leak(FindingKind kind, String host, String subject) {
    @Override
    public String toString() {
      return kind.id() + " " + host + " " + subject;
    }
  }

  private final Datastore store;
  private final Map<Key, String> pending = new LinkedHashMap<>();
  private final Map<Cidr, AllocationBlock> blocks = new LinkedHashMap<>();
  private final Set<Cidr> withoutMarker = new HashSet<>();
  private final Map<String, Map<Cidr, Integer>> handles = new LinkedHashMap<>();
  private final List<Leak> leaks = new ArrayList<>();
  private long serial;

  private ScaleCluster(Datastore store) {
    this.store = store;
  }

  /**
   * Writes {@code perHost} healthy workloads on each of {@code hosts} (at most 4) and the leaks.
   *
   * @return the leaks planted, {@value #LEAKS} of them
   */
  static List<Leak> write(Datastore store, List<String> hosts, int perHost) {
    ScaleCluster c = new ScaleCluster(store);
    new IpPools(store).add(IpPool.of(Cidr.parse("10.128.0.0/12")));
    List<List<WorkloadEndpoint>> healthy = new ArrayList<>();
    for (int h = 0; h < hosts.size(); h++) {
      List<WorkloadEndpoint> eps = new ArrayList<>();
      for (int n = 0; n < perHost; n++) {
        eps.add(c.workload(hosts.get(h), address(h, n), true, true));
      }
      healthy.add(eps);
    }
    c.plant(hosts, healthy);
    c.flush();
    if (c.leaks.size() != LEAKS) {
      throw new IllegalStateException("planted " + c.leaks.size() + " leaks, not " + LEAKS);
    }
    return List.copyOf(c.leaks);
  }

  /** Host {@code h}'s {@code n}th healthy address: 10.(128+h).x.y. */
  private static InetAddress address(int h, int n) {
    return InetAddresses.forString("10." + (128 + h) + "." + (n / 256) + "." + (n % 256));
  }

  /** Host {@code h}'s {@code n}th address in its leak block 10.(128+h).100.0/26. */
  private static InetAddress leakAddress(int h, int n) {
    return InetAddresses.forString("10." + (128 + h) + ".100." + n);
  }

  private void plant(List<String> hosts, List<List<WorkloadEndpoint>> healthy) {
    int hs = hosts.size();
    for (int k = 0; k < 10; k++) { // allocations without endpoint
      String h = hosts.get(k % hs);
      InetAddress a = leakAddress(k % hs, k);
      allocate(h, a, Owners.of(h, Finder.NAMESPACE, "-leak-alloc-" + k, CREATED));
      leak(FindingKind.ALLOCATION_WITHOUT_ENDPOINT, h, ip(a));
    }
    for (int k = 0; k < 5; k++) { // endpoints whose address is free
      String h = hosts.get(k % hs);
      WorkloadEndpoint ep = workload(h, leakAddress(k % hs, 20 + k), false, true);
      leak(
          FindingKind.ENDPOINT_IP_NOT_ALLOCATED,
          h,
          ip(ep.nets().get(0).address()) + " on " + ep.endpointId());
    }
    for (int k = 0; k < 4; k++) { // markers without endpoint
      String h = hosts.get(k % hs);
      String w = "-leak-marker-" + k;
      pending.put(
          WorkloadMarker.key(h, Finder.NAMESPACE, w),
          new WorkloadMarker(id(), CREATED.toEpochMilli(), null).toJson());
      leak(FindingKind.MARKER_WITHOUT_ENDPOINT, h, Finder.NAMESPACE + "/" + w);
    }
    for (int k = 0; k < 3; k++) { // one address on two endpoints
      String h = hosts.get(k % hs);
      InetAddress taken = healthy.get(k % hs).get(k).nets().get(0).address();
      workload(h, taken, false, true);
      leak(FindingKind.DUPLICATE_IP, h, ip(taken));
    }
    for (int k = 0; k < 3; k++) { // an endpoint's address held by another workload's handle
      String h = hosts.get(k % hs);
      InetAddress a = leakAddress(k % hs, 40 + k);
      WorkloadEndpoint ep = workload(h, a, false, true);
      allocate(h, a, Owners.of(h, Finder.NAMESPACE, "-someone-else-" + k, CREATED));
      leak(FindingKind.ENDPOINT_IP_OTHER_OWNER, h, ip(a) + " on " + ep.endpointId());
    }
    for (int k = 0; k < 3; k++) { // empty affine blocks
      String h = hosts.get(k % hs);
      Cidr cidr = Cidr.parse("10." + (128 + k % hs) + ".200." + (64 * (k / hs)) + "/26");
      blocks.put(cidr, AllocationBlock.empty(cidr, h, false));
      withoutMarker.add(cidr); // an empty block its host has a marker for is kept, not a leak
      leak(FindingKind.EMPTY_AFFINE_BLOCK, h, cidr.toString());
    }
    for (int k = 0; k < 2; k++) { // handles that count too many
      WorkloadEndpoint ep = healthy.get(k % hs).get(100 + k);
      String handle = Owners.handleId(ep.hostname(), ep.orchestratorId(), ep.workloadId());
      handles.get(handle).replaceAll((cidr, n) -> n + 1);
      leak(FindingKind.HANDLE_MISMATCH, ep.hostname(), handle);
    }
  }

  private void leak(FindingKind kind, String host, String subject) {
    leaks.add(new Leak(kind, host, subject));
  }

  private static String ip(InetAddress a) {
    return InetAddresses.toAddrString(a);
  }

  private String id() {
    return String.format("%032x", ++serial);
  }

  private void allocate(String host, InetAddress a, IpOwner owner) {
    Cidr cidr = AllocationBlock.blockFor(a);
    AllocationBlock b = blocks.computeIfAbsent(cidr, c -> AllocationBlock.empty(c, host, false));
    blocks.put(cidr, b.assign(a, owner.handleId(), owner.attributes(), host));
    if (owner.handleId() != null) {
      handles
          .computeIfAbsent(owner.handleId(), k -> new LinkedHashMap<>())
          .merge(cidr, 1, Integer::sum);
    }
  }

  /** A namespace workload's endpoint (and marker), with its allocation if {@code allocated}. */
  private WorkloadEndpoint workload(String host, InetAddress a, boolean allocated, boolean marker) {
    String endpointId = id();
    String path = "/var/run/netns/w" + endpointId.substring(24);
    String workload = io.github.calicoj.core.model.Names.escapeWorkloadId(path);
    WorkloadEndpoint ep =
        WorkloadEndpoint.builder()
            .hostname(host)
            .orchestratorId(Finder.NAMESPACE)
            .workloadId(workload)
            .endpointId(endpointId)
            .mac("ee:ee:ee:00:00:01")
            .addNet(Cidr.host(a))
            .build();
    pending.put(WorkloadEndpoints.keyOf(ep), EndpointJson.write(ep, WireFormat.ERA_A));
    if (marker) {
      pending.put(
          WorkloadMarker.key(host, Finder.NAMESPACE, workload),
          new WorkloadMarker(
                  endpointId,
                  CREATED.toEpochMilli(),
                  new WorkloadMarker.NamespaceRef(path, 4, 4026600000L + serial))
              .toJson());
    }
    if (allocated) {
      allocate(host, a, Owners.of(host, Finder.NAMESPACE, workload, CREATED));
    }
    return ep;
  }

  private void flush() {
    Set<Key> affinities = new TreeSet<>();
    blocks.forEach(
        (cidr, b) -> {
          pending.put(CalicoKeys.block(cidr), BlockJson.write(b));
          if (!withoutMarker.contains(cidr)) {
            b.affinityHost().ifPresent(h -> affinities.add(CalicoKeys.affinity(h, cidr)));
          }
        });
    affinities.forEach(k -> pending.put(k, ""));
    handles.forEach(
        (id, counts) -> pending.put(CalicoKeys.handle(id), BlockJson.handle(id, counts)));
    Transaction.Builder txn = Transaction.builder();
    int ops = 0;
    for (Map.Entry<Key, String> e : pending.entrySet()) {
      txn.put(e.getKey(), e.getValue());
      if (++ops == 100) {
        store.commit(txn.build());
        txn = Transaction.builder();
        ops = 0;
      }
    }
    if (ops > 0) {
      store.commit(txn.build());
    }
  }
}
