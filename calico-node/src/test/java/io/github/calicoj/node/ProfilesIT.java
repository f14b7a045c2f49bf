package io.github.calicoj.node;

import static io.github.calicoj.node.Traffic.ping;
import static io.github.calicoj.node.Traffic.pingOnce;
import static io.github.calicoj.node.Traffic.tcp;
import static io.github.calicoj.node.Traffic.tcpDenied;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.node.TwoHosts.Workload;
import io.github.calicoj.testkit.EtcdExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Felix spec §6 behaviours on the default profiles (§5), with two real agents on two simulated
 * hosts, real etcd, real nftables and real packets.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ProfilesIT {
  @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.single();

  private TwoHosts hosts;

  @AfterEach
  void tearDown() {
    if (hosts != null) {
      hosts.close();
    }
  }

  @Test
  void membersOfOneProfileTalkAndOthersCannot_behaviours1to3() throws Exception {
    hosts = TwoHosts.create(ETCD);
    hosts.profile("P");
    hosts.profile("Q");
    Workload a = hosts.add(hosts.h1, "ipv4", "P");
    Workload c = hosts.add(hosts.h1, "ipv4", "P");
    Workload b = hosts.add(hosts.h1, "ipv4", "Q");
    Workload e = hosts.add(hosts.h2, "ipv4", "P");
    Workload d = hosts.add(hosts.h2, "ipv4", "Q");
    hosts.start();
    try (var server = Traffic.TcpServer.open(c.ns(), 8080)) {
      // 1: A and C on H1 in P
      assertThat(ping(a.ns(), c.ip())).as("A -> C ping").isTrue();
      assertThat(ping(c.ns(), a.ip())).as("C -> A ping").isTrue();
      assertThat(tcp(a.ns(), c.ip(), 8080)).as("A -> C TCP").isTrue();
      assertThat(server.peers).contains(a.ip());
    }
    // 2: B in Q
    assertThat(pingOnce(a.ns(), b.ip())).as("A -> B").isFalse();
    assertThat(pingOnce(b.ns(), a.ip())).as("B -> A").isFalse();
    // 3: E on H2 in P, D on H2 in Q
    assertThat(ping(a.ns(), e.ip())).as("A -> E across hosts").isTrue();
    assertThat(ping(e.ns(), a.ip())).as("E -> A across hosts").isTrue();
    try (var server = Traffic.TcpServer.open(d.ns(), 80)) {
      assertThat(pingOnce(a.ns(), d.ip())).as("A -> D").isFalse();
      assertThat(tcpDenied(a.ns(), d.ip(), 80)).as("A -> D TCP").isTrue();
      assertThat(server.peers).isEmpty();
    }
  }
}
