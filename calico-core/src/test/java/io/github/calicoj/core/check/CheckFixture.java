package io.github.calicoj.core.check;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.WireFormat;
import io.github.calicoj.core.client.ForwardingDatastore;
import io.github.calicoj.core.client.Owners;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.codec.EndpointJson;
import io.github.calicoj.core.ipam.AllocationBlock;
import io.github.calicoj.core.ipam.BlockJson;
import io.github.calicoj.core.ipam.IpOwner;
import io.github.calicoj.core.ipam.Ipam;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.model.Names;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.core.repository.IpPools;
import io.github.calicoj.core.repository.WorkloadEndpoints;
import io.github.calicoj.core.repository.WorkloadMarker;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.Snapshot;
import io.github.calicoj.datastore.memory.InMemoryDatastore;
import io.github.calicoj.netns.NetNs;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Planted states for the check's unit tests: an in-memory datastore with a pool, IPAM, endpoints, a
 * settable clock and a {@link FakeHostSide} for host {@link #H1}.
 */
final class CheckFixture implements AutoCloseable {
  static final String H1 = "h1";
  static final String H2 = "h2";
  static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  final InMemoryDatastore store = InMemoryDatastore.create();
  final Ipam ipam = Ipam.builder(store).cacheTtl(Duration.ZERO).build();
  final WorkloadEndpoints endpoints = new WorkloadEndpoints(store, WireFormat.ERA_A);
  final FakeHostSide host = new FakeHostSide();
  private Instant now = T0;
  private int nextIndex = 10;
  private long nextInode = 4026532000L;

  final Clock clock =
      new Clock() {
        @Override
        public ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now;
        }
      };

  CheckFixture() {
    new IpPools(store).add(IpPool.of(Cidr.parse("10.65.0.0/16")));
  }

  void advance(Duration d) {
    now = now.plus(d);
  }

  Instant now() {
    return now;
  }

  IpamChecker checker() {
    return checker(H1, store);
  }

  IpamChecker checker(String hostname, Datastore ds) {
    return builder(hostname, ds).build();
  }

  /** A checker that re-plumbs live workloads through {@code restorer}. */
  IpamChecker checker(IpamChecker.Restorer restorer) {
    return builder(H1, store).restorer(restorer).build();
  }

  private IpamChecker.Builder builder(String hostname, Datastore ds) {
    return IpamChecker.builder(ds, hostname)
        .ipam(ds == store ? ipam : Ipam.builder(ds).cacheTtl(Duration.ZERO).build())
        .clock(clock)
        .hostSides(host::open);
  }

  static InetAddress ip(String s) {
    return InetAddresses.forString(s);
  }

  static String newEndpointId() {
    return UUID.randomUUID().toString().replace("-", "");
  }

  /** An allocation of {@code ip} to a workload, made {@code age} ago, with no endpoint. */
  void allocate(String h, String orchestrator, String workload, String ip, Duration age) {
    ipam.assign(ip(ip), h, Owners.of(h, orchestrator, workload, now.minus(age)));
  }

  /**
   * A healthy namespace workload on {@code h}, added {@code age} ago: allocation, endpoint, marker,
   * and (on {@link #H1}) its cali link and namespace.
   */
  WorkloadEndpoint namespaceWorkload(String h, String path, String ip, Duration age) {
    return namespaceWorkload(h, path, ip, age, null);
  }

  /**
   * A healthy namespace workload on {@link #H1} whose addresses are owned by {@code handle}, which
   * its marker records (as {@code addWorkload} with its own IPAM owner writes it).
   */
  WorkloadEndpoint namespaceWorkloadOwnedBy(String handle, String path, String ip) {
    return namespaceWorkload(H1, path, ip, Duration.ofMinutes(30), handle);
  }

  private WorkloadEndpoint namespaceWorkload(
      String h, String path, String ip, Duration age, @Nullable String handle) {
    NetNs.Identity id = new NetNs.Identity(4, nextInode++);
    WorkloadEndpoint ep =
        workload(
            h,
            Finder.NAMESPACE,
            Names.escapeWorkloadId(path),
            ip,
            age,
            new WorkloadMarker.NamespaceRef(path, id.dev(), id.ino()),
            handle);
    if (h.equals(H1)) {
      host.namespaces.put(path, id);
    }
    return ep;
  }

  /** A healthy Docker workload on {@code h} (its container running on {@link #H1}). */
  WorkloadEndpoint dockerWorkload(String h, String containerId, String ip, Duration age) {
    WorkloadEndpoint ep =
        workload(
            h,
            Finder.DOCKER,
            containerId,
            ip,
            age,
            new WorkloadMarker.NamespaceRef("/proc/4242/ns/net", 4, nextInode++));
    if (h.equals(H1)) {
      host.containers.put(containerId, true);
    }
    return ep;
  }

  private WorkloadEndpoint workload(
      String h,
      String orchestrator,
      String workload,
      String ip,
      Duration age,
      WorkloadMarker.NamespaceRef ns) {
    return workload(h, orchestrator, workload, ip, age, ns, null);
  }

  private WorkloadEndpoint workload(
      String h,
      String orchestrator,
      String workload,
      String ip,
      Duration age,
      WorkloadMarker.NamespaceRef ns,
      @Nullable String handle) {
    IpOwner owner = Owners.of(h, orchestrator, workload, now.minus(age));
    ipam.assign(ip(ip), h, handle == null ? owner : IpOwner.of(handle, owner.attributes()));
    String id = newEndpointId();
    WorkloadEndpoint ep =
        WorkloadEndpoint.builder()
            .hostname(h)
            .orchestratorId(orchestrator)
            .workloadId(workload)
            .endpointId(id)
            .mac("ee:ee:ee:ee:ee:01")
            .addNet(Cidr.host(ip(ip)))
            .build();
    WorkloadEndpoint stored =
        endpoints.create(
            ep, new WorkloadMarker(id, now.minus(age).toEpochMilli(), ns, handle, "eth1"));
    if (h.equals(H1)) {
      host.links.put(stored.name(), nextIndex++);
    }
    return stored;
  }

  /** Writes {@code ep} changed by {@code change}, behind IPAM's back (as another tool might). */
  void rewrite(WorkloadEndpoint ep, UnaryOperator<WorkloadEndpoint.Builder> change) {
    store.put(
        WorkloadEndpoints.keyOf(ep),
        EndpointJson.write(change.apply(ep.toBuilder()).build(), WireFormat.ERA_A));
  }

  /**
   * A view of the store that runs {@code meanwhile} once, right after a check listed {@code
   * prefix}: a workload added or removed while the check reads.
   */
  Datastore racing(Key prefix, Runnable meanwhile) {
    return new ForwardingDatastore(store) {
      private boolean done;

      @Override
      public Snapshot list(Key p) {
        Snapshot s = super.list(p);
        if (!done && p.equals(prefix)) {
          done = true;
          meanwhile.run();
        }
        return s;
      }
    };
  }

  /** The allocation attributes of {@code ip}, read from the store. */
  Optional<AllocationBlock.Attribute> allocation(String ip) {
    return store
        .get(CalicoKeys.block(AllocationBlock.blockFor(ip(ip))))
        .flatMap(kv -> BlockJson.read(kv.value()).attributesOf(ip(ip)));
  }

  /** Every allocated address, read from the store. */
  List<String> allocated() {
    List<String> out = new ArrayList<>();
    for (int v : new int[] {4, 6}) {
      store
          .list(CalicoKeys.blocks(v))
          .entries()
          .forEach(
              kv ->
                  BlockJson.read(kv.value())
                      .allocatedAddresses()
                      .forEach(a -> out.add(InetAddresses.toAddrString(a))));
    }
    return out;
  }

  static IpOwner owner(String h, String orchestrator, String workload, Instant created) {
    return Owners.of(h, orchestrator, workload, created);
  }

  @Override
  public void close() {
    store.close();
  }
}
