package io.github.calicoj.core.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.net.InetAddresses;
import io.github.calicoj.core.check.CheckOptions;
import io.github.calicoj.core.check.CheckReport;
import io.github.calicoj.core.check.Finding;
import io.github.calicoj.core.check.FindingKind;
import io.github.calicoj.core.check.IpamChecker;
import io.github.calicoj.core.check.Repair;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.core.repository.WorkloadEndpoints;
import io.github.calicoj.core.repository.WorkloadMarker;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.netns.InterfaceName;
import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.Netlink;
import io.github.calicoj.netns.NetnsSupport;
import io.github.calicoj.testkit.Docker;
import io.github.calicoj.testkit.EtcdCluster;
import io.github.calicoj.testkit.EtcdExtension;
import io.github.calicoj.testkit.IpOracle;
import io.github.calicoj.testkit.Processes;
import io.github.calicoj.testkit.Requirements;
import io.github.calicoj.testkit.TestNamespace;
import java.net.Inet4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code ipam check} and {@code --repair} on real state: namespace workloads added by {@link
 * CalicoClient} in test namespaces, host ends in a test host namespace, then leaks planted the way
 * they happen (a cali link killed, an endpoint key deleted alone, a marker written alone, a
 * leftover cali pair, a namespace deleted, a namespace path re-created as another namespace), and
 * real Docker containers: one {@code docker rm -f}ed without {@code container remove} is found gone
 * from one container list, a stopped one (whose link went with its namespace) is left alone for its
 * restart. The findings and the repair's results are checked against etcd (etcdctl) and {@code ip
 * -j}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class IpamCheckIT {
  private static final String HOST = "cjt-check-host";
  private static final String NEXT_HOP = "172.31.254.1";

  @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.single();

  private Datastore store;
  private TestNamespace hostNs;
  private CalicoClient calico;
  private final List<TestNamespace> namespaces = new ArrayList<>();
  private final List<String> recreated = new ArrayList<>();
  private final List<String> containers = new ArrayList<>();

  @BeforeEach
  void setUp() {
    Requirements.requireRoot();
    Requirements.require(NetnsSupport.isAvailable(), "netns support");
    store = ClientFixture.freshStore(ETCD);
    hostNs = ClientFixture.hostNamespace(NEXT_HOP);
    calico = CalicoClient.builder(store, HOST).hostNamespace(hostNs.path()).build();
    calico.configureNode(NodeConfig.ipv4((Inet4Address) InetAddresses.forString(NEXT_HOP)));
    calico.ipPools().add(IpPool.of(Cidr.parse("10.127.0.0/16")));
  }

  @AfterEach
  void tearDown() {
    containers.forEach(Docker::remove);
    if (calico != null) {
      calico.close();
    }
    namespaces.forEach(TestNamespace::close);
    recreated.forEach(
        n -> Processes.runForResult(List.of("ip", "netns", "del", n), Duration.ofSeconds(20)));
    if (hostNs != null) {
      hostNs.close();
    }
    if (store != null) {
      store.close();
    }
  }

  private TestNamespace namespace() {
    TestNamespace n = TestNamespace.create();
    namespaces.add(n);
    return n;
  }

  private String container() {
    String name = Docker.newName();
    containers.add(name);
    Docker.runSleeping(name, "none");
    return name;
  }

  private WorkloadEndpoint add(TestNamespace n) {
    return calico.addContainer(n.path().toString(), "ipv4");
  }

  /** Waits (at most 20 s) until the host side has {@code n} cali links. */
  private void awaitCaliLinks(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (IpOracle.linkNames(hostNs.name(), "cali").size() > n && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
  }

  private static String ip(WorkloadEndpoint ep) {
    return InetAddresses.toAddrString(ep.nets().get(0).address());
  }

  private static List<String> kinds(CheckReport r) {
    return r.findings().stream().map(f -> f.kind().id() + " " + f.subject()).toList();
  }

  private EtcdCluster etcd() {
    return ETCD.cluster();
  }

  /** Every key of the workloads, IPAM and markers, with its value, as etcd holds it. */
  private List<String> calicoState() {
    List<String> out = new ArrayList<>();
    for (String prefix :
        List.of(
            "/calico/v1/host/" + HOST + "/workload/", "/calico/ipam/", "/calicoj/v1/workload/")) {
      for (String k : etcd().keys(prefix)) {
        out.add(k + "=" + etcd().value(k));
      }
    }
    return out;
  }

  @Test
  void plantedLeaksAreFoundLeftAloneInsideTheGraceAndRepairedAfterIt() throws Exception {
    TestNamespace a = namespace();
    TestNamespace b = namespace();
    TestNamespace d = namespace();
    TestNamespace e = namespace();
    TestNamespace f = namespace();
    TestNamespace g = namespace();
    WorkloadEndpoint epA = add(a);
    WorkloadEndpoint epB = add(b);
    WorkloadEndpoint epE = add(e);
    WorkloadEndpoint epF = add(f);
    WorkloadEndpoint epG = add(g);

    // a: its cali link killed
    hostNs.ip("link", "del", epA.name());
    // b: its endpoint key deleted alone, leaving its allocation, marker and link
    etcd().etcdctl("del", WorkloadEndpoints.keyOf(epB).path());
    // a marker written alone
    String lone = CalicoKeys.workloadMarker(HOST, "namespace", "-var-run-netns-cjt-nowhere").path();
    etcd()
        .etcdctl(
            "put",
            lone,
            new WorkloadMarker("0123456789abcdef0123456789abcdef", System.currentTimeMillis(), null)
                .toJson());
    // d: a cali pair that no endpoint claims, as a killed add leaves it
    try (NetNs dns = NetNs.open(d.path());
        NetNs host = NetNs.open(hostNs.path());
        Netlink hostNl = Netlink.openIn(host)) {
      hostNl.createVeth(InterfaceName.of("cali0123456789a"), InterfaceName.of("eth1"), dns);
    }
    // e: its namespace deleted
    e.close();
    // g: its path now names another namespace
    g.close();
    Processes.run(List.of("ip", "netns", "add", g.name()), Duration.ofSeconds(20));
    recreated.add(g.name());
    // the kernel destroys the old namespaces' veths asynchronously: wait (bounded) until only b's,
    // f's and d's leftover are left, so that what follows compares settled states
    awaitCaliLinks(3);

    CheckReport checked = calico.checkIpam(CheckOptions.DEFAULT);
    assertThat(kinds(checked))
        .containsExactlyInAnyOrder(
            "workload-gone namespace/" + epE.workloadId(),
            "workload-gone namespace/" + epG.workloadId(),
            "endpoint-without-link " + epA.endpointId(),
            "allocation-without-endpoint " + ip(epB),
            "marker-without-endpoint namespace/" + epB.workloadId(),
            "marker-without-endpoint namespace/-var-run-netns-cjt-nowhere",
            "link-without-endpoint " + epB.name(),
            "link-without-endpoint cali0123456789a");
    assertThat(checked.findings())
        .filteredOn(x -> x.subject().equals("namespace/" + epE.workloadId()))
        .singleElement()
        .extracting(Finding::evidence)
        .isEqualTo("netns path " + e.path() + " is missing");
    assertThat(checked.findings())
        .filteredOn(x -> x.subject().equals("namespace/" + epG.workloadId()))
        .singleElement()
        .extracting(Finding::evidence)
        .asString()
        .startsWith("netns path " + g.path() + " now names namespace ");
    assertThat(checked.found()).isTrue();
    JsonNode json = new ObjectMapper().readTree(checked.json());
    assertThat(json.path("findings").size()).isEqualTo(8);
    System.out.print(checked.table());

    // --repair with the default grace: everything is younger than 15 minutes; nothing changes
    List<String> before = calicoState();
    List<String> linksBefore = IpOracle.linkNames(hostNs.name(), "cali");
    CheckReport young = calico.checkIpam(CheckOptions.builder().repair(true).build());
    assertThat(young.repairs()).extracting(Repair::outcome).containsOnly(Repair.Outcome.TOO_YOUNG);
    assertThat(calicoState()).isEqualTo(before);
    assertThat(IpOracle.linkNames(hostNs.name(), "cali"))
        .containsExactlyInAnyOrderElementsOf(linksBefore);
    assertThat(etcd().keys("/calicoj/v1/check/" + HOST + "/"))
        .hasSize(5); // the ones without a time

    // --repair --grace 0: all of it is fixed
    CheckReport repaired =
        calico.checkIpam(CheckOptions.builder().repair(true).grace(Duration.ZERO).build());
    System.out.print(repaired.table());
    assertThat(repaired.repairs())
        .extracting(x -> x.finding().kind() + " " + x.outcome())
        .allMatch(s -> s.endsWith(" REPAIRED") || s.endsWith(" GONE"));
    assertThat(repaired.unresolved()).isEmpty();

    assertThat(repaired.repairs())
        .filteredOn(x -> x.finding().kind() == FindingKind.ENDPOINT_WITHOUT_LINK)
        .singleElement()
        .extracting(Repair::action)
        .asString()
        .startsWith("re-plumbed " + a.path() + ": a new veth " + epA.name());

    // etcd: a (re-plumbed, its workload alive) and f are left, whole
    assertThat(etcd().keys("/calico/v1/host/" + HOST + "/workload/"))
        .containsExactlyInAnyOrder(
            WorkloadEndpoints.keyOf(epA).path(), WorkloadEndpoints.keyOf(epF).path());
    assertThat(etcd().keys("/calicoj/v1/"))
        .containsExactlyInAnyOrder(
            CalicoKeys.workloadMarker(HOST, "namespace", epA.workloadId()).path(),
            CalicoKeys.workloadMarker(HOST, "namespace", epF.workloadId()).path());
    assertThat(ClientFixture.allocated(store))
        .extracting(InetAddresses::toAddrString)
        .containsExactlyInAnyOrder(ip(epA), ip(epF));
    assertThat(etcd().keys("/calico/ipam/v2/handle/"))
        .containsExactlyInAnyOrder(
            CalicoKeys.handle(Owners.handleId(HOST, "namespace", epA.workloadId())).path(),
            CalicoKeys.handle(Owners.handleId(HOST, "namespace", epF.workloadId())).path());
    // the kernel: a's new cali link and f's; d's leftover peer went with its pair; a has its
    // interface back with its address, and its endpoint names the new interface's MAC
    assertThat(IpOracle.linkNames(hostNs.name(), "cali"))
        .containsExactlyInAnyOrder(epA.name(), epF.name());
    assertThat(IpOracle.link(d.name(), "eth1")).isEmpty();
    assertThat(IpOracle.link(f.name(), "eth1")).isPresent();
    assertThat(IpOracle.addresses(a.name(), "eth1")).contains(ip(epA) + "/32");
    String newMac = IpOracle.link(a.name(), "eth1").orElseThrow().path("address").asText();
    assertThat(newMac).isNotEqualTo(epA.mac());
    assertThat(etcd().value(WorkloadEndpoints.keyOf(epA).path()))
        .contains("\"mac\": \"" + newMac + "\"");

    // a second run finds nothing
    assertThat(
            calico
                .checkIpam(CheckOptions.builder().repair(true).grace(Duration.ZERO).build())
                .findings())
        .isEmpty();
    assertThat(calico.checkIpam(CheckOptions.DEFAULT).findings()).isEmpty();
    // f still works as a workload: it is removed cleanly, which leaves its block empty and affine
    // to this host, with its marker, for the next add: nothing to report
    calico.removeContainer(f.path().toString());
    calico.removeContainer(a.path().toString());
    Cidr fBlock = Cidr.containing(epF.nets().get(0).address(), 26);
    assertThat(calico.checkIpam(CheckOptions.DEFAULT).found()).isFalse();
    assertThat(etcd().keys("/calico/ipam/"))
        .containsExactlyInAnyOrder(
            CalicoKeys.block(fBlock).path(), CalicoKeys.affinity(HOST, fBlock).path());
    assertThat(epA).isNotNull();
  }

  @Test
  void aReportOfAnotherRunIsRepairedOnlyWhereNothingChanged() {
    TestNamespace a = namespace();
    TestNamespace b = namespace();
    WorkloadEndpoint epA = add(a);
    WorkloadEndpoint epB = add(b);
    hostNs.ip("link", "del", epA.name());
    hostNs.ip("link", "del", epB.name());
    CheckReport checked = calico.checkIpam(CheckOptions.builder().grace(Duration.ZERO).build());
    assertThat(checked.findings())
        .extracting(Finding::kind)
        .containsExactly(FindingKind.ENDPOINT_WITHOUT_LINK, FindingKind.ENDPOINT_WITHOUT_LINK);
    // b is removed and added again between the check and the repair
    calico.removeContainer(b.path().toString());
    WorkloadEndpoint again = add(b);
    CheckReport repaired =
        IpamChecker.builder(store, HOST)
            .hostNamespace(hostNs.path())
            .ipam(calico.ipam())
            .build()
            .repair(checked);
    assertThat(repaired.repairs())
        .extracting(x -> x.finding().subject() + " " + x.outcome())
        .containsExactlyInAnyOrder(epA.endpointId() + " REPAIRED", epB.endpointId() + " GONE");
    assertThat(etcd().keys("/calico/v1/host/" + HOST + "/workload/"))
        .containsExactly(WorkloadEndpoints.keyOf(again).path());
    assertThat(ClientFixture.allocated(store))
        .extracting(InetAddresses::toAddrString)
        .containsExactly(ip(again));
    assertThat(IpOracle.linkNames(hostNs.name(), "cali")).containsExactly(again.name());
  }

  @Test
  void aContainerRemovedWithoutCalicoIsGoneAndAStoppedOneIsNot() throws Exception {
    Docker.requireDaemon();
    String removed = container();
    String stopped = container();
    String running = container();
    WorkloadEndpoint epRemoved = calico.addContainer(removed, "ipv4");
    WorkloadEndpoint epStopped = calico.addContainer(stopped, "ipv4");
    WorkloadEndpoint epRunning = calico.addContainer(running, "ipv4");
    Docker.docker("rm", "-f", removed);
    Docker.docker("stop", "-t", "1", stopped);
    awaitCaliLinks(1); // the kernel destroys a dead namespace's veths asynchronously
    assertThat(IpOracle.linkNames(hostNs.name(), "cali"))
        .as("the stopped and the removed container's links went with their namespaces")
        .containsExactly(epRunning.name());

    CheckReport checked = calico.checkIpam(CheckOptions.DEFAULT);
    assertThat(checked.findings())
        .extracting(Finding::kind)
        .containsExactly(FindingKind.WORKLOAD_GONE);
    Finding gone = checked.findings().get(0);
    assertThat(gone.subject()).isEqualTo("docker/" + epRemoved.workloadId());
    assertThat(gone.evidence())
        .isEqualTo(
            "container "
                + epRemoved.workloadId().substring(0, 12)
                + " does not exist (not in the Docker daemon's list)");
    assertThat(gone.details()).containsEntry("container", epRemoved.workloadId());

    CheckReport repaired =
        calico.checkIpam(CheckOptions.builder().repair(true).grace(Duration.ZERO).build());
    assertThat(repaired.repairs())
        .extracting(Repair::outcome)
        .containsExactly(Repair.Outcome.REPAIRED);
    String ipRemoved = InetAddresses.toAddrString(epRemoved.nets().get(0).address());
    assertThat(repaired.repairs().get(0).action()).contains("freed " + ipRemoved);
    // etcd: the removed container's endpoint, marker, allocation and handle are gone
    assertThat(ETCD.cluster().keys("/calico/v1/host/" + HOST + "/workload/"))
        .containsExactlyInAnyOrder(
            WorkloadEndpoints.keyOf(epStopped).path(), WorkloadEndpoints.keyOf(epRunning).path());
    assertThat(
            ETCD.cluster()
                .value(CalicoKeys.workloadMarker(HOST, "docker", epRemoved.workloadId()).path()))
        .isEmpty();
    assertThat(ETCD.cluster().keys("/calico/ipam/v2/handle/"))
        .containsExactlyInAnyOrder(
            CalicoKeys.handle(Owners.handleId(HOST, "docker", epStopped.workloadId())).path(),
            CalicoKeys.handle(Owners.handleId(HOST, "docker", epRunning.workloadId())).path());
    assertThat(ClientFixture.allocated(store))
        .extracting(InetAddresses::toAddrString)
        .doesNotContain(ipRemoved)
        .hasSize(2);
    assertThat(calico.checkIpam(CheckOptions.DEFAULT).findings()).isEmpty();
  }
}
