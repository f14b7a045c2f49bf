package io.github.calicoj.core.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.net.InetAddresses;
import io.github.calicoj.core.AlreadyExistsException;
import io.github.calicoj.core.CalicoException.Reason;
import io.github.calicoj.core.WorkloadException;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.netns.NetnsSupport;
import io.github.calicoj.testkit.Docker;
import io.github.calicoj.testkit.EtcdExtension;
import io.github.calicoj.testkit.Processes;
import io.github.calicoj.testkit.Requirements;
import io.github.calicoj.testkit.TestNamespace;
import java.net.Inet4Address;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
 * CalicoClient with real Docker containers ({@code --net=none} busybox) resolved through the Engine
 * API, host ends in a test host namespace.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DockerClientIT {
  private static final String HOST = "cjt-docker-host";
  private static final String NEXT_HOP = "172.31.254.1";
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.single();

  private Datastore store;
  private TestNamespace hostNs;
  private CalicoClient calico;
  private final List<String> containers = new ArrayList<>();

  @BeforeEach
  void setUp() {
    Requirements.requireRoot();
    Requirements.require(NetnsSupport.isAvailable(), "netns support");
    Docker.requireDaemon();
    store = ClientFixture.freshStore(ETCD);
    hostNs = ClientFixture.hostNamespace(NEXT_HOP);
    calico = CalicoClient.builder(store, HOST).hostNamespace(hostNs.path()).build();
    calico.configureNode(NodeConfig.ipv4((Inet4Address) InetAddresses.forString(NEXT_HOP)));
    calico.ipPools().add(IpPool.of(Cidr.parse("10.130.0.0/16")));
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

  private String container(String network) {
    String name = Docker.newName();
    containers.add(name);
    Docker.runSleeping(name, network);
    return name;
  }

  @Test
  void addByNameThenPingThenRemove() throws Exception {
    String a = container("none");
    String b = container("none");
    String idA = Docker.docker("inspect", "--format", "{{.Id}}", a);
    String idB = Docker.docker("inspect", "--format", "{{.Id}}", b);
    WorkloadEndpoint epA = calico.addContainer(a, "10.130.0.1"); // by name
    WorkloadEndpoint epB = calico.addContainer(idB.substring(0, 12), "ipv4"); // by short id
    assertThat(epB.workloadId()).isEqualTo(idB);
    String c = container("none");
    String idC = Docker.docker("inspect", "--format", "{{.Id}}", c);
    WorkloadEndpoint epC = calico.addContainer(idC, "ipv4"); // by full id
    assertThat(epC.workloadId()).isEqualTo(idC);
    assertThat(calico.endpoint(c)).map(WorkloadEndpoint::endpointId).contains(epC.endpointId());
    calico.removeContainer(c);

    assertThat(epA.orchestratorId()).isEqualTo("docker");
    assertThat(epA.workloadId()).isEqualTo(idA).hasSize(64);
    String json =
        ETCD.cluster()
            .etcdctl(
                "get",
                "--print-value-only",
                CalicoKeys.endpoint(HOST, "docker", idA, epA.endpointId()).path())
            .trim();
    assertThat(json)
        .isEqualTo(
            "{\"state\": \"active\", \"name\": \"cali"
                + epA.endpointId().substring(0, 11)
                + "\", \"mac\": \""
                + epA.mac()
                + "\", \"profile_ids\": [], \"ipv4_nets\": [\"10.130.0.1/32\"],"
                + " \"ipv6_nets\": [], \"ipv4_gateway\": \""
                + NEXT_HOP
                + "\", \"ipv6_gateway\": null}");

    JsonNode link = JSON.readTree(Docker.ipJsonIn(a, "link", "show", "eth1")).get(0);
    assertThat(link.path("address").asText()).isEqualTo(epA.mac());
    assertThat(link.path("flags").toString()).contains("\"UP\"");
    assertThat(Docker.ipJsonIn(a, "-4", "addr", "show", "eth1"))
        .contains("\"local\":\"10.130.0.1\"", "\"prefixlen\":32");
    String routes = Docker.ipJsonIn(a, "-4", "route", "show");
    assertThat(routes)
        .contains("\"dst\":\"default\",\"gateway\":\"" + NEXT_HOP + "\",\"dev\":\"eth1\"");
    assertThat(routes).contains("\"dst\":\"" + NEXT_HOP + "\",\"dev\":\"eth1\",\"scope\":\"link\"");

    String ipB = epB.ipv4Nets().get(0).address().getHostAddress();
    Processes.Result ping =
        Processes.runForResult(
            List.of("docker", "exec", a, "ping", "-c", "1", "-W", "3", ipB),
            Duration.ofSeconds(20));
    assertThat(ping.exitCode()).as(ping.output()).isZero();

    assertThatThrownBy(() -> calico.addContainer(a, "ipv4"))
        .isInstanceOf(AlreadyExistsException.class)
        .hasMessage(a + " has already been configured with Calico Networking."); // as typed

    calico.removeContainer(a);
    ClientFixture.assertNothingLeft(store, HOST, "docker", idA, hostNs, null, epB.name());
    assertThat(Docker.ipJsonIn(b, "link", "show")).contains("eth1");
    // A container that no longer exists is removed by its full id.
    Docker.remove(b);
    calico.removeContainer(idB);
    ClientFixture.assertNothingLeft(store, HOST, "docker", idB, hostNs, null);
    assertThat(ClientFixture.allocated(store)).isEmpty();
  }

  @Test
  void aCallerWithoutPermissionOnTheSocketGetsTheReferencesMessage() throws Exception {
    // A socket of the test's own that only root may use (root itself ignores the mode, so the
    // probe runs as nobody), and a world-readable copy of what the probe needs to run.
    Path dir = Files.createTempDirectory("cjt-docker-perm-");
    Path sock = dir.resolve("docker.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(sock));
      Files.setPosixFilePermissions(sock, PosixFilePermissions.fromString("rw-------"));
      List<String> cp = new ArrayList<>();
      int i = 0;
      for (Class<?> c :
          List.of(
              DockerEngine.class,
              PermissionProbe.class,
              ObjectMapper.class,
              com.fasterxml.jackson.core.JsonFactory.class,
              com.fasterxml.jackson.annotation.JsonProperty.class)) {
        Path from = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path to = dir.resolve("cp" + i++);
        Processes.run(List.of("cp", "-r", from.toString(), to.toString()), Duration.ofSeconds(30));
        cp.add(to.toString());
      }
      Processes.run(List.of("chmod", "-R", "a+rX", dir.toString()), Duration.ofSeconds(10));
      Files.setPosixFilePermissions(sock, PosixFilePermissions.fromString("rw-------"));
      Processes.Result r =
          Processes.runForResult(
              List.of(
                  "setpriv",
                  "--reuid=65534",
                  "--regid=65534",
                  "--clear-groups",
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  String.join(":", new java.util.LinkedHashSet<>(cp)),
                  PermissionProbe.class.getName(),
                  "unix://" + sock),
              Duration.ofSeconds(60));
      assertThat(r.output().trim())
          .isEqualTo(
              "PERMISSION_DENIED: Unable to run command.  Re-run the command as root, or configure"
                  + " the docker group to run with sudo privileges (see docker installation guide"
                  + " for details). ("
                  + sock
                  + ")");
      assertThat(r.exitCode()).isZero();
    } finally {
      Processes.run(List.of("rm", "-rf", dir.toString()), Duration.ofSeconds(30));
    }
  }

  /** Run as another user by the test above: inspects through the socket given, prints the error. */
  public static final class PermissionProbe {
    private PermissionProbe() {}

    public static void main(String[] args) {
      try {
        new DockerEngine(args[0], Duration.ofSeconds(5)).inspect("anything");
        System.out.println("no error");
      } catch (WorkloadException e) {
        System.out.println(e.reason() + ": " + e.getMessage());
      }
    }
  }

  @Test
  void aRestartedContainerIsRePlumbedWithItsIpAndItsEndpointFollowsTheNewMac() throws Exception {
    String a = container("none");
    String b = container("none");
    WorkloadEndpoint epA = calico.addContainer(a, "ipv4");
    WorkloadEndpoint epB = calico.addContainer(b, "ipv4");
    assertThat(calico.restoreContainer(a).revision()).isEqualTo(epA.revision()); // in place
    Docker.docker("restart", "-t", "0", a); // a new network namespace, without eth1
    assertThat(Docker.ipJsonIn(a, "link", "show")).doesNotContain("eth1");

    WorkloadEndpoint restored = calico.restoreContainer(a);
    assertThat(restored.endpointId()).isEqualTo(epA.endpointId());
    assertThat(restored.nets()).isEqualTo(epA.nets());
    JsonNode link = JSON.readTree(Docker.ipJsonIn(a, "link", "show", "eth1")).get(0);
    assertThat(restored.mac()).isEqualTo(link.path("address").asText());
    assertThat(
            ETCD.cluster()
                .etcdctl(
                    "get",
                    "--print-value-only",
                    CalicoKeys.endpoint(HOST, "docker", epA.workloadId(), epA.endpointId()).path()))
        .contains("\"mac\": \"" + restored.mac() + "\"");
    String ipA = epA.ipv4Nets().get(0).address().getHostAddress();
    Processes.Result ping =
        Processes.runForResult(
            List.of("docker", "exec", b, "ping", "-c", "1", "-W", "3", ipA),
            Duration.ofSeconds(20));
    assertThat(ping.exitCode()).as(ping.output()).isZero();
    calico.removeContainer(a);
    calico.removeContainer(b);
    ClientFixture.assertNothingLeft(store, HOST, "docker", epA.workloadId(), hostNs, null);
    assertThat(ClientFixture.allocated(store)).isEmpty();
  }

  @Test
  void refusedContainersLeaveNothing() {
    String stopped = Docker.newName();
    containers.add(stopped);
    Docker.docker("create", "--net=none", "--name", stopped, Docker.IMAGE, "sleep", "3600");
    assertThatThrownBy(() -> calico.addContainer(stopped, "ipv4"))
        .isInstanceOfSatisfying(
            WorkloadException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_RUNNING))
        .hasMessage(stopped + " is not currently running.");

    String hostMode = container("host");
    assertThatThrownBy(() -> calico.addContainer(hostMode, "ipv4"))
        .isInstanceOf(WorkloadException.class)
        .hasMessage(
            "Can't add " + hostMode + " to Calico because it is running NetworkMode = host.");

    // A container sharing a host-mode container's network runs in the host's namespace: refused
    // by namespace identity (its network mode is "container:<id>", not "host").
    String sharing = Docker.newName();
    containers.add(sharing);
    Docker.docker(
        "run",
        "-d",
        "--net=container:" + hostMode,
        "--name",
        sharing,
        Docker.IMAGE,
        "sleep",
        "3600");
    assertThatThrownBy(() -> calico.addContainer(sharing, "ipv4"))
        .isInstanceOfSatisfying(
            WorkloadException.class, e -> assertThat(e.reason()).isEqualTo(Reason.HOST_NAMESPACE))
        .hasMessageContaining("Can't add " + sharing + " to Calico because its network namespace");

    assertThatThrownBy(() -> calico.addContainer("cjt-no-such-container", "ipv4"))
        .isInstanceOfSatisfying(
            WorkloadException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.CONTAINER_NOT_FOUND))
        .hasMessage("Container cjt-no-such-container was not found.");

    try (CalicoClient noDaemon =
        CalicoClient.builder(store, HOST).dockerHost("unix:///tmp/cjt-no-docker.sock").build()) {
      assertThatThrownBy(() -> noDaemon.addContainer("anything", "ipv4"))
          .isInstanceOfSatisfying(
              WorkloadException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.DAEMON_UNREACHABLE))
          .hasMessageContaining("Is the docker daemon running?");
    }
    assertThat(store.list(Key.of("/calico/v1/host/" + HOST + "/workload/")).isEmpty()).isTrue();
    assertThat(ClientFixture.allocated(store)).isEmpty();
  }
}
