package io.github.calicoj.cni;

import static io.github.calicoj.cni.CniTestbed.allocated;
import static io.github.calicoj.cni.CniTestbed.assertNothingLeft;
import static io.github.calicoj.cni.CniTestbed.config;
import static io.github.calicoj.cni.CniTestbed.containerId;
import static io.github.calicoj.cni.CniTestbed.endpointKeys;
import static io.github.calicoj.cni.CniTestbed.json;
import static io.github.calicoj.cni.CniTestbed.resultAddress;
import static io.github.calicoj.cni.CniTestbed.withPrevResult;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.calicoj.cni.CniTestbed.Invocation;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.testkit.EtcdExtension;
import io.github.calicoj.testkit.IpOracle;
import io.github.calicoj.testkit.Processes;
import io.github.calicoj.testkit.Requirements;
import io.github.calicoj.testkit.TcpProxy;
import io.github.calicoj.testkit.TestNamespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The packaged launcher with the resident server: a {@link CniServer} in this JVM on a socket in a
 * temporary directory, against a real etcd member and real namespaces (root). ADD, CHECK and DEL
 * through it (state read back with {@code ip -j} and etcdctl), concurrent ADDs, an ADD with etcd
 * unreachable, the fallback to a JVM when nothing listens, and what the launcher prints when a
 * request was sent and no complete reply came back. Host ends live in a test host namespace.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CniServerIT {
  private static final String POOL = "10.128.0.0/16";
  private static final String NODE = "cjt-server-node";

  @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.single();

  private static TestNamespace hostNs;
  private static Path dir;
  private static CniServer server;

  private final List<TestNamespace> namespaces = new ArrayList<>();
  private String network;

  @BeforeAll
  static void setUp() throws IOException {
    CniTestbed.requirePlugin();
    Requirements.require(Requirements.onPath("curl") != null, "curl (apt-get install curl)");
    hostNs = CniTestbed.hostNamespace();
    CniTestbed.addPool(ETCD.cluster(), POOL);
    dir = Files.createTempDirectory("cjt-cni-server-");
    server = CniServer.builder().socket(dir.resolve("run/cni.sock")).build();
  }

  @AfterAll
  static void tearDown() throws IOException {
    try {
      if (server != null) {
        server.close();
        assertThat(server.socket()).doesNotExist();
      }
      if (hostNs != null) {
        hostNs.close();
      }
    } finally {
      if (dir != null) {
        try (Stream<Path> files = Files.walk(dir)) {
          files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
      }
    }
  }

  @BeforeEach
  void newNetwork() {
    network = "cjt-srv-" + containerId().substring(0, 6);
  }

  @AfterEach
  void removeNamespaces() {
    namespaces.forEach(TestNamespace::close);
  }

  private String conf(String extra) {
    return config("1.0.0", network, ETCD.endpoints(), hostNs.path(), NODE, extra);
  }

  /** A container: a namespace of its own and an id. */
  private final class Sandbox {
    final TestNamespace ns = TestNamespace.create();
    final String id = containerId();

    Sandbox() {
      namespaces.add(ns);
    }

    /**
     * Runs the launcher with {@code socket} as {@code CALICOJ_CNI_SOCKET} (null: unset, so the
     * configuration or the default decides) and {@code extraEnv}.
     */
    Invocation call(String command, String config, String socket, Map<String, String> extraEnv) {
      Map<String, String> env = CniTestbed.cniEnv(command, id, ns.path().toString(), "eth0", "");
      env.remove("CALICOJ_CNI_SOCKET");
      if (socket != null) {
        env.put("CALICOJ_CNI_SOCKET", socket);
      }
      env.putAll(extraEnv);
      return CniTestbed.exec(CniTestbed.PLUGIN, env, config);
    }

    /** Through the test's server. */
    Invocation call(String command, String config) {
      return call(command, config, server.socket().toString(), Map.of());
    }
  }

  /** Asserts the container's address per {@code ip -j}, and the host's route to it. */
  private static void assertPlumbed(Sandbox c, InetAddress addr, String cali) {
    assertThat(IpOracle.addresses(c.ns.name(), "eth0")).contains(addr.getHostAddress() + "/32");
    assertThat(IpOracle.routes(hostNs.name(), true))
        .anyMatch(
            rt ->
                rt.path("dst").asText().equals(addr.getHostAddress())
                    && rt.path("dev").asText().equals(cali));
  }

  private static String hostEnd(String result) {
    return json(result).path("interfaces").path(0).path("name").asText();
  }

  @Test
  void addCheckAndDelRunInTheServerOnOneWarmSession() {
    long served = server.requestsServed();
    Sandbox a = new Sandbox();
    Sandbox b = new Sandbox();
    String cfg = conf("");
    String outA = a.call("ADD", cfg).ok();
    String outB = b.call("ADD", cfg).ok();
    assertThat(server.requestsServed()).isEqualTo(served + 2);
    assertThat(server.cachedSessions()).isEqualTo(1);
    // Printed as the standalone plugin prints: one line, the result in the configuration's shape.
    assertThat(outA).endsWith("}\n");
    JsonNode r = a.call("ADD", cfg).json(); // a second ADD of one container: the plugin refuses it
    assertThat(r.path("code").asInt()).isEqualTo(103);

    InetAddress ipA = resultAddress(json(outA));
    InetAddress ipB = resultAddress(json(outB));
    assertThat(ipA).isNotEqualTo(ipB);
    assertThat(Cidr.parse(POOL).contains(ipA)).isTrue();
    assertPlumbed(a, ipA, hostEnd(outA));
    assertPlumbed(b, ipB, hostEnd(outB));
    assertThat(ETCD.cluster().value(endpointKeys(ETCD.cluster(), NODE, a.id).get(0)))
        .contains("\"ipv4_nets\": [\"" + ipA.getHostAddress() + "/32\"]")
        .contains("\"profile_ids\": [\"" + network + "\"]");
    assertThat(allocated(ETCD.cluster(), ipB)).isTrue();

    assertThat(a.call("CHECK", withPrevResult(cfg, outA)).ok()).isEmpty();
    assertThat(a.call("DEL", withPrevResult(cfg, outA)).ok()).isEmpty();
    assertThat(b.call("DEL", withPrevResult(cfg, outB)).ok()).isEmpty();
    assertThat(server.requestsServed()).isEqualTo(served + 6);
    assertThat(server.cachedSessions()).isEqualTo(1);
    assertNothingLeft(ETCD.cluster(), NODE, network, a.id, ipA, hostNs, hostEnd(outA));
    assertNothingLeft(ETCD.cluster(), NODE, network, b.id, ipB, hostNs, hostEnd(outB));
    assertThat(IpOracle.link(a.ns.name(), "eth0")).isEmpty();
  }

  @Test
  void concurrentAddsGetDistinctAddressesAndTheirDelsLeaveNothing() throws Exception {
    int n = 8;
    long served = server.requestsServed();
    List<Sandbox> boxes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      boxes.add(new Sandbox());
    }
    String cfg = conf("");
    List<String> caliBefore = IpOracle.linkNames(hostNs.name(), "cali");
    List<String> results = all(boxes, c -> c.call("ADD", cfg).ok());

    Set<InetAddress> ips = new HashSet<>();
    for (int i = 0; i < n; i++) {
      InetAddress ip = resultAddress(json(results.get(i)));
      ips.add(ip);
      assertPlumbed(boxes.get(i), ip, hostEnd(results.get(i)));
      assertThat(endpointKeys(ETCD.cluster(), NODE, boxes.get(i).id)).hasSize(1);
      assertThat(allocated(ETCD.cluster(), ip)).isTrue();
    }
    assertThat(ips).hasSize(n);
    assertThat(IpOracle.linkNames(hostNs.name(), "cali")).hasSize(caliBefore.size() + n);

    List<String> dels =
        all(boxes, c -> c.call("DEL", withPrevResult(cfg, results.get(boxes.indexOf(c)))).ok());
    assertThat(dels).allMatch(String::isEmpty);
    assertThat(server.requestsServed()).isEqualTo(served + 2 * n);
    for (int i = 0; i < n; i++) {
      String r = results.get(i);
      assertNothingLeft(
          ETCD.cluster(),
          NODE,
          network,
          boxes.get(i).id,
          resultAddress(json(r)),
          hostNs,
          hostEnd(r));
    }
    assertThat(IpOracle.linkNames(hostNs.name(), "cali")).isEqualTo(caliBefore);
  }

  /** Runs {@code call} for every container at once; the results in order. */
  private static List<String> all(List<Sandbox> boxes, Function<Sandbox, String> call)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(boxes.size());
    try {
      List<Future<String>> futures = new ArrayList<>();
      boxes.forEach(c -> futures.add(pool.submit(() -> call.apply(c))));
      List<String> out = new ArrayList<>();
      for (Future<String> f : futures) {
        out.add(f.get(2, TimeUnit.MINUTES));
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theConfigurationCanNameTheSocket() {
    long served = server.requestsServed();
    Sandbox c = new Sandbox();
    String cfg = conf(",\"cni_socket\": \"" + server.socket() + "\"");
    String out = c.call("ADD", cfg, null, Map.of()).ok();
    assertThat(server.requestsServed()).isEqualTo(served + 1);
    // The variable wins over the configuration: "off" runs the JVM.
    assertThat(c.call("DEL", withPrevResult(cfg, out), "off", Map.of()).ok()).isEmpty();
    assertThat(server.requestsServed()).isEqualTo(served + 1);
    assertNothingLeft(
        ETCD.cluster(), NODE, network, c.id, resultAddress(json(out)), hostNs, hostEnd(out));
  }

  @Test
  void withNothingListeningTheLauncherRunsTheJvm() throws IOException {
    long served = server.requestsServed();
    // A socket file nobody listens on (bound, then closed: the file stays), and no file at all.
    Path stale = dir.resolve("stale.sock");
    try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      dead.bind(UnixDomainSocketAddress.of(stale));
    }
    assertThat(stale).exists();
    for (String socket : List.of(stale.toString(), dir.resolve("absent.sock").toString())) {
      Sandbox c = new Sandbox();
      String cfg = conf("");
      Invocation add = c.call("ADD", cfg, socket, Map.of());
      String out = add.ok();
      assertThat(add.stderr()).as("curl's complaint about %s", socket).isNotNull();
      InetAddress ip = resultAddress(json(out));
      assertPlumbed(c, ip, hostEnd(out));
      assertThat(endpointKeys(ETCD.cluster(), NODE, c.id)).hasSize(1);
      assertThat(c.call("DEL", withPrevResult(cfg, out), socket, Map.of()).ok()).isEmpty();
      assertNothingLeft(ETCD.cluster(), NODE, network, c.id, ip, hostNs, hostEnd(out));
    }
    assertThat(server.requestsServed()).isEqualTo(served);
  }

  @Test
  void withoutCurlTheLauncherRunsTheJvm() throws IOException {
    long served = server.requestsServed();
    // A PATH with what the JVM path needs (readlink, java) and no curl.
    Path bin = Files.createDirectories(dir.resolve("bin-without-curl"));
    for (String tool : List.of("readlink", "java")) {
      Path target = Requirements.onPath(tool).toRealPath();
      Files.deleteIfExists(bin.resolve(tool));
      Files.createSymbolicLink(bin.resolve(tool), target);
    }
    Sandbox c = new Sandbox();
    String cfg = conf("");
    Map<String, String> path = Map.of("PATH", bin.toString());
    String out = c.call("ADD", cfg, server.socket().toString(), path).ok();
    assertThat(server.requestsServed()).isEqualTo(served);
    assertThat(endpointKeys(ETCD.cluster(), NODE, c.id)).hasSize(1);
    assertThat(c.call("DEL", withPrevResult(cfg, out), server.socket().toString(), path).ok())
        .isEmpty();
    assertNothingLeft(
        ETCD.cluster(), NODE, network, c.id, resultAddress(json(out)), hostNs, hostEnd(out));
  }

  @Test
  void withEtcdUnreachableAnAddFailsLeavesNothingAndTheDelThatFollowsSucceeds() {
    Sandbox c = new Sandbox();
    int port = URI.create(ETCD.endpoints().split(",")[0]).getPort();
    long served = server.requestsServed();
    try (TcpProxy proxy = TcpProxy.to(port)) {
      String cfg =
          config("1.0.0", network, "http://127.0.0.1:" + proxy.port(), hostNs.path(), NODE, "")
              .replace("\"etcd_timeout\":5", "\"etcd_timeout\":2");
      List<String> caliBefore = IpOracle.linkNames(hostNs.name(), "cali");
      proxy.cut();
      JsonNode e = c.call("ADD", cfg).error(11);
      assertThat(e.path("msg").asText())
          .startsWith("ADD of container " + c.id.substring(0, 12) + " failed: ")
          .contains("etcd http://127.0.0.1:" + proxy.port());
      assertThat(IpOracle.link(c.ns.name(), "eth0")).isEmpty();
      assertThat(IpOracle.linkNames(hostNs.name(), "cali")).isEqualTo(caliBefore);
      assertThat(endpointKeys(ETCD.cluster(), NODE, c.id)).isEmpty();
      assertThat(ETCD.cluster().keys(CalicoKeys.workloadMarker(NODE, "cni", c.id).path()))
          .isEmpty();
      assertThat(ETCD.cluster().keys(CalicoKeys.handle(network + "." + c.id).path())).isEmpty();
      // The runtime's DEL after the failed ADD: no prevResult, etcd still away, and it succeeds.
      assertThat(c.call("DEL", cfg).ok()).isEmpty();
      assertThat(server.requestsServed()).isEqualTo(served + 2);

      // Once etcd is back, the same ADD works on the same warm session.
      proxy.restore();
      String out = c.call("ADD", cfg).ok();
      c.call("DEL", withPrevResult(cfg, out)).ok();
      assertNothingLeft(
          ETCD.cluster(), NODE, network, c.id, resultAddress(json(out)), hostNs, hostEnd(out));
    }
  }

  @Test
  void aPeerThatIsNeitherRootNorTheServersUserIsRefused() throws IOException {
    Requirements.require(Requirements.onPath("setpriv") != null, "setpriv (util-linux)");
    long served = server.requestsServed();
    Path socket = server.socket();
    // For this test only, the kernel lets anyone reach the socket, so the server's check decides.
    List<Path> dirs = List.of(dir, socket.getParent());
    try {
      for (Path d : dirs) {
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx--x--x"));
      }
      Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
      // Twenty times: a refusal that closed before the request had come would reset the
      // connection now and then, and curl would report that it could not connect.
      for (int i = 0; i < 20; i++) {
        Processes.Result r =
            Processes.runForResult(
                List.of(
                    "setpriv",
                    "--reuid=65534",
                    "--regid=65534",
                    "--clear-groups",
                    "curl",
                    "-sS",
                    "--unix-socket",
                    socket.toString(),
                    "-w",
                    "\n%{http_code}",
                    "--data-binary",
                    "{}",
                    "-H",
                    "CNI_COMMAND: DEL",
                    "-H",
                    "CNI_CONTAINERID: cjt-nobody",
                    "http://localhost/cni"),
                Duration.ofSeconds(30));
        // The body (the error object and a newline), then curl's line with the status.
        assertThat(r.output())
            .as("curl as nobody; the path's modes: %s", modes(dir, socket.getParent(), socket))
            .matches(
                "\\{\"cniVersion\":\"1\\.0\\.0\",\"code\":4,\"msg\":\"User (nobody|65534) may not"
                    + " use the CNI server at "
                    + Pattern.quote(socket.toString())
                    + " \\(it serves root\\)\"\\}\n\n403");
      }
      assertThat(server.requestsServed()).isEqualTo(served);
    } finally {
      for (Path d : dirs) {
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
      }
      Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
    }
  }

  /** Each path with its mode, for a failure message. */
  private static String modes(Path... paths) {
    StringBuilder b = new StringBuilder();
    for (Path p : paths) {
      try {
        b.append(p)
            .append(' ')
            .append(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
            .append("; ");
      } catch (IOException e) {
        b.append(p).append(' ').append(e).append("; ");
      }
    }
    return b.toString();
  }

  /**
   * A listener that accepts one connection, reads the request's first bytes and then either holds
   * the connection without replying or closes it.
   */
  private static Thread fakeServer(ServerSocketChannel listener, boolean hold) {
    Thread t =
        new Thread(
            () -> {
              try (SocketChannel ch = listener.accept()) {
                ch.read(ByteBuffer.allocate(64));
                if (hold) {
                  Thread.sleep(30_000);
                }
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "cjt-fake-cni-server");
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Test
  void aRequestSentWithoutACompleteReplyIsAnErrorNamingTheSocket() throws Exception {
    Sandbox c = new Sandbox();
    String cfg = conf("");
    for (boolean hold : new boolean[] {true, false}) {
      Path socket = dir.resolve(hold ? "silent.sock" : "broken.sock");
      try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
        listener.bind(UnixDomainSocketAddress.of(socket));
        Thread fake = fakeServer(listener, hold);
        Invocation i = c.call("ADD", cfg, socket.toString(), Map.of("CALICOJ_CNI_TIMEOUT", "2"));
        JsonNode e = i.error(hold ? 11 : 5);
        // Closed with the request unread: an empty reply (52) or a reset (56), as timing has it.
        assertThat(e.path("msg").asText())
            .contains("the CNI server at " + socket)
            .containsPattern(hold ? "within 2 s \\(curl exit 28\\)" : "\\(curl exit 5[26]\\)")
            .endsWith("the request was sent and may have run");
        fake.interrupt();
        fake.join(10_000);
      } finally {
        Files.deleteIfExists(socket);
      }
    }
    // Nothing ran: no endpoint, no link.
    assertThat(endpointKeys(ETCD.cluster(), NODE, c.id)).isEmpty();
    assertThat(IpOracle.link(c.ns.name(), "eth0")).isEmpty();
  }
}
