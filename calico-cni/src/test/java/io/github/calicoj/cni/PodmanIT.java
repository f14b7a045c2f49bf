package io.github.calicoj.cni;

import static io.github.calicoj.cni.CniTestbed.allocated;
import static io.github.calicoj.cni.CniTestbed.assertNothingLeft;
import static io.github.calicoj.cni.CniTestbed.endpointKeys;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.testkit.EtcdExtension;
import io.github.calicoj.testkit.IpOracle;
import io.github.calicoj.testkit.TcpProxy;
import io.github.calicoj.testkit.TestNamespace;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The plugin under a real runtime: Debian's podman with the CNI backend (private configuration and
 * storage, see {@link Podman}) runs busybox containers on {@code calicoj-net}, against a real etcd
 * member; the host ends go into a test host namespace. No node agent runs here, so no policy is
 * enforced: reachability is Calico's routing (a /32 route per container on the host side, proxy ARP
 * for 169.254.1.1), not the network profile's rules.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@TestInstance(Lifecycle.PER_CLASS)
class PodmanIT {
  private static final String NETWORK = "calicoj-net";
  private static final String POOL = "10.127.0.0/16";
  static final String NODE = "cjt-podman-node";

  @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.single();

  private TestNamespace hostNs;
  Podman podman;
  private TcpProxy downProxy;
  private Path log;

  private final List<String> containers = new ArrayList<>();

  @BeforeAll
  void setUp() {
    CniTestbed.requirePlugin();
    Podman.require();
    hostNs = CniTestbed.hostNamespace();
    CniTestbed.addPool(ETCD.cluster(), POOL);
    podman = Podman.start(CniTestbed.PLUGIN.getParent());
    startServer();
    log = pluginLog();
    podman.addNetwork(NETWORK, conflist(NETWORK, ETCD.endpoints()));
    // A network whose etcd is behind a proxy the test cuts.
    downProxy = TcpProxy.to(URI.create(ETCD.endpoints().split(",")[0]).getPort());
    podman.addNetwork(
        "calicoj-down", conflist("calicoj-down", "http://127.0.0.1:" + downProxy.port()));
  }

  /** Starts the server, in a subclass that runs one. */
  void startServer() {}

  /** Stops the server a subclass started. */
  void stopServer() {}

  /** The configuration's {@code cni_socket}: off here, so the plugin runs in its own JVM. */
  String cniSocket() {
    return "off";
  }

  /** The log the cases read: here the configuration's {@code log_file_path}. */
  Path pluginLog() {
    return podman.dir().resolve("calico-cni.log");
  }

  /** The configuration's {@code log_file_path}. */
  Path standaloneLog() {
    return pluginLog();
  }

  /** The conflist of the README's "Use with podman (CNI)", with the test's settings. */
  private String conflist(String name, String endpoints) {
    return "{\"cniVersion\":\"1.0.0\",\"name\":\""
        + name
        + "\",\"plugins\":[{\"type\":\"calico-cni\",\"etcd_endpoints\":\""
        + endpoints
        + "\",\"etcd_timeout\":3,\"nodename\":\""
        + NODE
        + "\",\"host_netns\":\""
        + hostNs.path()
        + "\",\"log_level\":\"info\",\"log_file_path\":\""
        + standaloneLog()
        + "\",\"cni_socket\":\""
        + cniSocket()
        + "\",\"ipam\":{\"type\":\"calico-ipam\"}}]}";
  }

  @AfterAll
  void tearDown() {
    try {
      if (podman != null) {
        podman.close();
      }
    } finally {
      try {
        stopServer();
      } finally {
        if (downProxy != null) {
          downProxy.close();
        }
        if (hostNs != null) {
          hostNs.close();
        }
      }
    }
  }

  @AfterEach
  void removeContainers() {
    for (String c : containers) {
      podman.run("rm", "--force", "--time", "0", c);
    }
  }

