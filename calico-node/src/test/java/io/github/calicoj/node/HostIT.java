package io.github.calicoj.node;

import static io.github.calicoj.node.Traffic.ping;
import static io.github.calicoj.node.Traffic.pingOnce;
import static io.github.calicoj.node.Traffic.tcp;
import static io.github.calicoj.node.Traffic.tcpDenied;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.node.TwoHosts.Workload;
import io.github.calicoj.testkit.EtcdExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Behaviours 4 and 13-16 of calico-node/README.md, about the workload's own identity and the host:
 * A and C in P on H1; packets to H1's address pass {@code DefaultEndpointToHostAction}, DHCP and
 * DNS always.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class HostIT {
  @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.single();

  private static final Key H1_ACTION =
      Key.of("/calico/v1/host/h1/config/DefaultEndpointToHostAction");

  private TwoHosts hosts;
  private Workload a;
  private Workload c;

  @BeforeEach
  void setUp() {
    hosts = TwoHosts.create(ETCD);
    hosts.profile("P");
    a = hosts.add(hosts.h1, "ipv4", "P");
    c = hosts.add(hosts.h1, "ipv4", "P");
    hosts.start();
  }

  @AfterEach
  void tearDown() {
    if (hosts != null) {
      hosts.close();
    }
  }

  /** True if a UDP datagram from {@code w} to H1's port 53 arrives (DNS to the host). */
  private boolean dnsToHost(Workload w, String payload) throws Exception {
    try (var server = Traffic.UdpServer.open(hosts.h1.ns, TwoHosts.H1_IP, 53)) {
      Traffic.udp(w.ns(), TwoHosts.H1_IP, 53, payload);
      return w.ip().equals(server.awaitFrom(payload, 1500));
    }
  }

  private void setEndpoint(WorkloadEndpoint ep) {
    hosts.h1.client.workloadEndpoints().put(ep);
    hosts.sync();
  }

  @Test
  void noProfilesNoTrafficButDnsToTheHost_behaviour4() throws Exception {
    hosts.store.put(H1_ACTION, "DROP");
    hosts.setProfiles(a);
    hosts.sync();
    assertThat(pingOnce(a.ns(), c.ip())).as("A -> C").isFalse();
    assertThat(pingOnce(c.ns(), a.ip())).as("C -> A").isFalse();
    assertThat(pingOnce(a.ns(), TwoHosts.H1_IP)).as("A -> H1 ping, action DROP").isFalse();
    assertThat(dnsToHost(a, "dns-1")).as("A -> H1 udp 53 even with DROP").isTrue();
  }

  @Test
  void aSpoofedSourceIsDropped_behaviour13() {
    String spoofed = a.ip().substring(0, a.ip().lastIndexOf('.')) + ".99";
    a.ns().ip("addr", "add", spoofed + "/32", "dev", "eth1");
    assertThat(Traffic.pingOnce(a.ns(), c.ip(), spoofed, Traffic.FAIL_WAIT))
        .as("A -> C from " + spoofed)
        .isFalse();
    assertThat(Traffic.pingOnce(a.ns(), c.ip(), a.ip(), "1")).as("A -> C from its own").isTrue();
  }

  @Test
  void anotherMacIsDropped_behaviour14() throws Exception {
    String mac = a.endpoint().mac();
    a.ns().ip("link", "set", "eth1", "address", "02:00:00:00:00:99");
    assertThat(pingOnce(a.ns(), c.ip())).as("A -> C with another MAC").isFalse();
    assertThat(pingOnce(a.ns(), TwoHosts.H1_IP)).as("A -> H1 with another MAC").isFalse();
    assertThat(dnsToHost(a, "dns-2")).as("DNS to H1 still passes").isTrue();
    a.ns().ip("link", "set", "eth1", "address", mac);
    assertThat(ping(a.ns(), c.ip())).as("control: the endpoint's MAC again").isTrue();
  }

  @Test
  void anInactiveEndpointIsCutOff_behaviour15() throws Exception {
    WorkloadEndpoint ep = hosts.h1.client.endpoint(a.ns().path().toString()).orElseThrow();
    setEndpoint(ep.toBuilder().state("inactive").build());
    assertThat(pingOnce(a.ns(), c.ip())).as("A -> C inactive").isFalse();
    assertThat(pingOnce(c.ns(), a.ip())).as("C -> A inactive").isFalse();
    // Felix removed an inactive endpoint's routes, so the host cannot reach it either, and the
    // reverse-path check drops even its DHCP and DNS (see calico-node/README.md, choice 19).
    assertThat(pingOnce(hosts.h1.ns, a.ip())).as("H1 -> A inactive").isFalse();
    assertThat(dnsToHost(a, "dns-3")).as("DNS to H1 from an inactive endpoint").isFalse();
    setEndpoint(ep.toBuilder().state("active").build());
    assertThat(ping(a.ns(), c.ip())).as("A -> C active again").isTrue();
    assertThat(ping(c.ns(), a.ip())).as("C -> A active again").isTrue();
  }

  @Test
  void endpointToHostAction_behaviour16() throws Exception {
    try (var server = Traffic.TcpServer.open(hosts.h1.ns, 7000)) {
      hosts.store.put(H1_ACTION, "DROP");
      hosts.sync();
      assertThat(pingOnce(a.ns(), TwoHosts.H1_IP)).as("DROP: ping").isFalse();
      assertThat(tcpDenied(a.ns(), TwoHosts.H1_IP, 7000)).as("DROP: TCP").isTrue();

      hosts.store.put(H1_ACTION, "RETURN");
      hosts.sync();
      assertThat(ping(a.ns(), TwoHosts.H1_IP)).as("RETURN, P outbound allow: ping").isTrue();
      assertThat(tcp(a.ns(), TwoHosts.H1_IP, 7000)).as("RETURN, P outbound allow: TCP").isTrue();

      hosts.rules(
          "P",
          "{\"inbound_rules\": [{\"action\": \"allow\", \"src_tag\": \"P\"}], \"outbound_rules\":"
              + " []}");
      hosts.sync();
      assertThat(pingOnce(a.ns(), TwoHosts.H1_IP)).as("RETURN, P outbound []: ping").isFalse();
      assertThat(tcpDenied(a.ns(), TwoHosts.H1_IP, 7000)).as("RETURN, P outbound []: TCP").isTrue();
      assertThat(server.awaitPeers(1)).containsExactly(a.ip());
    }
  }
}
