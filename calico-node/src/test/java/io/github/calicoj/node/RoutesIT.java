package io.github.calicoj.node;

import static io.github.calicoj.node.Traffic.ping;
import static io.github.calicoj.node.Traffic.pingOnce;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.node.TwoHosts.Host;
import io.github.calicoj.node.TwoHosts.Workload;
import io.github.calicoj.testkit.EtcdExtension;
import io.github.calicoj.testkit.IpOracle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The agent's routes and NAT-outgoing: host-gw routes to the other host's blocks and borrowed
 * addresses, blackholes for this host's blocks (behaviour 24 in calico-node/README.md), a workload
 * route re-created after someone deleted it, masquerade of a pool's sources to outside the pools
 * (behaviour 22). Routes are checked with {@code ip -j route show proto 202}.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RoutesIT {
  @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.single();

  private TwoHosts hosts;
  private Workload a;
  private Workload e;

  @BeforeEach
  void setUp() {
    hosts = TwoHosts.create(ETCD);
    hosts.profile("P");
    a = hosts.add(hosts.h1, "ipv4", "P");
    e = hosts.add(hosts.h2, "ipv4", "P");
    hosts.start();
  }

  @AfterEach
  void tearDown() {
    if (hosts != null) {
      hosts.close();
    }
  }

  /** {@code ip -j route show proto 202} of a host as "TYPE DST GATEWAY DEV" lines. */
  private static List<String> routes(Host h) {
    List<String> out = new ArrayList<>();
    for (JsonNode r : IpOracle.ipJson(h.ns.name(), "-4", "route", "show", "proto", "202")) {
      out.add(
          r.path("type").asText("unicast")
              + " "
              + r.path("dst").asText()
              + " "
              + r.path("gateway").asText("-")
              + " "
              + r.path("dev").asText("-"));
    }
    return out;
  }

  /** The blocks affine to {@code host}, from the datastore. */
  private List<String> blocks(String host) {
    List<String> out = new ArrayList<>();
    for (KeyValue kv : hosts.store.list(CalicoKeys.affinities(host, 4)).entries()) {
      out.add(Cidr.fromKeySegment(CalicoKeys.lastSegment(kv.key())).toString());
    }
    return out;
  }

  @Test
  void hostGwRoutesBlackholesAndWorkloadRoutes() {
    List<String> h1Blocks = blocks("h1");
    List<String> h2Blocks = blocks("h2");
    assertThat(h1Blocks).hasSize(1);
    assertThat(h2Blocks).hasSize(1);
    assertThat(routes(hosts.h1))
        .containsExactlyInAnyOrder(
            "blackhole " + h1Blocks.get(0) + " - -",
            "unicast " + h2Blocks.get(0) + " " + TwoHosts.H2_IP + " " + TwoHosts.LINK,
            "unicast " + a.ip() + " - " + a.iface());
    assertThat(routes(hosts.h2))
        .containsExactlyInAnyOrder(
            "blackhole " + h2Blocks.get(0) + " - -",
            "unicast " + h1Blocks.get(0) + " " + TwoHosts.H1_IP + " " + TwoHosts.LINK,
            "unicast " + e.ip() + " - " + e.iface());
    assertThat(ping(a.ns(), e.ip())).isTrue();
  }

  @Test
  void aBorrowedAddressGetsItsOwnRoute() {
    // An address in H1's block, assigned to a workload on H2.
    String h1Block = blocks("h1").get(0);
    String borrowed = Cidr.parse(h1Block).addressAt(40).getHostAddress();
    Workload f = hosts.add(hosts.h2, borrowed, "P");
    hosts.sync();
    assertThat(routes(hosts.h1))
        .contains("unicast " + borrowed + " " + TwoHosts.H2_IP + " " + TwoHosts.LINK);
    assertThat(ping(a.ns(), f.ip())).as("A -> F, more specific than H1's blackhole").isTrue();
    hosts.remove(f);
    hosts.sync();
    assertThat(routes(hosts.h1)).noneMatch(r -> r.contains(" " + borrowed + " "));
  }

  @Test
  void aDeletedWorkloadRouteComesBack() {
    hosts.h1.ns.ip("route", "del", a.ip() + "/32");
    assertThat(pingOnce(hosts.h1.ns, a.ip())).as("no route now").isFalse();
    List<String> back =
        Poll.until(
            () -> routes(hosts.h1), r -> r.contains("unicast " + a.ip() + " - " + a.iface()), 5000);
    assertThat(back).contains("unicast " + a.ip() + " - " + a.iface());
    assertThat(ping(e.ns(), a.ip())).isTrue();
  }

  @Test
  void unassignedAddressesOfTheBlockAreBlackholed_behaviour24() {
    Cidr block = Cidr.parse(blocks("h1").get(0));
    String unassigned = block.addressAt(50).getHostAddress();
    // A counter in H2 (a table of the test's own) of packets to the pool: proof that none
    // leaves H1 towards the unassigned address, and that the counter sees what does leave.
    hosts.h2.nft("add", "table", "inet", "cjt_probe");
    hosts.h2.nft(
        "add chain inet cjt_probe in { type filter hook prerouting priority -400; }".split(" "));
    hosts.h2.nft("add", "rule", "inet", "cjt_probe", "in", "ip", "daddr", unassigned, "counter");
    hosts.h2.nft("add", "rule", "inet", "cjt_probe", "in", "ip", "daddr", e.ip(), "counter");
    assertThat(routes(hosts.h1))
        .contains("blackhole " + block + " - -")
        .noneMatch(r -> r.contains(" " + unassigned + " "));
    assertThat(pingOnce(a.ns(), unassigned)).as("A -> unassigned").isFalse();
    assertThat(ping(a.ns(), e.ip())).as("control: A -> E").isTrue();
    List<Long> counters = new ArrayList<>();
    for (JsonNode n :
        TwoHosts.json(hosts.h2.nft("-j", "list", "table", "inet", "cjt_probe")).path("nftables")) {
      JsonNode rule = n.path("rule");
      if (!rule.isMissingNode()) {
        for (JsonNode x : rule.path("expr")) {
          if (x.has("counter")) {
            counters.add(x.path("counter").path("packets").asLong());
          }
        }
      }
    }
    assertThat(counters).hasSize(2);
    assertThat(counters.get(0)).as("packets to " + unassigned + " reaching H2").isZero();
    assertThat(counters.get(1)).as("packets to E reaching H2").isPositive();
  }

  @Test
  void masqueradeOutsideThePools_behaviour22() throws Exception {
    try (var outside = Traffic.TcpServer.open(hosts.h2.ns, 7100);
        var inside = Traffic.TcpServer.open(e.ns(), 7200)) {
      assertThat(Traffic.tcp(a.ns(), TwoHosts.H2_IP, 7100)).isTrue();
      assertThat(outside.awaitPeers(1)).as("no masquerade: A's own source").containsExactly(a.ip());

      hosts.store.put(
          CalicoKeys.pool(Cidr.parse(TwoHosts.POOL)),
          "{\"cidr\": \"" + TwoHosts.POOL + "\", \"masquerade\": true}");
      hosts.sync();
      assertThat(Traffic.tcp(a.ns(), TwoHosts.H2_IP, 7100)).isTrue();
      assertThat(outside.awaitPeers(2).get(1))
          .as("outside the pools: H1's source")
          .isEqualTo(TwoHosts.H1_IP);
      assertThat(Traffic.tcp(a.ns(), e.ip(), 7200)).isTrue();
      assertThat(inside.awaitPeers(1))
          .as("inside the pool: A's own source")
          .containsExactly(a.ip());
    }
  }

  @Test
  void ipInIpIsReportedOnceAndRoutedAsHostGw() {
    int before = hosts.h1.agent.status().problems();
    hosts.store.put(
        CalicoKeys.pool(Cidr.parse(TwoHosts.POOL)),
        "{\"cidr\": \"" + TwoHosts.POOL + "\", \"ipip\": \"tunl0\"}");
    hosts.sync();
    assertThat(hosts.h1.agent.status().problems()).isEqualTo(before + 1);
    assertThat(ping(a.ns(), e.ip())).isTrue();
  }
}
