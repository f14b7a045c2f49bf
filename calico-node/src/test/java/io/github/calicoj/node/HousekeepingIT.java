package io.github.calicoj.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.net.InetAddresses;
import io.github.calicoj.core.check.CheckReport;
import io.github.calicoj.core.check.FindingKind;
import io.github.calicoj.core.check.Repair;
import io.github.calicoj.core.client.CalicoClient;
import io.github.calicoj.core.client.NodeConfig;
import io.github.calicoj.core.client.Owners;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.ipam.AllocationBlock;
import io.github.calicoj.core.ipam.BlockJson;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.core.repository.WorkloadEndpoints;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.etcd.EtcdTestClients;
import io.github.calicoj.testkit.Docker;
import io.github.calicoj.testkit.EtcdCluster;
import io.github.calicoj.testkit.EtcdExtension;
import io.github.calicoj.testkit.IpOracle;
import io.github.calicoj.testkit.Processes;
import io.github.calicoj.testkit.TestNamespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The agent's housekeeping with real parts (etcd, dockerd, the kernel; root): with the Docker
 * follower on by default, {@code docker rm -f} of a container added with {@link CalicoClient} takes
 * its endpoint, allocation, handle, marker and veth away, and {@code docker restart} gets it
 * re-plumbed with the same IP, its endpoint's MAC that of the new {@code eth1} and the agent's
 * policy letting a ping through again; with a short sweep interval, leaks planted in etcd and the
 * kernel are repaired by the agent alone, a healthy workload untouched; with the default grace a
 * fresh leak is left alone. Results read back from etcd (etcdctl) and {@code ip -j}; the host ends
 * live in a test host namespace.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class HousekeepingIT {
  @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.single();

  private static final String HOST = "cjt-care-host";
  private static final String NEXT_HOP = "172.31.252.1";
  private static final String POOL = "10.133.0.0/16";

  /** The bound on the follower's reaction, from the docker command's return. */
  private static final Duration FOLLOWER_BOUND = Duration.ofSeconds(2);

  private static final ObjectMapper JSON = new ObjectMapper();

  private Datastore store;
  private TestNamespace hostNs;
  private CalicoClient calico;
  private CalicoNode agent;
  private final List<TestNamespace> namespaces = new ArrayList<>();
  private final List<String> containers = new ArrayList<>();
  private final List<CheckReport> sweeps = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    TwoHosts.requireAll();
    store = EtcdTestClients.connect(ETCD.endpoints());
    store.deletePrefix(Key.of("/calico/"));
    store.deletePrefix(Key.of("/calicoj/"));
    hostNs = TestNamespace.createHost(NEXT_HOP);
    calico = CalicoClient.builder(store, HOST).hostNamespace(hostNs.path()).build();
    calico.configureNode(NodeConfig.ipv4((Inet4Address) InetAddress.getByName(NEXT_HOP)));
    calico.ipPools().add(IpPool.of(Cidr.parse(POOL)));
    calico.profiles().create("P");
  }

  @AfterEach
  void tearDown() {
    if (agent != null) {
      agent.close();
    }
    containers.forEach(Docker::remove);
    if (calico != null) {
      calico.close();
    }
    namespaces.forEach(TestNamespace::close);
    if (hostNs != null) {
      hostNs.close();
    }
    if (store != null) {
      store.close();
    }
  }

  /** The agent of {@link #HOST} with {@code options} applied, started and in sync. */
  private CalicoNode startAgent(Consumer<CalicoNode.Builder> options) {
    CalicoNode.Builder b =
        CalicoNode.builder(store, HOST)
            .hostNamespace(hostNs.path())
            .reconcileInterval(Duration.ofSeconds(1))
            .removeOnClose(true)
            .onSweep(sweeps::add);
    options.accept(b);
    agent = b.build();
    agent.start();
    assertThat(agent.awaitInSync(Duration.ofSeconds(20))).as("%s", agent.status()).isTrue();
    return agent;
  }

  private String container() {
    String name = Docker.newName();
    containers.add(name);
    Docker.runSleeping(name, "none");
    return name;
  }

  private TestNamespace namespace() {
    TestNamespace n = TestNamespace.create();
    namespaces.add(n);
    n.ip("link", "set", "lo", "up");
    return n;
  }

  private EtcdCluster etcd() {
    return ETCD.cluster();
  }

  private static String ip(WorkloadEndpoint ep) {
    return InetAddresses.toAddrString(ep.ipv4Nets().get(0).address());
  }

  /** The addresses allocated in every IPv4 block, read back from etcd with etcdctl. */
  private List<String> allocated() {
    List<String> out = new ArrayList<>();
    for (String k : etcd().keys("/calico/ipam/v2/assignment/ipv4/block/")) {
      AllocationBlock b = BlockJson.read(etcd().value(k));
      b.allocatedAddresses().forEach(a -> out.add(InetAddresses.toAddrString(a)));
    }
    return out;
  }

  private static String handleKey(String orchestrator, String workload) {
    return CalicoKeys.handle(Owners.handleId(HOST, orchestrator, workload)).path();
  }

  private static void awaitTrue(Duration within, BooleanSupplier condition, String what) {
    long until = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - until).as("%s within %s", what, within).isNegative();
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  @Test
  void dockerRmFTakesTheEndpointAllocationHandleAndVethAwayWithinTwoSeconds() {
    String a = container();
    String keep = container();
    WorkloadEndpoint ep = calico.addContainer(a, "ipv4");
    WorkloadEndpoint kept = calico.addContainer(keep, "ipv4");
    String endpointKey = WorkloadEndpoints.keyOf(ep).path();
    String handle = handleKey("docker", ep.workloadId());
    assertThat(etcd().value(endpointKey)).isNotEmpty();
    assertThat(etcd().value(handle)).isNotEmpty();
    assertThat(IpOracle.link(hostNs.name(), ep.name())).isPresent();
    startAgent(b -> {}); // the follower is on by default: the daemon's socket is there

    Docker.docker("rm", "-f", a);
    awaitTrue(
        FOLLOWER_BOUND,
        () ->
            store.get(Key.of(endpointKey)).isEmpty()
                && store.get(Key.of(handle)).isEmpty()
                && IpOracle.link(hostNs.name(), ep.name()).isEmpty(),
        "endpoint, handle and veth gone");

    assertThat(etcd().keys("/calico/v1/host/" + HOST + "/workload/"))
        .containsExactly(WorkloadEndpoints.keyOf(kept).path());
    assertThat(etcd().value(handle)).isEmpty();
    assertThat(etcd().value(CalicoKeys.workloadMarker(HOST, "docker", ep.workloadId()).path()))
        .isEmpty();
    assertThat(allocated()).containsExactly(ip(kept));
    assertThat(IpOracle.linkNames(hostNs.name(), "cali")).containsExactly(kept.name());
  }

  @Test
  void dockerRestartGetsTheSameIpAndTheNewMacAndTrafficFlowsAgain() throws Exception {
    String a = container();
    String b = container();
    WorkloadEndpoint epA = calico.addContainer(a, "ipv4");
    calico.addContainer(b, "ipv4");
    calico.appendProfiles(a, List.of("P"));
    calico.appendProfiles(b, List.of("P"));
    startAgent(x -> x.followDocker(true));
    assertThat(ping(b, ip(epA))).as("B -> A before the restart").isTrue();
    String macBefore = eth1(a).path("address").asText();

    Docker.docker("restart", "-t", "0", a);
    awaitTrue(
        FOLLOWER_BOUND,
        () -> {
          try {
            String addrs = Docker.ipJsonIn(a, "-4", "addr", "show", "dev", "eth1");
            return addrs.contains("\"" + ip(epA) + "\"")
                && calico
                    .endpoint(a)
                    .map(e -> e.mac().equals(eth1(a).path("address").asText()))
                    .orElse(false);
          } catch (RuntimeException e) { // not running yet, or eth1 not there yet
            return false;
          }
        },
        "eth1 back with its IP and the endpoint's MAC updated");

    String macAfter = eth1(a).path("address").asText();
    assertThat(macAfter).isNotEqualTo(macBefore);
    JsonNode stored = JSON.readTree(etcd().value(WorkloadEndpoints.keyOf(epA).path()));
    assertThat(stored.path("mac").asText()).isEqualTo(macAfter);
    assertThat(stored.path("ipv4_nets").toString()).contains(ip(epA) + "/32");
    assertThat(IpOracle.link(hostNs.name(), epA.name())).isPresent();
    // the agent follows the endpoint's new MAC: B reaches A again (bounded retries while it
    // applies)
    awaitTrue(Duration.ofSeconds(15), () -> ping(b, ip(epA)), "B -> A after the restart");
  }

  private static JsonNode eth1(String container) {
    try {
      return JSON.readTree(Docker.ipJsonIn(container, "link", "show", "eth1")).get(0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean ping(String from, String ip) {
    return Processes.runForResult(
                List.of("docker", "exec", from, "ping", "-c", "1", "-W", "1", ip),
                Duration.ofSeconds(20))
            .exitCode()
        == 0;
  }

  @Test
  void theSweepRepairsPlantedLeaksWithoutAnyCommandAndLeavesAHealthyWorkload() {
    // a bare allocation, as a crash between IPAM and the endpoint write leaves it
    InetAddress bare = InetAddresses.forString("10.133.7.7");
    calico.ipam().assign(bare, HOST, Owners.of(HOST, "namespace", "cjt-crashed-add"));
    // a workload whose endpoint key was deleted alone: allocation, marker and cali link left
    TestNamespace lost = namespace();
    WorkloadEndpoint epLost = calico.addContainer(lost.path().toString(), "ipv4");
    etcd().etcdctl("del", WorkloadEndpoints.keyOf(epLost).path());
    // a healthy workload
    TestNamespace healthy = namespace();
    WorkloadEndpoint epHealthy = calico.addContainer(healthy.path().toString(), "ipv4");
    assertThat(allocated()).contains("10.133.7.7", ip(epLost), ip(epHealthy));

    startAgent(
        x -> x.followDocker(false).sweepInterval(Duration.ofMillis(500)).sweepGrace(Duration.ZERO));
    awaitTrue(
        Duration.ofSeconds(30),
        () ->
            sweeps.stream().anyMatch(r -> !r.repairs().isEmpty())
                && !sweeps.get(sweeps.size() - 1).found(),
        "a sweep that repaired, then one that finds nothing");

    CheckReport repaired =
        sweeps.stream().filter(r -> !r.repairs().isEmpty()).findFirst().orElseThrow();
    assertThat(repaired.repairs())
        .extracting(r -> r.finding().kind() + " " + r.outcome())
        .contains(
            FindingKind.ALLOCATION_WITHOUT_ENDPOINT + " " + Repair.Outcome.REPAIRED,
            FindingKind.LINK_WITHOUT_ENDPOINT + " " + Repair.Outcome.REPAIRED);
    // etcd: only the healthy workload is left, whole
    assertThat(allocated()).containsExactly(ip(epHealthy));
    assertThat(etcd().keys("/calico/v1/host/" + HOST + "/workload/"))
        .containsExactly(WorkloadEndpoints.keyOf(epHealthy).path());
    assertThat(etcd().keys("/calico/ipam/v2/handle/"))
        .containsExactly(handleKey("namespace", epHealthy.workloadId()));
    assertThat(etcd().keys("/calicoj/v1/workload/"))
        .containsExactly(
            CalicoKeys.workloadMarker(HOST, "namespace", epHealthy.workloadId()).path());
    // the kernel: the lost workload's veth is gone, the healthy one's is there
    assertThat(IpOracle.linkNames(hostNs.name(), "cali")).containsExactly(epHealthy.name());
    assertThat(IpOracle.link(healthy.name(), "eth1")).isPresent();
  }

  @Test
  void withTheDefaultGraceAFreshLeakIsLeftAlone() {
    InetAddress bare = InetAddresses.forString("10.133.7.8");
    calico.ipam().assign(bare, HOST, Owners.of(HOST, "namespace", "cjt-fresh-leak"));
    String handle = handleKey("namespace", "cjt-fresh-leak");
    List<String> before = etcd().keys("/calico/ipam/");

    startAgent(x -> x.followDocker(false).sweepInterval(Duration.ofMillis(300)));
    awaitTrue(Duration.ofSeconds(30), () -> sweeps.size() >= 2, "two sweeps");

    for (CheckReport r : sweeps.subList(0, 2)) {
      assertThat(r.repairs())
          .extracting(x -> x.finding().kind() + " " + x.finding().subject() + " " + x.outcome())
          .containsExactly(
              FindingKind.ALLOCATION_WITHOUT_ENDPOINT + " 10.133.7.8 " + Repair.Outcome.TOO_YOUNG);
    }
    assertThat(allocated()).containsExactly("10.133.7.8");
    assertThat(etcd().value(handle)).isNotEmpty();
    assertThat(etcd().keys("/calico/ipam/")).containsExactlyElementsOf(before);
  }
}
