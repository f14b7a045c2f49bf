package io.github.calicoj.node.internal.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.node.internal.Kvs;
import io.github.calicoj.testkit.IpOracle;
import io.github.calicoj.testkit.Processes;
import io.github.calicoj.testkit.Requirements;
import io.github.calicoj.testkit.TestNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rendered table with real packets: a test "host" namespace with two workload namespaces on
 * cali veths, the table loaded into the host namespace with nft, pings between the tests' own
 * namespaces. Shows that {@code ether saddr} (Felix's MAC check) works in an {@code inet} table's
 * forward and input chains. Needs root.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DataplaneIT {
  private static final String HOST_IP = "172.31.0.1";
  private static final String A_IP = "192.168.0.1";
  private static final String B_IP = "192.168.0.3";
  private static final String WRONG_MAC = "02:00:00:00:00:01";

  @TempDir Path dir;
  private TestNamespace host;
  private TestNamespace a;
  private TestNamespace b;
  private String macA;
  private String macB;
  private DesiredState applied;

  @BeforeEach
  void topology() {
    Requirements.requireRoot();
    Requirements.require(
        Requirements.onPath("nft") != null, "the nft binary (apt-get install nftables)");
    Requirements.require(
        Requirements.onPath("ping") != null, "ping (apt-get install iputils-ping)");
    host = TestNamespace.createHost(HOST_IP);
    a = TestNamespace.create();
    b = TestNamespace.create();
    macA = workload(a, "caliaaaaaaaaaaa", A_IP);
    macB = workload(b, "calibbbbbbbbbbb", B_IP);
  }

  @AfterEach
  void cleanUp() {
    for (TestNamespace ns : new TestNamespace[] {b, a, host}) {
      if (ns != null) {
        ns.close();
      }
    }
  }

  /** A workload: veth {@code cali} (host) / {@code eth1} (workload), /32, routes; its MAC. */
  private String workload(TestNamespace ns, String cali, String ip) {
    host.ip("link", "add", cali, "type", "veth", "peer", "name", "eth1", "netns", ns.name());
    host.ip("link", "set", cali, "up");
    host.ip("route", "add", ip + "/32", "dev", cali);
    ns.ip("link", "set", "lo", "up");
    ns.ip("link", "set", "eth1", "up");
    ns.ip("addr", "add", ip + "/32", "dev", "eth1");
    ns.ip("route", "add", HOST_IP, "dev", "eth1");
    ns.ip("route", "add", "default", "via", HOST_IP);
    return IpOracle.link(ns.name(), "eth1").orElseThrow().get("address").asText();
  }

  private static String endpoint(String id, String mac, String ip, String profile) {
    return "{\"state\": \"active\", \"name\": \"cali"
        + id.substring(0, 11)
        + "\", \"mac\": \""
        + mac
        + "\", \"profile_ids\": [\""
        + profile
        + "\"], \"ipv4_nets\": [\""
        + ip
        + "/32\"],"
        + " \"ipv6_nets\": [], \"ipv4_gateway\": \""
        + HOST_IP
        + "\", \"ipv6_gateway\": null}";
  }

  private Kvs data(String macOfA, String profileOfB) {
    return Kvs.empty()
        .put("/calico/v1/Ready", "true")
        .put("/calico/v1/config/InterfacePrefix", "cali")
        .put("/calico/v1/host/h1/config/DefaultEndpointToHostAction", "RETURN")
        .put("/calico/v1/ipam/v4/pool/192.168.0.0-16", "{\"cidr\": \"192.168.0.0/16\"}")
        .profile("P")
        .profile("Q")
        .put(Kvs.endpointKey("h1", Kvs.A), endpoint(Kvs.A, macOfA, A_IP, "P"))
        .put(Kvs.endpointKey("h1", Kvs.B), endpoint(Kvs.B, macB, B_IP, profileOfB));
  }

  /** Loads the state into the host namespace: in full the first time, then as a diff. */
  private void apply(Kvs kvs) throws Exception {
    DesiredState next = kvs.state("h1");
    String json =
        applied == null ? next.replacement().toJson() : next.changesSince(applied).toJson();
    Path file = Files.writeString(dir.resolve("batch.json"), json);
    Processes.run(
        List.of("ip", "netns", "exec", host.name(), "nft", "-j", "-f", file.toString()),
        Duration.ofSeconds(20));
    applied = next;
  }

  private static boolean ping(TestNamespace from, String to, String... source) {
    List<String> cmd =
        new ArrayList<>(
            List.of("ip", "netns", "exec", from.name(), "ping", "-c", "1", "-W", "1", "-q"));
    if (source.length > 0) {
      cmd.addAll(List.of("-I", source[0]));
    }
    cmd.add(to);
    return Processes.runForResult(cmd, Duration.ofSeconds(10)).exitCode() == 0;
  }

  private String table() {
    return Processes.run(
        List.of("ip", "netns", "exec", host.name(), "nft", "list", "table", "inet", "calico"),
        Duration.ofSeconds(10));
  }

  @Test
  void etherSaddrWorksInTheInetForwardAndInputChains() throws Exception {
    apply(data(macA, "P"));
    assertThat(table()).contains("iifname . ether saddr != @wl_mac drop").contains(" . " + macA);
    assertThat(ping(a, B_IP)).as("A -> B forwarded, A's MAC right").isTrue();
    assertThat(ping(a, HOST_IP)).as("A -> host (input, RETURN), A's MAC right").isTrue();

    apply(data(WRONG_MAC, "P")); // behaviour 14: the endpoint's MAC is not the interface's
    assertThat(table()).contains(" . " + WRONG_MAC).doesNotContain(" . " + macA);
    assertThat(ping(a, B_IP)).as("A -> B forwarded, A's MAC wrong").isFalse();
    assertThat(ping(a, HOST_IP)).as("A -> host, A's MAC wrong").isFalse();
    assertThat(ping(b, A_IP)).as("B -> A: only the sender's MAC is checked").isTrue();

    apply(data(macA, "P"));
    assertThat(ping(a, B_IP)).isTrue();
    assertThat(ping(a, HOST_IP)).isTrue();
  }

  @Test
  void profilesDecideBetweenWorkloads_behaviours1_2_13() throws Exception {
    apply(data(macA, "P"));
    assertThat(ping(a, B_IP)).as("A and B in P").isTrue();
    assertThat(ping(b, A_IP)).as("B and A in P").isTrue();

    apply(data(macA, "Q")); // behaviour 2: B in Q
    assertThat(ping(a, B_IP)).as("A (P) -> B (Q)").isFalse();
    assertThat(ping(b, A_IP)).as("B (Q) -> A (P)").isFalse();
    assertThat(ping(b, HOST_IP)).as("B -> host: outbound allow, RETURN").isTrue();

    apply(data(macA, "P"));
    a.ip("addr", "add", "192.168.0.99/32", "dev", "eth1"); // behaviour 13: a spoofed source
    assertThat(ping(a, B_IP, "192.168.0.99")).as("from an address A does not own").isFalse();
    assertThat(ping(a, B_IP, A_IP)).as("from A's own address").isTrue();
  }

  @Test
  void noDeniedPacketPassesWhileTheTableIsReplaced() throws Exception {
    apply(data(macA, "Q")); // A (P) -> B (Q) is denied
    Path full = Files.writeString(dir.resolve("full.json"), applied.replacement().toJson());
    AtomicBoolean probing = new AtomicBoolean(true);
    AtomicInteger replaced = new AtomicInteger();
    Thread replacer =
        new Thread(
            () -> {
              while (probing.get()) {
                Processes.run(
                    List.of("ip", "netns", "exec", host.name(), "nft", "-j", "-f", full.toString()),
                    Duration.ofSeconds(20));
                replaced.incrementAndGet();
              }
            });
    replacer.start();
    // 400 echo requests 5 ms apart while the table is deleted and rebuilt again and again. One
    // leaked request would also open conntrack for the later ones (established is accepted).
    String probe = pingBurst(a, B_IP, 400);
    int during = replaced.get();
    probing.set(false);
    replacer.join(60_000);
    assertThat(replacer.isAlive()).isFalse();
    assertThat(during).as("replacements while probing").isGreaterThanOrEqualTo(10);
    assertThat(probe).contains("400 packets transmitted, 0 received");
    // The probe itself works: the same loop towards an allowed peer gets its replies.
    apply(data(macA, "P"));
    assertThat(pingBurst(a, B_IP, 100)).contains("100 packets transmitted, 100 received");
  }

  /** {@code count} echo requests 5 ms apart; ping's summary. */
  private static String pingBurst(TestNamespace from, String to, int count) {
    String n = Integer.toString(count);
    List<String> cmd =
        List.of(
            "ip",
            "netns",
            "exec",
            from.name(),
            "ping",
            "-i",
            "0.005",
            "-c",
            n,
            "-W",
            "1",
            "-q",
            to);
    return Processes.runForResult(cmd, Duration.ofSeconds(60)).output();
  }
}
