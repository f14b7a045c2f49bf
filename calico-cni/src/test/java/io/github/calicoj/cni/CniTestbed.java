package io.github.calicoj.cni;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.net.InetAddresses;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.ipam.AllocationBlock;
import io.github.calicoj.core.ipam.BlockJson;
import io.github.calicoj.testkit.EtcdCluster;
import io.github.calicoj.testkit.IpOracle;
import io.github.calicoj.testkit.Processes;
import io.github.calicoj.testkit.Requirements;
import io.github.calicoj.testkit.TestNamespace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What the plugin's ITs share: the packaged launcher ({@code target/calico-cni}, next to the jar
 * and {@code lib/}) run as a runtime runs it, a test "host" namespace for the host ends, and the
 * oracles that read etcd and the kernel back.
 */
final class CniTestbed {
  /**
   * The launcher that {@code mvn package} puts in the plugin directory {@code target/}: beside
   * {@code target/test-classes}, where this class is, whatever the working directory.
   */
  static final Path PLUGIN = targetDir().resolve("calico-cni");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  private CniTestbed() {}

  private static Path targetDir() {
    try {
      Path classes =
          Path.of(CniTestbed.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return classes.toAbsolutePath().getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Requires root, and the plugin built by {@code mvn package}. */
  static void requirePlugin() {
    Requirements.requireRoot();
    Requirements.require(
        Files.isExecutable(PLUGIN) && Files.exists(PLUGIN.resolveSibling("calico-cni.jar")),
        "the packaged plugin " + PLUGIN + " (mvn package)");
  }

  /**
   * A test "host" namespace as a Calico node has it: {@code lo} up, forwarding on, and a default
   * route (over a veth pair of its own), without which the host does not answer proxy ARP for
   * 169.254.1.1.
   */
  static TestNamespace hostNamespace() {
    TestNamespace h = TestNamespace.create();
    h.ip("link", "set", "lo", "up");
    h.ip("link", "add", "cjtdflt0", "type", "veth", "peer", "name", "cjtdflt1");
    h.ip("link", "set", "cjtdflt1", "up");
    h.ip("link", "set", "cjtdflt0", "up");
    h.ip("route", "add", "default", "dev", "cjtdflt0");
    Processes.run(
        List.of("ip", "netns", "exec", h.name(), "sysctl", "-qw", "net.ipv4.ip_forward=1"),
        Duration.ofSeconds(10));
    return h;
  }

  /** Adds an IPv4 pool by writing its key, as {@code calicoctl pool add} does. */
  static void addPool(EtcdCluster etcd, String cidr) {
    etcd.etcdctl(
        "put", "/calico/v1/ipam/v4/pool/" + cidr.replace('/', '-'), "{\"cidr\": \"" + cidr + "\"}");
  }

  /** A container id as runtimes make them: 64 hex digits. */
  static String containerId() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** A plugin configuration: {@code extra} is spliced in as further members (comma-led JSON). */
  static String config(
      String version, String network, String endpoints, Path hostNetns, String node, String extra) {
    return "{\"cniVersion\":\""
        + version
        + "\",\"name\":\""
        + network
        + "\",\"type\":\"calico-cni\",\"etcd_endpoints\":\""
        + endpoints
        + "\",\"etcd_timeout\":5,\"nodename\":\""
        + node
        + "\",\"host_netns\":\""
        + hostNetns
        + "\",\"ipam\":{\"type\":\"calico-ipam\"}"
        + extra
        + "}";
  }

  /** The same configuration with {@code prevResult} added. */
  static String withPrevResult(String config, String result) {
    return config.substring(0, config.length() - 1) + ",\"prevResult\":" + result.strip() + "}";
  }

  /**
   * One run of a plugin.
   *
   * @param exit the exit status
   * @param stdout everything on stdout
   * @param stderr everything on stderr
   * @param nanos the wall time from the process's start to its exit
   */
  record Invocation(int exit, String stdout, String stderr, long nanos) {
    /** stdout as the one JSON document it must be. */
    JsonNode json() {
      assertThat(stdout.strip()).as("stdout is one line, stderr: %s", stderr).doesNotContain("\n");
      return CniTestbed.json(stdout);
    }

    /** Asserts success and returns stdout. */
    String ok() {
      assertThat(exit).as("exit status; stdout: %s; stderr: %s", stdout, stderr).isZero();
      return stdout;
    }

    /** Asserts an error with {@code code} and returns the error object. */
    JsonNode error(int code) {
      assertThat(exit).as("exit status; stdout: %s; stderr: %s", stdout, stderr).isEqualTo(1);
      JsonNode e = json();
      assertThat(e.path("code").asInt()).as("code of %s", e).isEqualTo(code);
      return e;
    }
  }

  /**
   * The {@code CNI_*} variables of one call, as a runtime sets them, and {@code
   * CALICOJ_CNI_SOCKET=off} (tests of the server replace it).
   */
  static Map<String, String> cniEnv(
      String command, String containerId, String netns, String ifname, String args) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("CNI_COMMAND", command);
    env.put("CNI_CONTAINERID", containerId);
    env.put("CNI_NETNS", netns);
    env.put("CNI_IFNAME", ifname);
    env.put("CNI_ARGS", args);
    env.put("CNI_PATH", PLUGIN.getParent() + ":/usr/lib/cni");
    // The plugin in a JVM of its own, whatever server may listen on the default socket.
    env.put("CALICOJ_CNI_SOCKET", "off");
    return env;
  }

  /** Runs the launcher as a runtime does: {@code CNI_*} variables, the configuration on stdin. */
  static Invocation invoke(
      String command, String containerId, String netns, String ifname, String args, String stdin) {
    return exec(PLUGIN, cniEnv(command, containerId, netns, ifname, args), stdin);
  }

  /**
   * Runs {@code plugin} with exactly {@code env} (and PATH) and {@code stdin}, for at most a
   * minute.
   */
  static Invocation exec(Path plugin, Map<String, String> env, String stdin) {
    ProcessBuilder pb = new ProcessBuilder(plugin.toString());
    pb.environment().clear();
    pb.environment().put("PATH", System.getenv("PATH"));
    pb.environment().putAll(env);
    long start = System.nanoTime();
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    CompletableFuture<byte[]> err =
        CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
    try (OutputStream in = p.getOutputStream()) {
      in.write(stdin.getBytes(UTF_8));
    } catch (IOException e) {
      // the launcher answers VERSION without reading stdin; the exit status tells the rest
    }
    byte[] out = readAll(p.getInputStream());
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(plugin + " did not finish in 60 s: " + env);
      }
      long nanos = System.nanoTime() - start;
      return new Invocation(
          p.exitValue(),
          new String(out, UTF_8),
          new String(err.get(10, TimeUnit.SECONDS), UTF_8),
          nanos);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] readAll(InputStream in) {
    try (in) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The endpoint keys of a CNI workload on {@code node}, read back with etcdctl. */
  static List<String> endpointKeys(EtcdCluster etcd, String node, String containerId) {
    return etcd.keys(CalicoKeys.workload(node, "cni", containerId).path());
  }

  /** Whether IPAM holds {@code ip}, read back from its block's key. */
  static boolean allocated(EtcdCluster etcd, InetAddress ip) {
    String json = etcd.value(CalicoKeys.block(AllocationBlock.blockFor(ip)).path());
    return !json.isEmpty() && BlockJson.read(json).allocatedAddresses().contains(ip);
  }

  /** The address of a one-address result. */
  static InetAddress resultAddress(JsonNode result) {
    String cidr = result.path("ips").path(0).path("address").asText();
    return InetAddresses.forString(cidr.substring(0, cidr.indexOf('/')));
  }

  /**
   * Asserts that nothing of the container is left: no endpoint, marker, handle, address or link.
   */
  static void assertNothingLeft(
      EtcdCluster etcd,
      String node,
      String network,
      String containerId,
      InetAddress ip,
      TestNamespace hostNs,
      String caliLink) {
    assertThat(endpointKeys(etcd, node, containerId)).as("endpoint keys").isEmpty();
    assertThat(etcd.keys(CalicoKeys.workloadMarker(node, "cni", containerId).path()))
        .as("workload marker")
        .isEmpty();
    assertThat(etcd.keys(CalicoKeys.handle(network + "." + containerId).path()))
        .as("IPAM handle")
        .isEmpty();
    assertThat(allocated(etcd, ip)).as("%s allocated", ip).isFalse();
    assertThat(IpOracle.link(hostNs.name(), caliLink)).as("host end %s", caliLink).isEmpty();
    assertThat(IpOracle.routes(hostNs.name(), true))
        .as("host routes")
        .noneMatch(r -> r.path("dst").asText().equals(ip.getHostAddress()));
  }

  /** Parses what the plugin wrote. */
  static JsonNode json(String stdout) {
    try {
      return JSON.readTree(stdout);
    } catch (IOException e) {
      throw new AssertionError("stdout is not JSON: " + stdout, e);
    }
  }
}
