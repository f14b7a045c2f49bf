package io.github.calicoj.node;

import static io.github.calicoj.node.Traffic.ping;
import static io.github.calicoj.node.Traffic.pingOnce;
import static io.github.calicoj.node.Traffic.tcp;
import static io.github.calicoj.node.Traffic.tcpDenied;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.node.TwoHosts.Workload;
import io.github.calicoj.testkit.EtcdExtension;
import io.github.calicoj.testkit.TestNamespace;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Behaviours 1-3, 5, 6, 17-19, 21 and 23 of calico-node/README.md, on the default profiles (as
 * {@code calicoctl profile add} wrote them) and on profile membership, with two real agents on two
 * simulated hosts, real etcd, real nftables and real packets: A and C in P and B in Q on H1, E in P
 * and D in Q on H2.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ProfilesIT {
  @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.single();

  private TwoHosts hosts;
  private Workload a;
  private Workload b;
  private Workload c;
  private Workload d;
  private Workload e;

  @BeforeEach
  void setUp() {
    hosts = TwoHosts.create(ETCD);
    hosts.profile("P");
    hosts.profile("Q");
    a = hosts.add(hosts.h1, "ipv4", "P");
    c = hosts.add(hosts.h1, "ipv4", "P");
    b = hosts.add(hosts.h1, "ipv4", "Q");
    e = hosts.add(hosts.h2, "ipv4", "P");
    d = hosts.add(hosts.h2, "ipv4", "Q");
    hosts.start();
  }

  @AfterEach
  void tearDown() {
    if (hosts != null) {
      hosts.close();
    }
  }

  @Test
  void membersOfOneProfileTalkAndOthersCannot_behaviours1to3() throws Exception {
    try (var server = Traffic.TcpServer.open(c.ns(), 8080)) {
      assertThat(ping(a.ns(), c.ip())).as("1: A -> C ping").isTrue();
      assertThat(ping(c.ns(), a.ip())).as("1: C -> A ping").isTrue();
      assertThat(tcp(a.ns(), c.ip(), 8080)).as("1: A -> C TCP").isTrue();
      assertThat(server.awaitPeers(1)).containsExactly(a.ip());
    }
    assertThat(pingOnce(a.ns(), b.ip())).as("2: A -> B").isFalse();
    assertThat(pingOnce(b.ns(), a.ip())).as("2: B -> A").isFalse();
    assertThat(ping(a.ns(), e.ip())).as("3: A -> E across hosts").isTrue();
    assertThat(ping(e.ns(), a.ip())).as("3: E -> A across hosts").isTrue();
    try (var server = Traffic.TcpServer.open(d.ns(), 80)) {
      assertThat(pingOnce(a.ns(), d.ip())).as("3: A -> D").isFalse();
      assertThat(tcpDenied(a.ns(), d.ip(), 80)).as("3: A -> D TCP").isTrue();
      assertThat(server.peers).isEmpty();
    }
  }

  @Test
  void aMissingProfileFirstDropsEverything_behaviour5() {
    WorkloadEndpoint ep = hosts.h1.client.endpoint(a.ns().path().toString()).orElseThrow();
    hosts.h1.client.workloadEndpoints().put(ep.withProfileIds(List.of("ghost", "P")));
    hosts.sync();
    assertThat(pingOnce(a.ns(), c.ip())).as("A -> C").isFalse();
    assertThat(pingOnce(c.ns(), a.ip())).as("C -> A").isFalse();
    // When ghost arrives, its default rules do not accept C (not in ghost), which is no verdict:
    // P, next in line, accepts C. Only a missing profile drops.
    hosts.profile("ghost");
    hosts.sync();
    assertThat(ping(c.ns(), a.ip())).as("C -> A: ghost declines, P accepts").isTrue();
    assertThat(ping(a.ns(), c.ip())).as("A -> C: ghost's outbound accepts").isTrue();
  }

  @Test
  void aTagGivesOneWayAccess_behaviour6() {
    hosts.tags("Q", "[\"Q\", \"P\"]");
    hosts.sync();
    assertThat(ping(b.ns(), a.ip())).as("B -> A: B carries tag P now").isTrue();
    assertThat(pingOnce(a.ns(), b.ip())).as("A -> B: Q still admits tag Q only").isFalse();
  }

  @Test
  void theHostReachesItsWorkloadsButNotAnotherHosts_behaviours17and18() {
    assertThat(ping(hosts.h1.ns, a.ip())).as("17: H1 -> A (not policed)").isTrue();
    assertThat(pingOnce(hosts.h2.ns, a.ip())).as("18: H2 -> A (H2 is not in tag P)").isFalse();
  }

  @Test
  void repliesPassAsEstablished_behaviour19() throws Exception {
    hosts.h1.client.profiles().create("PA");
    hosts.rules(
        "PA",
        "{\"inbound_rules\": [{\"action\": \"allow\", \"src_tag\": \"P\"}], \"outbound_rules\":"
            + " []}");
    hosts.setProfiles(a, "PA");
    hosts.sync();
    try (var server = Traffic.TcpServer.open(a.ns(), 9000)) {
      assertThat(tcp(c.ns(), a.ip(), 9000))
          .as("C -> A: A answers though it may send nothing")
          .isTrue();
      assertThat(server.awaitPeers(1)).containsExactly(c.ip());
    }
    assertThat(pingOnce(a.ns(), c.ip())).as("A -> C: A's outbound is empty").isFalse();
  }

  @Test
  void anInterfaceWithoutEndpointIsDropped_behaviour21() {
    TestNamespace x = TestNamespace.create();
    try {
      String cali = "cali0123456789a";
      hosts.h1.ns.ip(
          "link", "add", cali, "type", "veth", "peer", "name", "eth1", "netns", x.name());
      hosts.h1.ns.ip("link", "set", cali, "up");
      hosts.h1.ns.ip("route", "add", "192.168.0.60/32", "dev", cali);
      x.ip("link", "set", "lo", "up");
      x.ip("link", "set", "eth1", "up");
      x.ip("addr", "add", "192.168.0.60/32", "dev", "eth1");
      x.ip("route", "add", TwoHosts.H1_IP, "dev", "eth1");
      x.ip("route", "add", "default", "via", TwoHosts.H1_IP);
      hosts.h1.nft("list", "table", "inet", "calico"); // the agent's table is in place
      assertThat(pingOnce(x, c.ip())).as("X -> C").isFalse();
      assertThat(pingOnce(c.ns(), "192.168.0.60")).as("C -> X").isFalse();
      assertThat(ping(hosts.h1.ns, "192.168.0.60")).as("control: the host reaches X").isTrue();
    } finally {
      x.close();
    }
  }

  @Test
  void removingAProfileCutsAndAppendingRestores_behaviour23() {
    assertThat(ping(a.ns(), c.ip())).as("before").isTrue();
    hosts.h1.client.removeProfiles(c.ns().path().toString(), List.of("P"));
    hosts.sync();
    assertThat(pingOnce(a.ns(), c.ip())).as("A -> C without P").isFalse();
    assertThat(pingOnce(c.ns(), a.ip())).as("C -> A without P").isFalse();
    hosts.h1.client.appendProfiles(c.ns().path().toString(), List.of("P"));
    hosts.sync();
    assertThat(ping(a.ns(), c.ip())).as("A -> C with P again").isTrue();
    assertThat(ping(c.ns(), a.ip())).as("C -> A with P again").isTrue();
  }
}