  /** Starts a busybox container on {@code network}; returns its full id. */
  private String run(String name, String network, String... options) {
    containers.add(name);
    List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name));
    args.addAll(Podman.ULIMITS);
    args.addAll(List.of("--cap-add", "NET_RAW", "--network", network));
    args.addAll(List.of(options));
    args.addAll(List.of(Podman.IMAGE, "sleep", "600"));
    return podman.run(args.toArray(new String[0])).ok();
  }

  private static String name(String role) {
    return "cjt-" + CniTestbed.containerId().substring(0, 8) + "-" + role;
  }

  private InetAddress ipOf(String container) {
    return InetAddresses.forString(
        podman
            .run(
                "inspect",
                "--format",
                "{{(index .NetworkSettings.Networks \"" + NETWORK + "\").IPAddress}}",
                container)
            .ok());
  }

  private void assertPings(String from, InetAddress to) {
    Podman.Result ping =
        podman.run("exec", from, "ping", "-c", "1", "-W", "5", to.getHostAddress());
    assertThat(ping.exit())
        .as("ping %s from %s: %s%s", to, from, ping.stdout(), ping.stderr())
        .isZero();
    assertThat(ping.stdout()).contains("1 packets received");
  }

  /** The one cali link on the host side whose route leads to {@code ip}. */
  private String caliTo(InetAddress ip) {
    return IpOracle.routes(hostNs.name(), true).stream()
        .filter(r -> r.path("dst").asText().equals(ip.getHostAddress()))
        .map(r -> r.path("dev").asText())
        .findFirst()
        .orElseThrow(() -> new AssertionError("no host route to " + ip));
  }

  @Test
  void twoContainersGetCalicoAddressesAndReachEachOther() {
    String a = name("a");
    String b = name("b");
    String idA = run(a, NETWORK);
    String idB = run(b, NETWORK);
    InetAddress ipA = ipOf(a);
    InetAddress ipB = ipOf(b);
    assertThat(Cidr.parse(POOL).contains(ipA)).as("%s in %s", ipA, POOL).isTrue();
    assertThat(Cidr.parse(POOL).contains(ipB)).as("%s in %s", ipB, POOL).isTrue();
    assertThat(podman.run("exec", a, "ip", "-o", "-4", "addr", "show", "eth0").ok())
        .contains(ipA.getHostAddress() + "/32");
    // Each is a cni workload named by its full container id, on the network's profile.
    for (String id : List.of(idA, idB)) {
      List<String> keys = endpointKeys(ETCD.cluster(), NODE, id);
      assertThat(keys).hasSize(1);
      assertThat(ETCD.cluster().value(keys.get(0)))
          .contains("\"profile_ids\": [\"" + NETWORK + "\"]");
    }
    assertPings(a, ipB);
    assertPings(b, ipA);
  }

  @Test
  void ipOptionAssignsTheRequestedAddress() {
    String c = name("ip");
    String id = run(c, NETWORK, "--ip", "10.127.44.44");
    assertThat(ipOf(c)).isEqualTo(InetAddresses.forString("10.127.44.44"));
    assertThat(podman.run("exec", c, "ip", "-o", "-4", "addr", "show", "eth0").ok())
        .contains("10.127.44.44/32");
    assertThat(ETCD.cluster().value(endpointKeys(ETCD.cluster(), NODE, id).get(0)))
        .contains("\"ipv4_nets\": [\"10.127.44.44/32\"]");
  }

  @Test
  void removingTheContainerRunsDelWhichLeavesNothing() {
    String c = name("rm");
    String id = run(c, NETWORK);
    InetAddress ip = ipOf(c);
    String cali = caliTo(ip);
    assertThat(allocated(ETCD.cluster(), ip)).isTrue();
    podman.run("rm", "--force", "--time", "0", c).ok();
    assertNothingLeft(ETCD.cluster(), NODE, NETWORK, id, ip, hostNs, cali);
  }

  @Test
  void aNetworkReloadKeepsTheContainerReachable() {
    String a = name("a");
    String b = name("b");
    run(a, NETWORK);
    String idB = run(b, NETWORK, "--ip", "10.127.45.45");
    InetAddress ipB = ipOf(b);
    String before = caliTo(ipB);
    assertPings(a, ipB);

    podman.run("network", "reload", b).ok(); // DEL, then ADD
    assertThat(ipOf(b)).isEqualTo(ipB);
    String after = caliTo(ipB);
    assertThat(after).isNotEqualTo(before);
    assertThat(IpOracle.link(hostNs.name(), before)).isEmpty();
    assertThat(endpointKeys(ETCD.cluster(), NODE, idB)).hasSize(1);
    assertPings(a, ipB);
    assertPings(b, ipOf(a));
  }

  @Test
  void anAddWithEtcdUnreachableFailsLeavesNothingAndTheDelThatFollowsSucceeds() throws IOException {
    String c = name("down");
    containers.add(c);
    List<String> caliBefore = IpOracle.linkNames(hostNs.name(), "cali");
    downProxy.cut();
    try {
      List<String> args = new ArrayList<>(List.of("run", "-d", "--name", c));
      args.addAll(Podman.ULIMITS);
      args.addAll(List.of("--network", "calicoj-down", Podman.IMAGE, "sleep", "600"));
      Podman.Result r = podman.run(args.toArray(new String[0]));
      assertThat(r.exit()).as("podman run with etcd unreachable: %s", r.stderr()).isNotZero();
      assertThat(r.stderr())
          .contains("cni plugin calico-cni failed: ADD of container ")
          .contains("etcd http://127.0.0.1:" + downProxy.port())
          .doesNotContain("failed (delete)");
      String id = podman.run("inspect", "--format", "{{.Id}}", c).ok();

      // Nothing in etcd (read through the real member), nothing on the host side.
      assertThat(endpointKeys(ETCD.cluster(), NODE, id)).isEmpty();
      assertThat(ETCD.cluster().keys(CalicoKeys.workloadMarker(NODE, "cni", id).path())).isEmpty();
      assertThat(ETCD.cluster().keys(CalicoKeys.handle("calicoj-down." + id).path())).isEmpty();
      assertThat(IpOracle.linkNames(hostNs.name(), "cali")).isEqualTo(caliBefore);
      // podman ran DEL right after the failed ADD, etcd still unreachable, and it succeeded.
      String text = Files.readString(log);
      assertThat(text)
          .contains("error 11: ADD of container " + id.substring(0, 12) + " failed: ")
          .contains("[WARN] DelCommand - DEL " + id + ": etcd did not answer")
          .doesNotContain("DEL of container " + id.substring(0, 12) + ": error");
    } finally {
      downProxy.restore();
    }
  }
}
