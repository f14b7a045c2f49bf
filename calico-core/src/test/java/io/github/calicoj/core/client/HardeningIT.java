package io.github.calicoj.core.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.CalicoException;
import io.github.calicoj.core.CalicoException.Reason;
import io.github.calicoj.core.ConflictException;
import io.github.calicoj.core.NotFoundException;
import io.github.calicoj.core.WireFormat;
import io.github.calicoj.core.WorkloadException;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.model.Names;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.core.repository.EndpointQuery;
import io.github.calicoj.core.repository.WorkloadEndpoints;
import io.github.calicoj.core.repository.WorkloadMarker;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.DatastoreException;
import io.github.calicoj.datastore.DatastoreUnavailableException;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.Transaction;
import io.github.calicoj.datastore.TxnOp;
import io.github.calicoj.datastore.TxnResult;
import io.github.calicoj.datastore.etcd.EtcdClientKind;
import io.github.calicoj.datastore.etcd.EtcdTestClients;
import io.github.calicoj.netns.InterfaceName;
import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.Netlink;
import io.github.calicoj.netns.NetnsSupport;
import io.github.calicoj.testkit.EtcdCluster;
import io.github.calicoj.testkit.EtcdExtension;
import io.github.calicoj.testkit.IpOracle;
import io.github.calicoj.testkit.Processes;
import io.github.calicoj.testkit.Requirements;
import io.github.calicoj.testkit.TestNamespace;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The add and remove flows under the faults that once left state behind: the host's own namespace
 * as a workload, a killed add's cali pair, an endpoint whose interface is gone, a remove that
 * cannot write, two paths that share one workload id (one remove or a bulk one), a marker left
 * alone, and etcd stopped (SIGSTOP) at an add's or a remove's commit. Real etcd, real netlink in
 * test namespaces, checked with etcd and {@code ip -j}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class HardeningIT {
  private static final String HOST = "cjt-hard-host";
  private static final String NEXT_HOP = "172.31.254.1";

  @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.single();

  private Datastore store;
  private TestNamespace hostNs;
  private final List<TestNamespace> workloads = new ArrayList<>();
  private final List<AutoCloseable> closeLast = new ArrayList<>();
  private CalicoClient calico;

  @BeforeEach
  void setUp() {
    Requirements.requireRoot();
    Requirements.require(NetnsSupport.isAvailable(), "netns support");
    store = ClientFixture.freshStore(ETCD);
    hostNs = ClientFixture.hostNamespace(NEXT_HOP);
    calico = client(store);
    calico.configureNode(NodeConfig.ipv4((Inet4Address) InetAddresses.forString(NEXT_HOP)));
    calico.ipPools().add(IpPool.of(Cidr.parse("10.124.0.0/16")));
  }

  private CalicoClient client(Datastore ds) {
    return CalicoClient.builder(ds, HOST)
        .hostNamespace(hostNs.path())
        .rollbackWait(Duration.ofSeconds(1))
        .build();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (calico != null) {
      calico.close();
    }
    workloads.forEach(TestNamespace::close);
    for (AutoCloseable c : closeLast) {
      c.close();
    }
    if (hostNs != null) {
      hostNs.close();
    }
    if (store != null) {
      store.close();
    }
  }

  private TestNamespace workload() {
    TestNamespace w = TestNamespace.create();
    workloads.add(w);
    return w;
  }

  private void assertNoCalicoState() {
    assertThat(store.list(CalicoKeys.HOSTS).entries())
        .as("endpoints")
        .noneMatch(kv -> CalicoKeys.parseEndpoint(kv.key()).isPresent());
    assertThat(store.list(CalicoKeys.WORKLOAD_MARKERS).entries()).as("markers").isEmpty();
    assertThat(ClientFixture.allocated(store)).as("allocations").isEmpty();
    assertThat(IpOracle.linkNames(hostNs.name(), "cali")).as("cali links").isEmpty();
  }

  @Test
  void theHostSidesNamespaceAndTheCallersOwnAreRefusedByIdentity() throws Exception {
    Path sameAsHost = Files.createTempFile("cjt-hostns-", "");
    closeLast.add(() -> Files.deleteIfExists(sameAsHost));
    Processes.run(
        List.of("mount", "--bind", hostNs.path().toString(), sameAsHost.toString()),
        Duration.ofSeconds(10));
    closeLast.add(
        0, () -> Processes.run(List.of("umount", sameAsHost.toString()), Duration.ofSeconds(10)));
    for (String p :
        List.of(
            hostNs.path().toString(), // the host side's own, by its own path
            sameAsHost.toString(), // the same namespace by another path
            "/proc/self/ns/net", // the caller's own
            "/proc/thread-self/ns/net")) {
      assertThatThrownBy(() -> calico.addContainer(p, "ipv4"))
          .as(p)
          .isInstanceOfSatisfying(
              WorkloadException.class, e -> assertThat(e.reason()).isEqualTo(Reason.HOST_NAMESPACE))
          .hasMessageContaining(p)
          .hasMessageContaining("namespace");
    }
    assertThat(IpOracle.link(hostNs.name(), "eth1")).as("eth1 in the host namespace").isEmpty();
    assertNoCalicoState();
  }

  @Test
  void aSecondAddOfAConfiguredWorkloadLeavesItsRoutesAlone() {
    TestNamespace w = workload();
    String path = w.path().toString();
    calico.addContainer(path, "ipv4");
    String before = w.ip("-j", "-4", "route", "show");
    assertThat(before).contains("\"dst\":\"default\"").contains("\"dev\":\"eth1\"");
    assertThatThrownBy(() -> calico.addContainer(path, "ipv4", "eth2"))
        .isInstanceOfSatisfying(
            CalicoException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.ALREADY_CONFIGURED));
    assertThat(w.ip("-j", "-4", "route", "show")).isEqualTo(before);
    assertThat(IpOracle.link(w.name(), "eth2")).isEmpty();
    calico.removeContainer(path);
    assertNoCalicoState();
  }

  @Test
  void aRefusedAddLeavesTheBlockOfItsAddressUnclaimed() {
    TestNamespace w = workload();
    String path = w.path().toString();
    calico.addContainer(path, "10.124.0.5");
    // 10.124.9.0/26 has no claim yet: an add writes nothing before its commit, so the refusals
    // (the workload is configured; the interface exists) must leave the block unclaimed.
    Key block = CalicoKeys.block(Cidr.parse("10.124.9.0/26"));
    Key affinity = CalicoKeys.affinity(HOST, Cidr.parse("10.124.9.0/26"));
    assertThatThrownBy(() -> calico.addContainer(path, "10.124.9.7"))
        .isInstanceOfSatisfying(
            CalicoException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.ALREADY_CONFIGURED));
    TestNamespace other = workload();
    assertThatThrownBy(() -> calico.addContainer(other.path().toString(), "10.124.9.8", "lo"))
        .hasMessageContaining("lo already exists");
    assertThat(store.get(block)).as("block key").isEmpty();
    assertThat(store.get(affinity)).as("affinity key").isEmpty();
    assertThat(store.get(CalicoKeys.block(Cidr.parse("10.124.0.0/26"))))
        .as("the block the first add committed to")
        .isPresent();
    calico.removeContainer(path);
    assertNoCalicoState();
  }

  @Test
  void aKilledAddsCaliPairIsDeletedByTheNextAddAndByRemove() {
    TestNamespace w = workload();
    String path = w.path().toString();
    InterfaceName leftover = InterfaceName.of("cali0123456789a");
    try (NetNs ns = NetNs.open(w.path());
        NetNs host = NetNs.open(hostNs.path());
        Netlink hostNl = Netlink.openIn(host)) {
      hostNl.createVeth(leftover, InterfaceName.of("eth1"), ns);
    }
    WorkloadEndpoint ep = calico.addContainer(path, "ipv4");
    assertThat(IpOracle.linkNames(hostNs.name(), "cali")).containsExactly(ep.name());
    assertThat(IpOracle.link(w.name(), "eth1")).isPresent();

    // The same leftover on a workload with no data: remove deletes the pair.
    calico.removeContainer(path);
    try (NetNs ns = NetNs.open(w.path());
        NetNs host = NetNs.open(hostNs.path());
        Netlink hostNl = Netlink.openIn(host)) {
      hostNl.createVeth(leftover, InterfaceName.of("eth1"), ns);
    }
    assertThat(calico.removeContainer(path)).isEmpty();
    assertThat(IpOracle.link(w.name(), "eth1")).isEmpty();
    assertNoCalicoState();
  }

  @Test
  void aDeadEndpointIsRemovedAndTheWorkloadAddedAgain() {
    TestNamespace w = workload();
    String path = w.path().toString();
    WorkloadEndpoint first = calico.addContainer(path, "ipv4");
    hostNs.ip("link", "del", first.name()); // as after a late-applied write or a restart
    WorkloadEndpoint second = calico.addContainer(path, "ipv4");
    assertThat(second.endpointId()).isNotEqualTo(first.endpointId());
    assertThat(calico.workloadEndpoints().find(EndpointQuery.onHost(HOST)))
        .extracting(WorkloadEndpoint::endpointId)
        .containsExactly(second.endpointId());
    assertThat(ClientFixture.allocated(store)).containsExactly(second.nets().get(0).address());
    calico.removeContainer(path);
    assertNoCalicoState();
  }

  @Test
  void aRemoveThatCannotWriteChangesNothingAndTheNextOneFinishes() {
    TestNamespace w = workload();
    String path = w.path().toString();
    WorkloadEndpoint ep = calico.addContainer(path, "ipv4");
    ForwardingDatastore refusing =
        new ForwardingDatastore(store) {
          @Override
          public TxnResult commit(Transaction t) {
            throw new DatastoreUnavailableException("test: no writes", null, false, null);
          }
        };
    try (CalicoClient c = client(refusing)) {
      assertThatThrownBy(() -> c.removeContainer(path)).isInstanceOf(DatastoreException.class);
    }
    // all or nothing: the endpoint, its marker, its IP and its veth are all still there
    assertThat(store.get(WorkloadEndpoints.keyOf(ep))).isPresent();
    assertThat(ClientFixture.allocated(store)).containsExactly(ep.nets().get(0).address());
    assertThat(IpOracle.linkNames(hostNs.name(), "cali")).containsExactly(ep.name());
    calico.removeContainer(path);
    assertNoCalicoState();
  }

  @Test
  void twoPathsThatShareAWorkloadIdAreToldApart() throws Exception {
    SharedId p = sharedId();
    WorkloadEndpoint ep = calico.addContainer(p.dash(), "ipv4");
    calico.profiles().create("cjt-shared");
    for (Runnable r :
        List.<Runnable>of(
            () -> calico.addContainer(p.slash(), "ipv4"),
            () -> calico.removeContainer(p.slash()),
            () -> calico.endpoint(p.slash()),
            () -> calico.appendProfiles(p.slash(), List.of("cjt-shared")))) {
      assertThatThrownBy(r::run)
          .isInstanceOfSatisfying(
              ConflictException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.WORKLOAD_MISMATCH))
          .hasMessageContaining(p.dash())
          .hasMessageContaining(p.slash());
    }
    // the other namespace's workload is untouched, and nothing was added to the second
    assertStays(p, ep);
    assertThat(IpOracle.link(p.two().name(), "eth1")).isEmpty();
    assertThat(calico.endpoint(p.dash()).orElseThrow().profileIds()).isEmpty();
    calico.removeContainer(p.dash());
    calico.profiles().remove("cjt-shared", true);
    assertNoCalicoState();
  }

  @Test
  void aBulkRemoveRefusesAPathThatSharesAWorkloadIdAndRemovesTheOthers() throws Exception {
    SharedId p = sharedId();
    WorkloadEndpoint ep = calico.addContainer(p.dash(), "ipv4");
    String single =
        catchThrowableOfType(ConflictException.class, () -> calico.removeContainer(p.slash()))
            .getMessage();
    assertThatThrownBy(() -> calico.removeContainers(List.of(p.slash())))
        .isInstanceOfSatisfying(
            ConflictException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.WORKLOAD_MISMATCH))
        .hasMessage(single);
    assertStays(p, ep);

    // with another workload in the same call: that one is removed, the refused one stays
    TestNamespace other = workload();
    WorkloadEndpoint otherEp = calico.addContainer(other.path().toString(), "ipv4");
    assertThatThrownBy(() -> calico.removeContainers(List.of(p.slash(), other.path().toString())))
        .isInstanceOf(ConflictException.class)
        .hasMessage(single);
    assertStays(p, ep);
    assertThat(store.get(WorkloadEndpoints.keyOf(otherEp))).as("the other endpoint").isEmpty();
    assertThat(ClientFixture.allocated(store)).containsExactly(ep.nets().get(0).address());
    assertThat(IpOracle.linkNames(hostNs.name(), "cali")).containsExactly(ep.name());
    assertThat(IpOracle.link(other.name(), "eth1")).isEmpty();

    assertThat(calico.removeContainers(List.of(p.dash())))
        .extracting(WorkloadEndpoint::endpointId)
        .containsExactly(ep.endpointId());
    assertNoCalicoState();
  }

  /** {@code dash}'s workload is whole: its endpoint, its IP, its cali link, its eth1. */
  private void assertStays(SharedId p, WorkloadEndpoint ep) {
    assertThat(store.get(WorkloadEndpoints.keyOf(ep))).as("endpoint").isPresent();
    assertThat(store.get(WorkloadMarker.key(HOST, "namespace", ep.workloadId())))
        .as("marker")
        .isPresent();
    assertThat(ClientFixture.allocated(store)).contains(ep.nets().get(0).address());
    assertThat(IpOracle.linkNames(hostNs.name(), "cali")).contains(ep.name());
    assertThat(IpOracle.link(p.one().name(), "eth1")).isPresent();
  }

  /** Two namespaces bound at {@code <dir>/a-b} and {@code <dir>/a/b}: one workload id. */
  private record SharedId(TestNamespace one, TestNamespace two, String dash, String slash) {}

  private SharedId sharedId() throws Exception {
    Path dir = Files.createTempDirectory("cjt-paths-");
    Path dash = dir.resolve("a-b");
    Path slash = dir.resolve("a").resolve("b");
    Files.createDirectories(slash.getParent());
    Files.createFile(dash);
    Files.createFile(slash);
    TestNamespace one = workload();
    TestNamespace two = workload();
    bind(one.path(), dash);
    bind(two.path(), slash);
    return new SharedId(one, two, dash.toString(), slash.toString());
  }

  @Test
  void aRemoveOfALoneMarkerDeletesIt() {
    // what an endpoint deleted by another tool, or an older writer, leaves: a marker alone
    TestNamespace w = workload();
    String path = w.path().toString();
    NetNs.Identity id = NetNs.identityOf(w.path());
    Key marker = WorkloadMarker.key(HOST, "namespace", Names.escapeWorkloadId(path));
    store.create(
        marker,
        new WorkloadMarker(
                "0123456789abcdef0123456789abcdef",
                System.currentTimeMillis(),
                new WorkloadMarker.NamespaceRef(path, id.dev(), id.ino()))
            .toJson());
    assertThat(calico.removeContainer(path)).as("endpoints removed").isEmpty();
    assertThat(store.get(marker)).as("marker").isEmpty();
    assertThatThrownBy(() -> calico.removeContainer(path))
        .isInstanceOfSatisfying(
            NotFoundException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.WORKLOAD_NOT_CONFIGURED))
        .hasMessage("Failed find Calico data for " + path);
    assertNoCalicoState();
  }

  private void bind(Path ns, Path target) {
    Processes.run(
        List.of("mount", "--bind", ns.toString(), target.toString()), Duration.ofSeconds(10));
    closeLast.add(
        0, () -> Processes.run(List.of("umount", target.toString()), Duration.ofSeconds(10)));
  }

  @Test
  void etcdStoppedAtARemovesCommitNeverLeavesTwoEndpointsWithOneIp() throws Exception {
    for (boolean gateway : new boolean[] {true, false}) {
      try (EtcdCluster etcd = EtcdCluster.startSingle();
          Datastore ds = stallable(etcd, gateway);
          CalicoClient c = client(new StopAt(ds, etcd, t -> deletesAnEndpoint(t)))) {
        c.configureNode(NodeConfig.ipv4((Inet4Address) InetAddresses.forString(NEXT_HOP)));
        c.ipPools().add(IpPool.of(Cidr.parse("10.125.0.0/26")));
        TestNamespace a = workload();
        String ipA =
            InetAddresses.toAddrString(
                c.addContainer(a.path().toString(), "ipv4").nets().get(0).address());
        long start = System.nanoTime();
        assertThatThrownBy(() -> c.removeContainer(a.path().toString()))
            .isInstanceOf(DatastoreException.class);
        // the request timeout (2 s) plus a margin: a remove has no rollback to wait for
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        resume(etcd);
        // Whatever etcd did with the remove, a workload that asks for a's IP gets it only if a's
        // endpoint went with it (a remove in two steps once released the IP and kept the endpoint).
        try (CalicoClient after = client(ds)) {
          try {
            after.addContainer(workload().path().toString(), ipA);
          } catch (CalicoException e) {
            assertThat(e.reason()).isIn(Reason.ADDRESS_ALREADY_ASSIGNED);
          }
          assertConsistent(ds);
          after.removeContainer(a.path().toString()); // finishes whatever is left of a
          assertConsistent(ds);
        }
      }
    }
  }

  @Test
  void etcdStoppedAtAnAddsCommitLeavesNothingTheNextCommandCannotClean() throws Exception {
    for (boolean gateway : new boolean[] {true, false}) {
      try (EtcdCluster etcd = EtcdCluster.startSingle();
          Datastore ds = stallable(etcd, gateway);
          CalicoClient c = client(new StopAt(ds, etcd, t -> writesAnEndpoint(t)))) {
        c.configureNode(NodeConfig.ipv4((Inet4Address) InetAddresses.forString(NEXT_HOP)));
        c.ipPools().add(IpPool.of(Cidr.parse("10.126.0.0/24")));
        TestNamespace a = workload();
        String path = a.path().toString();
        long start = System.nanoTime();
        assertThatThrownBy(() -> c.addContainer(path, "ipv4"))
            .isInstanceOf(RuntimeException.class)
            .satisfies(
                e ->
                    assertThat(
                            e instanceof DatastoreException
                                || (e instanceof CalicoException ce
                                    && ce.reason() == Reason.OUTCOME_UNKNOWN))
                        .as(e.toString())
                        .isTrue());
        // the request timeout (2 s) plus the rollback wait (1 s) plus a margin; never twice
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        assertThat(IpOracle.link(a.name(), "eth1")).as("rolled back locally").isEmpty();
        resume(etcd);
        Thread.sleep(500); // let etcd apply what it had queued
        try (CalicoClient after = client(ds)) {
          WorkloadEndpoint ep = after.addContainer(path, "ipv4"); // the next command on it
          assertConsistent(ds);
          assertThat(after.workloadEndpoints().find(EndpointQuery.onHost(HOST)))
              .extracting(WorkloadEndpoint::endpointId)
              .containsExactly(ep.endpointId());
          after.removeContainer(path);
          assertConsistent(ds);
          assertThat(ClientFixture.allocated(ds)).isEmpty();
        }
      }
    }
  }

  private static Datastore stallable(EtcdCluster etcd, boolean gateway) {
    return EtcdTestClients.build(
        gateway ? EtcdClientKind.GATEWAY : EtcdClientKind.JETCD,
        b -> b.endpoints(etcd.endpoints()).requestTimeout(Duration.ofSeconds(2)));
  }

  private static boolean writesAnEndpoint(Transaction t) {
    return t.ops().stream()
        .anyMatch(op -> op instanceof TxnOp.Put && CalicoKeys.parseEndpoint(op.key()).isPresent());
  }

  private static boolean deletesAnEndpoint(Transaction t) {
    return t.ops().stream()
        .anyMatch(
            op -> op instanceof TxnOp.Delete && CalicoKeys.parseEndpoint(op.key()).isPresent());
  }

  /** SIGSTOPs the etcd member just before the first transaction that {@code when} picks. */
  private static final class StopAt extends ForwardingDatastore {
    private final EtcdCluster etcd;
    private final Predicate<Transaction> when;
    private boolean done;

    StopAt(Datastore d, EtcdCluster etcd, Predicate<Transaction> when) {
      super(d);
      this.etcd = etcd;
      this.when = when;
    }

    @Override
    public synchronized TxnResult commit(Transaction t) {
      if (!done && when.test(t)) {
        done = true;
        signal(etcd, "-STOP");
      }
      return super.commit(t);
    }
  }

  private static void resume(EtcdCluster etcd) {
    signal(etcd, "-CONT");
  }

  private static void signal(EtcdCluster etcd, String sig) {
    Processes.run(
        List.of("kill", sig, Long.toString(etcd.members().get(0).pid())), Duration.ofSeconds(5));
  }

  /** Every endpoint's IPs are allocated, and no IP is on two endpoints. */
  private static void assertConsistent(Datastore ds) {
    Set<InetAddress> allocated = new HashSet<>(ClientFixture.allocated(ds));
    Set<InetAddress> seen = new HashSet<>();
    for (WorkloadEndpoint ep :
        new WorkloadEndpoints(ds, WireFormat.ERA_A).find(EndpointQuery.all())) {
      for (Cidr n : ep.nets()) {
        assertThat(seen.add(n.address())).as("%s on two endpoints", n).isTrue();
        assertThat(allocated).as("%s allocated", n).contains(n.address());
      }
    }
  }
}
