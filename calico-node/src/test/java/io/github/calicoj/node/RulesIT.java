package io.github.calicoj.node;

import static io.github.calicoj.node.Traffic.ping;
import static io.github.calicoj.node.Traffic.pingOnce;
import static io.github.calicoj.node.Traffic.tcp;
import static io.github.calicoj.node.Traffic.tcpDenied;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.datastore.Key;
import io.github.calicoj.node.TwoHosts.Workload;
import io.github.calicoj.node.internal.status.StatusKeys;
import io.github.calicoj.testkit.EtcdExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Behaviours 7-12 and 20 of calico-node/README.md, on rule fields: A sends to C, both on H1; C's
 * profiles' inbound rules decide. Each rules change goes through etcd to the running agent, which
 * applies it as a diff.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RulesIT {
  @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.single();

  private static final String ALLOW_OUT = "\"outbound_rules\": [{\"action\": \"allow\"}]";

  private TwoHosts hosts;
  private Workload a;
  private Workload c;
  private final List<AutoCloseable> servers = new ArrayList<>();

  @BeforeEach
  void setUp() {
    hosts = TwoHosts.create(ETCD);
    hosts.profile("P");
    hosts.profile("R");
    a = hosts.add(hosts.h1, "192.168.0.1", "P");
    c = hosts.add(hosts.h1, "192.168.0.2", "R");
    hosts.start();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable s : servers) {
      s.close();
    }
    if (hosts != null) {
      hosts.close();
    }
  }

  private void listen(Workload w, int... ports) {
    for (int p : ports) {
      servers.add(Traffic.TcpServer.open(w.ns(), p));
    }
  }

  /** Sets R's inbound rules (outbound allows all) and waits for the agent. */
  private void inbound(String rules) {
    hosts.rules("R", "{\"inbound_rules\": " + rules + ", " + ALLOW_OUT + "}");
    hosts.sync();
  }

  @Test
  void denyIcmpThenAllowTag_behaviour7() {
    listen(c, 80);
    hosts.rules("R", "{\"inbound_rules\": [{\"action\": \"allow\"}], " + ALLOW_OUT + "}");
    hosts.sync();
    assertThat(ping(a.ns(), c.ip())).as("control: everything allowed").isTrue();
    inbound(
        "[{\"action\": \"deny\", \"protocol\": \"icmp\"}, {\"action\": \"allow\", \"src_tag\":"
            + " \"P\"}]");
    assertThat(pingOnce(a.ns(), c.ip())).as("A -> C ping, denied first").isFalse();
    assertThat(tcp(a.ns(), c.ip(), 80)).as("A -> C TCP, allowed by tag").isTrue();
  }

  @Test
  void portsAndRanges_behaviour8() {
    listen(c, 80, 81, 8000, 8080, 8081);
    inbound("[{\"action\": \"allow\", \"protocol\": \"tcp\", \"dst_ports\": [80, \"8000:8080\"]}]");
    assertThat(tcp(a.ns(), c.ip(), 80)).as("80").isTrue();
    assertThat(tcp(a.ns(), c.ip(), 8000)).as("8000").isTrue();
    assertThat(tcp(a.ns(), c.ip(), 8080)).as("8080").isTrue();
    assertThat(tcpDenied(a.ns(), c.ip(), 81)).as("81").isTrue();
    assertThat(tcpDenied(a.ns(), c.ip(), 8081)).as("8081").isTrue();
  }

  @Test
  void profilesApplyInOrder_behaviour9() {
    listen(c, 22, 80);
    hosts.profile("P1");
    hosts.profile("P2");
    hosts.rules(
        "P1",
        "{\"inbound_rules\": [{\"action\": \"deny\", \"protocol\": \"tcp\", \"dst_ports\": [22]}],"
            + ALLOW_OUT
            + "}");
    hosts.rules("P2", "{\"inbound_rules\": [{\"action\": \"allow\"}], " + ALLOW_OUT + "}");
    hosts.setProfiles(c, "P1", "P2");
    hosts.sync();
    assertThat(tcpDenied(a.ns(), c.ip(), 22)).as("[P1, P2]: 22 denied by P1").isTrue();
    assertThat(tcp(a.ns(), c.ip(), 80)).as("[P1, P2]: 80 allowed by P2").isTrue();
    hosts.setProfiles(c, "P2", "P1");
    hosts.sync();
    assertThat(tcp(a.ns(), c.ip(), 22)).as("[P2, P1]: 22 allowed by P2 first").isTrue();
  }

  @Test
  void icmpTypes_behaviours10and11() {
    listen(c, 80);
    inbound("[{\"action\": \"allow\", \"protocol\": \"icmp\", \"icmp_type\": 8}]");
    assertThat(ping(a.ns(), c.ip())).as("echo request (8) allowed").isTrue();
    inbound("[{\"action\": \"allow\", \"protocol\": \"icmp\", \"icmp_type\": 0}]");
    assertThat(pingOnce(a.ns(), c.ip())).as("only echo reply (0) allowed").isFalse();
    inbound(
        "[{\"action\": \"allow\", \"protocol\": \"icmp\", \"icmp_type\": 255}, {\"action\":"
            + " \"allow\"}]");
    assertThat(pingOnce(a.ns(), c.ip())).as("type 255 is a drop where it stands").isFalse();
    assertThat(tcpDenied(a.ns(), c.ip(), 80)).as("TCP too").isTrue();
    inbound("[{\"action\": \"allow\"}]");
    assertThat(ping(a.ns(), c.ip())).as("control").isTrue();
  }

  @Test
  void sourceNetwork_behaviour12() {
    Workload b = hosts.add(hosts.h1, "192.168.0.5", "P");
    inbound("[{\"action\": \"allow\", \"src_net\": \"192.168.0.0/30\"}]");
    assertThat(ping(a.ns(), c.ip())).as("from .1").isTrue();
    assertThat(pingOnce(b.ns(), c.ip())).as("from .5").isFalse();
  }

  @Test
  void aStringPortDropsAllAndReportsError_behaviour20() {
    listen(c, 80);
    inbound("[{\"action\": \"allow\"}]");
    assertThat(tcp(a.ns(), c.ip(), 80)).as("control").isTrue();
    inbound("[{\"action\": \"allow\", \"protocol\": \"tcp\", \"dst_ports\": [\"80\"]}]");
    assertThat(tcpDenied(a.ns(), c.ip(), 80)).as("the profile counts as missing").isTrue();
    assertThat(pingOnce(a.ns(), c.ip())).isFalse();
    assertThat(hosts.h1.agent.status().problems()).isPositive();
    Key status = StatusKeys.endpointStatus(c.key());
    assertThat(
            Poll.until(
                () -> hosts.store.get(status).map(kv -> kv.value()).orElse(""),
                v -> v.contains("error"),
                5000))
        .isEqualTo("{\"status\": \"error\"}");
    assertThat(hosts.h1.agent.status().state()).isEqualTo(NodeStatus.State.IN_SYNC);
    inbound("[{\"action\": \"allow\", \"protocol\": \"tcp\", \"dst_ports\": [80]}]");
    assertThat(tcp(a.ns(), c.ip(), 80)).as("fixed").isTrue();
    assertThat(
            Poll.until(
                () -> hosts.store.get(status).map(kv -> kv.value()).orElse(""),
                v -> v.contains("up"),
                5000))
        .isEqualTo("{\"status\": \"up\"}");
  }
}
