package io.github.calicoj.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.net.InetAddresses;
import io.github.calicoj.core.client.CalicoClient;
import io.github.calicoj.core.client.DockerEngine;
import io.github.calicoj.core.client.NodeConfig;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.ipam.AllocationBlock;
import io.github.calicoj.core.ipam.BlockJson;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.etcd.EtcdClientKind;
import io.github.calicoj.datastore.etcd.EtcdTestClients;
import io.github.calicoj.netns.NetnsSupport;
import io.github.calicoj.testkit.Docker;
import io.github.calicoj.testkit.EtcdExtension;
import io.github.calicoj.testkit.IpOracle;
import io.github.calicoj.testkit.Processes;
import io.github.calicoj.testkit.Requirements;
import io.github.calicoj.testkit.TestNamespace;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Docker follower with a real dockerd and etcd: {@code docker rm -f} removes a container's
 * Calico state, {@code docker restart} re-plumbs it, and what happened while the follower was down
 * is reconciled when it starts. Host ends in a test host namespace.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DockerFollowerIT {
  private static final String HOST = "cjt-follow-host";
  private static final String NEXT_HOP = "172.31.253.1";

  /** Generous for a loaded CI machine; the reaction time itself is measured by a benchmark. */
  private static final Duration WITHIN = Duration.ofSeconds(10);

  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.single();

  private Datastore store;
  private TestNamespace hostNs;
  private CalicoClient calico;
  private final List<String> containers = new ArrayList<>();
  private final List<DockerFollower.Action> actions = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    Requirements.requireRoot();
    Requirements.require(NetnsSupport.isAvailable(), "netns support");
    Docker.requireDaemon();
    store = EtcdTestClients.connect(EtcdClientKind.JETCD, ETCD.endpoints());
    store.deletePrefix(Key.of("/calico/"));
    store.deletePrefix(Key.of("/calicoj/"));
    hostNs = TestNamespace.createHost(NEXT_HOP);
    calico = CalicoClient.builder(store, HOST).hostNamespace(hostNs.path()).build();
    calico.configureNode(NodeConfig.ipv4((Inet4Address) InetAddresses.forString(NEXT_HOP)));
    calico.ipPools().add(IpPool.of(Cidr.parse("10.131.0.0/16")));
  }

  @AfterEach
  void tearDown() {
    containers.forEach(Docker::remove);
    if (calico != null) {
      calico.close();
    }
    if (hostNs != null) {
      hostNs.close();
    }
    if (store != null) {
      store.close();
    }
  }

  private String container() {
    String name = Docker.newName();
    containers.add(name);
    Docker.runSleeping(name, "none");
    return name;
  }

  private DockerFollower follower() {
    return DockerFollower.builder(calico, DockerEngine.fromEnvironment(Duration.ofSeconds(10)))
        .reconnectAfter(Duration.ofMillis(200))
        .onAction(actions::add)
        .build();
  }

  @Test
  void aContainerRemovedWithDockerRmLosesItsEndpointIpHandleAndVeth() {
    String a = container();
    WorkloadEndpoint ep = calico.addContainer(a, "ipv4");
    String handle = "calicoj." + HOST + ".docker." + ep.workloadId();
    assertThat(store.get(CalicoKeys.handle(handle))).isPresent();
    try (DockerFollower f = follower().start()) {
      Docker.docker("rm", "-f", a);
      awaitTrue(() -> store.list(CalicoKeys.workload(HOST, "docker", ep.workloadId())).isEmpty());
    }
    assertThat(allocated()).isEmpty();
    assertThat(store.get(CalicoKeys.handle(handle))).isEmpty();
    assertThat(store.get(CalicoKeys.workloadMarker(HOST, "docker", ep.workloadId()))).isEmpty();
    assertThat(IpOracle.linkNames(hostNs.name(), "cali")).isEmpty();
    assertThat(actionsOf(DockerFollower.Action.Kind.REMOVED)).containsExactly(ep.workloadId());
  }

  @Test
  void aRestartedContainerGetsItsInterfaceAndIpBackAndIsReachable() throws Exception {
    String a = container();
    String b = container();
    WorkloadEndpoint epA = calico.addContainer(a, "ipv4");
    calico.addContainer(b, "ipv4");
    try (DockerFollower f = follower().start()) {
      Docker.docker("restart", "-t", "0", a);
      awaitTrue(() -> Docker.ipJsonIn(a, "link", "show").contains("\"eth1\""));
      awaitTrue(
          () ->
              Docker.ipJsonIn(a, "-4", "addr", "show")
                  .contains(epA.ipv4Nets().get(0).address().getHostAddress()));
    }
    JsonNode link = JSON.readTree(Docker.ipJsonIn(a, "link", "show", "eth1")).get(0);
    awaitTrue(
        () ->
            calico
                .endpoint(a)
                .map(e -> e.mac().equals(link.path("address").asText()))
                .orElse(false));
    Processes.Result ping =
        Processes.runForResult(
            List.of(
                "docker",
                "exec",
                b,
                "ping",
                "-c",
                "1",
                "-W",
                "3",
                epA.ipv4Nets().get(0).address().getHostAddress()),
            Duration.ofSeconds(20));
    assertThat(ping.exitCode()).as(ping.output()).isZero();
    assertThat(actionsOf(DockerFollower.Action.Kind.RESTORED)).contains(epA.workloadId());
  }

  @Test
  void whatHappenedWhileTheFollowerWasDownIsReconciledWhenItStarts() {
    String a = container();
    String b = container();
    WorkloadEndpoint epA = calico.addContainer(a, "ipv4");
    WorkloadEndpoint epB = calico.addContainer(b, "ipv4");
    Docker.docker("rm", "-f", a); // nobody follows
    Docker.docker("restart", "-t", "0", b);
    assertThat(store.list(CalicoKeys.workload(HOST, "docker", epA.workloadId())).isEmpty())
        .isFalse();
    try (DockerFollower f = follower().start()) {
      awaitTrue(() -> store.list(CalicoKeys.workload(HOST, "docker", epA.workloadId())).isEmpty());
      awaitTrue(() -> Docker.ipJsonIn(b, "link", "show").contains("\"eth1\""));
    }
    assertThat(allocated()).containsExactly(epB.ipv4Nets().get(0).address());
  }

  private List<String> actionsOf(DockerFollower.Action.Kind kind) {
    List<String> out = new ArrayList<>();
    actions.stream().filter(x -> x.kind() == kind).forEach(x -> out.add(x.containerId()));
    return out;
  }

  private List<InetAddress> allocated() {
    List<InetAddress> out = new ArrayList<>();
    for (KeyValue kv : store.list(CalicoKeys.blocks(4)).entries()) {
      AllocationBlock blk = BlockJson.read(kv.value());
      out.addAll(blk.allocatedAddresses());
    }
    return out;
  }

  private static void awaitTrue(BooleanSupplier condition) {
    long until = System.nanoTime() + WITHIN.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - until).as("condition within %s", WITHIN).isNegative();
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
