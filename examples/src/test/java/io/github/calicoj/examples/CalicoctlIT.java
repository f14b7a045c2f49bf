package io.github.calicoj.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.calicoj.testkit.Docker;
import io.github.calicoj.testkit.EtcdExtension;
import io.github.calicoj.testkit.IpOracle;
import io.github.calicoj.testkit.Processes;
import io.github.calicoj.testkit.Race;
import io.github.calicoj.testkit.Requirements;
import io.github.calicoj.testkit.TestNamespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * End to end through {@code bin/calicoctl} processes: real etcd, real dockerd, root. Host ends live
 * in a test host namespace ({@code CALICO_HOST_NETNS}).
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class CalicoctlIT {
  private static final String HOST = "cjt-e2e-host";
  private static final String NEXT_HOP = "172.31.253.1";
  private static final Path LAUNCHER =
      Path.of("..", "bin", "calicoctl").toAbsolutePath().normalize();

  @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.single();

  private TestNamespace hostNs;
  private final List<String> containers = new ArrayList<>();
  private final List<TestNamespace> namespaces = new ArrayList<>();

  /** A finished calicoctl run. */
  record Run(int exit, String out) {}

  @BeforeEach
  void setUp() {
    Requirements.requireRoot();
    Requirements.require(
        Files.isRegularFile(Path.of("target", "calicoctl.jar")),
        "examples/target/calicoctl.jar (mvn package)");
    hostNs = TestNamespace.createHost(NEXT_HOP);
    ETCD.cluster().etcdctl("del", "--prefix", "/calico");
    ETCD.cluster().etcdctl("del", "--prefix", "/calicoj");
    ok("node", "--ip=" + NEXT_HOP);
  }

  @AfterEach
  void tearDown() {
    containers.forEach(Docker::remove);
    namespaces.forEach(TestNamespace::close);
    if (hostNs != null) {
      hostNs.close();
    }
  }

  private Run calicoctl(String... args) {
    List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.put("ETCD_ENDPOINTS", ETCD.endpoints());
    env.put("HOSTNAME", HOST);
    env.put("CALICO_HOST_NETNS", hostNs.path().toString());
    env.put("CALICOJ_NO_CDS", "1"); // parallel runs must not race to write one CDS archive
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("calicoctl " + String.join(" ", args) + " did not finish");
      }
      return new Run(p.exitValue(), out.trim());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private String ok(String... args) {
    Run r = calicoctl(args);
    assertThat(r.exit()).as("calicoctl %s: %s", String.join(" ", args), r.out()).isZero();
    return r.out();
  }

  private void fails(int exit, String message, String... args) {
    Run r = calicoctl(args);
    assertThat(r.out()).as("calicoctl %s", String.join(" ", args)).isEqualTo(message);
    assertThat(r.exit()).as("exit of calicoctl %s", String.join(" ", args)).isEqualTo(exit);
  }

  private String etcd(String key) {
    return ETCD.cluster().value(key);
  }

  private List<String> keys(String prefix) {
    return ETCD.cluster().keys(prefix);
  }

  private void noCaliLinks() {
    assertThat(IpOracle.linkNames(hostNs.name(), "cali")).isEmpty();
  }

  @Test
  void seedSessionThenErrorsThenRemoval() throws Exception {
    Docker.requireDaemon();
    String w = Docker.newName();
    containers.add(w);
    Docker.docker("run", "--net=none", "--name", w, "-tid", Docker.IMAGE, "sh");
    String id = Docker.docker("inspect", "--format", "{{.Id}}", w);

    assertThat(ok("pool", "add", "192.168.0.0/16")).isEmpty();
    assertThat(ok("container", "add", w, "192.168.0.1")).isEqualTo("IP 192.168.0.1 added to " + w);
    assertThat(ok("profile", "add", "PROFILE")).isEqualTo("Created profile PROFILE");
    assertThat(ok("container", w, "profile", "append", "PROFILE"))
        .isEqualTo("Profile(s) PROFILE appended.");

    // The etcd keys and JSON.
    List<String> epKeys = keys("/calico/v1/host/" + HOST + "/workload/docker/" + id + "/endpoint/");
    assertThat(epKeys).hasSize(1);
    String endpointId = epKeys.get(0).substring(epKeys.get(0).lastIndexOf('/') + 1);
    String mac =
        new ObjectMapper()
            .readTree(Docker.ipJsonIn(w, "link", "show", "eth1"))
            .get(0)
            .path("address")
            .asText();
    assertThat(etcd(epKeys.get(0)))
        .isEqualTo(
            "{\"state\": \"active\", \"name\": \"cali"
                + endpointId.substring(0, 11)
                + "\", \"mac\": \""
                + mac
                + "\", \"profile_ids\": [\"PROFILE\"], \"ipv4_nets\": [\"192.168.0.1/32\"], \"ipv6_nets\": [],"
                + " \"ipv4_gateway\": \""
                + NEXT_HOP
                + "\", \"ipv6_gateway\": null}");
    assertThat(etcd("/calico/v1/policy/profile/PROFILE/tags")).isEqualTo("[\"PROFILE\"]");
    assertThat(etcd("/calico/v1/policy/profile/PROFILE/rules"))
        .isEqualTo(
            "{\"id\": \"PROFILE\", \"inbound_rules\": [{\"action\": \"allow\", \"src_tag\": \"PROFILE\"}],"
                + " \"outbound_rules\": [{\"action\": \"allow\"}]}");
    assertThat(etcd("/calico/v1/ipam/v4/pool/192.168.0.0-16"))
        .isEqualTo("{\"cidr\": \"192.168.0.0/16\"}");
    assertThat(etcd("/calico/ipam/v2/assignment/ipv4/block/192.168.0.0-26"))
        .startsWith(
            "{\"cidr\": \"192.168.0.0/26\", \"affinity\": \"host:"
                + HOST
                + "\", \"allocations\": [null, 0, null,")
        .containsPattern(
            Pattern.quote(
                    "\"attributes\": [{\"handle_id\": \"calicoj." + HOST + ".docker." + id.trim())
                + "\", \"secondary\": \\{\"created\": \"[0-9TZ:.-]+\", "
                + Pattern.quote(
                    "\"host\": \""
                        + HOST
                        + "\", \"orchestrator\": \"docker\", \"workload\": \""
                        + id.trim()
                        + "\"}}], \"unallocated\": [0, 2, 3,"));
    assertThat(keys("/calico/ipam/v2/host/" + HOST + "/ipv4/block/"))
        .containsExactly("/calico/ipam/v2/host/" + HOST + "/ipv4/block/192.168.0.0-26");
    // The container's interface, address, routes and MAC.
    assertThat(Docker.ipJsonIn(w, "-4", "addr", "show", "eth1"))
        .contains("\"local\":\"192.168.0.1\",\"prefixlen\":32");
    assertThat(Docker.ipJsonIn(w, "-4", "route", "show"))
        .contains("\"dst\":\"default\",\"gateway\":\"" + NEXT_HOP + "\",\"dev\":\"eth1\"")
        .contains("\"dst\":\"" + NEXT_HOP + "\",\"dev\":\"eth1\",\"scope\":\"link\"");
    String show = ok("container", w, "endpoint", "show");
    assertThat(show)
        .contains("| Hostname ")
        .contains(endpointId)
        .contains(mac)
        .contains("192.168.0.1/32")
        .contains("PROFILE");

    // Errors: message, exit code, and nothing left.
    String stopped = Docker.newName();
    containers.add(stopped);
    Docker.docker("create", "--net=none", "--name", stopped, Docker.IMAGE, "sleep", "600");
    fails(1, stopped + " is not currently running.", "container", "add", stopped, "ipv4");
    String hostMode = Docker.newName();
    containers.add(hostMode);
    Docker.runSleeping(hostMode, "host");
    fails(
        1,
        "Can't add " + hostMode + " to Calico because it is running NetworkMode = host.",
        "container",
        "add",
        hostMode,
        "ipv4");
    // The message names the container as given: by name, by short id, by full id.
    for (String again : List.of("ipv4", "192.168.0.1", "172.20.0.1")) {
      fails(
          1,
          w + " has already been configured with Calico Networking.",
          "container",
          "add",
          w,
          again);
    }
    for (String given : List.of(id.substring(0, 12), id)) {
      fails(
          1,
          given + " has already been configured with Calico Networking.",
          "container",
          "add",
          given,
          "ipv4");
    }
    fails(
        1,
        "Profile with name MISSING was not found.",
        "container",
        w,
        "profile",
        "append",
        "MISSING");
    fails(
        1,
        "Profile with name PROFILE was specified more than once.",
        "container",
        w,
        "profile",
        "append",
        "PROFILE",
        "PROFILE");
    fails(
        0,
        "Profile PROFILE is already in endpoint profile list",
        "container",
        w,
        "profile",
        "append",
        "PROFILE");

    String other = Docker.newName();
    containers.add(other);
    Docker.runSleeping(other, "none");
    String otherId = Docker.docker("inspect", "--format", "{{.Id}}", other);
    fails(1, "172.20.0.1 is not in any configured pools", "container", "add", other, "172.20.0.1");
    fails(
        1,
        "IP address is already assigned in pool 192.168.0.0/16.",
        "container",
        "add",
        other,
        "192.168.0.1");
    ok("pool", "add", "fd00:77::/64");
    fails(
        1,
        "This node is not configured for IPv6.  Is calico-node running?",
        "container",
        "add",
        other,
        "ipv6");
    assertThat(keys("/calico/v1/host/" + HOST + "/workload/docker/" + otherId)).isEmpty();
    assertThat(keys("/calicoj/v1/workload/" + HOST + "/docker/" + otherId)).isEmpty();
    // no next hop, no claim: no IPv6 block, and no IPv6 affinity of this host
    assertThat(keys("/calico/ipam/v2/assignment/ipv6/")).as("IPv6 blocks").isEmpty();
    assertThat(keys("/calico/ipam/v2/host/" + HOST + "/ipv6/")).as("IPv6 affinities").isEmpty();
    assertThat(etcd("/calico/ipam/v2/assignment/ipv4/block/192.168.0.0-26"))
        .contains("\"allocations\": [null, 0, null, null,");

    // Removal leaves no key, IP or veth.
    assertThat(ok("container", "remove", w)).isEqualTo("Removed Calico from " + w);
    assertThat(keys("/calico/v1/host/" + HOST + "/workload/")).isEmpty();
    assertThat(keys("/calicoj/")).isEmpty();
    assertThat(etcd("/calico/ipam/v2/assignment/ipv4/block/192.168.0.0-26"))
        .doesNotContain(", 0,")
        .contains("\"attributes\": []");
    noCaliLinks();
    assertThat(ok("container", "remove", w)).isEqualTo("Failed find Calico data for " + w);
  }

  @Test
  void tenParallelAddsGetTenDistinctIps() throws Exception {
    ok("pool", "add", "10.140.0.0/16");
    List<TestNamespace> ns = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      TestNamespace t = TestNamespace.create();
      namespaces.add(t);
      ns.add(t);
    }
    List<Run> runs =
        Race.run(
            ns.size(),
            i -> () -> calicoctl("container", "add", ns.get(i).path().toString(), "ipv4"),
            Duration.ofMinutes(3));
    Set<String> ips = new HashSet<>();
    for (Run r : runs) {
      assertThat(r.exit()).as(r.out()).isZero();
      assertThat(r.out()).startsWith("IP 10.140.");
      ips.add(r.out().split(" ")[1]);
    }
    assertThat(ips).hasSize(10);
    for (TestNamespace t : ns) {
      assertThat(IpOracle.addresses(t.name(), "eth1"))
          .anyMatch(a -> a.startsWith("10.140.") && a.endsWith("/32"));
    }
  }

  @Test
  void rootAndEtcdFailuresAreCleanMessages() {
    // The checkout may not be readable by other users: run a world-readable copy of the jar.
    Path copy = copyJarForEveryone();
    Run notRoot =
        runAs(
            List.of(
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "java",
                "-jar",
                copy.resolve("calicoctl.jar").toString(),
                "container",
                "remove",
                "x"));
    assertThat(notRoot.out()).isEqualTo("This command must be run as root.");
    assertThat(notRoot.exit()).isEqualTo(2);

    long t0 = System.nanoTime();
    Run down =
        runAs(
            List.of(
                "env",
                "ETCD_ENDPOINTS=http://127.0.0.1:9",
                "CALICO_ETCD_TIMEOUT=2",
                LAUNCHER.toString(),
                "profile",
                "show"));
    assertThat(down.exit()).isEqualTo(1);
    assertThat(down.out())
        .startsWith("Error accessing etcd (")
        .endsWith("Is etcd running?")
        .doesNotContain("\tat ")
        .doesNotContain("Exception")
        .doesNotContain("\n");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
  }

  private static Path copyJarForEveryone() {
    try {
      Path dir = Files.createTempDirectory("cjt-calicoctl-");
      Files.createDirectories(dir.resolve("lib"));
      Files.copy(Path.of("target", "calicoctl.jar"), dir.resolve("calicoctl.jar"));
      try (var libs = Files.list(Path.of("target", "lib"))) {
        for (Path lib : libs.toList()) {
          Files.copy(lib, dir.resolve("lib").resolve(lib.getFileName()));
        }
      }
      Processes.run(List.of("chmod", "-R", "a+rX", dir.toString()), Duration.ofSeconds(10));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Run runAs(List<String> cmd) {
    Processes.Result r = Processes.runForResult(cmd, Duration.ofSeconds(60));
    return new Run(r.exitCode(), r.output().trim());
  }
}
