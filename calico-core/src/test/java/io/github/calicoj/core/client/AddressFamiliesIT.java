package io.github.calicoj.core.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.net.InetAddresses;
import io.github.calicoj.core.WireFormat;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.core.repository.WorkloadEndpoints;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.netns.InterfaceName;
import io.github.calicoj.netns.NetnsSupport;
import io.github.calicoj.testkit.EtcdExtension;
import io.github.calicoj.testkit.IpOracle;
import io.github.calicoj.testkit.Processes;
import io.github.calicoj.testkit.Requirements;
import io.github.calicoj.testkit.TestNamespace;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * IPv6 workloads (era A: the host's IPv6 BGP address as next hop, answered by proxy NDP) and era B
 * workloads (169.254.1.1, answered by proxy ARP; IPv6 via the host veth's link-local), end to end
 * on real etcd and netlink: the endpoint as stored, the container's addresses and routes, the host
 * side, and one ping between two of the test's own workloads.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AddressFamiliesIT {
  private static final String HOST = "cjt-fam-host";
  private static final String NEXT_HOP_V4 = "172.31.251.1";
  private static final String NEXT_HOP_V6 = "fd00:ff::1";

  @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.single();

  private Datastore store;
  private TestNamespace hostNs;
  private final List<TestNamespace> workloads = new ArrayList<>();

  @BeforeEach
  void setUp() {
    Requirements.requireRoot();
    Requirements.require(NetnsSupport.isAvailable(), "netns support");
    store = ClientFixture.freshStore(ETCD);
    hostNs = ClientFixture.hostNamespace(NEXT_HOP_V4);
    hostNs.ip("-6", "addr", "add", NEXT_HOP_V6 + "/128", "dev", "lo");
    // What `calicoctl node` sets on a real host.
    Processes.run(
        List.of(
            "ip",
            "netns",
            "exec",
            hostNs.name(),
            "sysctl",
            "-qw",
            "net.ipv6.conf.all.forwarding=1"),
        Duration.ofSeconds(10));
  }

  @AfterEach
  void tearDown() {
    workloads.forEach(TestNamespace::close);
    if (hostNs != null) {
      hostNs.close();
    }
    if (store != null) {
      store.close();
    }
  }

  private CalicoClient client(WireFormat format) {
    CalicoClient c =
        CalicoClient.builder(store, HOST).hostNamespace(hostNs.path()).wireFormat(format).build();
    c.configureNode(
        new NodeConfig(
            (Inet4Address) InetAddresses.forString(NEXT_HOP_V4),
            (Inet6Address) InetAddresses.forString(NEXT_HOP_V6),
            null));
    c.ipPools().add(IpPool.of(Cidr.parse("10.124.0.0/16")));
    c.ipPools().add(IpPool.of(Cidr.parse("fd00:124::/64")));
    return c;
  }

  private TestNamespace workload() {
    TestNamespace w = TestNamespace.create();
    workloads.add(w);
    return w;
  }

  private String stored(WorkloadEndpoint ep) {
    return ETCD.cluster().value(WorkloadEndpoints.keyOf(ep).path());
  }

  private static List<String> routes(String ns, boolean ipv4) {
    List<String> out = new ArrayList<>();
    for (JsonNode r : IpOracle.routes(ns, ipv4)) {
      out.add(
          r.path("dst").asText()
              + " "
              + r.path("gateway").asText("-")
              + " "
              + r.path("dev").asText());
    }
    return out;
  }

  private static void pingOnce(TestNamespace from, String to) {
    Processes.Result ping =
        Processes.runForResult(
            List.of("ip", "netns", "exec", from.name(), "ping", "-c", "1", "-W", "5", to),
            Duration.ofSeconds(20));
    assertThat(ping.exitCode()).as("ping %s: %s", to, ping.output()).isZero();
  }

  @Test
  void ipv6WorkloadsInEraA() {
    try (CalicoClient calico = client(WireFormat.ERA_A)) {
      TestNamespace wa = workload();
      TestNamespace wb = workload();
      WorkloadEndpoint a = calico.addContainer(wa.path().toString(), "fd00:124::5");
      WorkloadEndpoint b = calico.addContainer(wb.path().toString(), "ipv6");

      assertThat(stored(a))
          .isEqualTo(
              "{\"state\": \"active\", \"name\": \""
                  + a.name()
                  + "\", \"mac\": \""
                  + a.mac()
                  + "\", \"profile_ids\": [], \"ipv4_nets\": [], \"ipv6_nets\":"
                  + " [\"fd00:124::5/128\"], \"ipv4_gateway\": null, \"ipv6_gateway\": \""
                  + NEXT_HOP_V6
                  + "\"}");
      String bIp = InetAddresses.toAddrString(b.ipv6Nets().get(0).address());
      assertThat(bIp).startsWith("fd00:124:");

      // The container: the /128, the on-link route to the next hop and the default route via it.
      assertThat(IpOracle.addresses(wa.name(), "eth1")).contains("fd00:124::5/128");
      assertThat(routes(wa.name(), false))
          .contains(NEXT_HOP_V6 + " - eth1", "default " + NEXT_HOP_V6 + " eth1");
      // The host: the /128 route, proxy NDP, and the next hop proxied on the cali link.
      assertThat(routes(hostNs.name(), false)).contains("fd00:124::5 - " + a.name());
      assertThat(IpOracle.sysctl(hostNs.name(), "net.ipv6.conf." + a.name() + ".proxy_ndp"))
          .isEqualTo("1");
      assertThat(hostNs.ip("-6", "neigh", "show", "proxy", "dev", a.name())).contains(NEXT_HOP_V6);

      pingOnce(wa, bIp);

      calico.removeContainer(wa.path().toString());
      calico.removeContainer(wb.path().toString());
      ClientFixture.assertNothingLeft(
          store, HOST, "namespace", wa.path().toString().replace('/', '-'), hostNs, wa);
      assertThat(routes(hostNs.name(), false)).noneMatch(r -> r.startsWith("fd00:124:"));
      assertThat(ClientFixture.allocated(store)).isEmpty();
    }
  }

  @Test
  void aSecondFamilyAddedWithIpAddGetsItsRoutesHostSideAndGateway() {
    try (CalicoClient calico = client(WireFormat.ERA_A)) {
      TestNamespace wa = workload();
      TestNamespace wb = workload();
      String path = wa.path().toString();
      calico.addContainer(path, "ipv4");
      WorkloadEndpoint b = calico.addContainer(wb.path().toString(), "fd00:124::7");
      WorkloadEndpoint dual =
          calico.addIp(
              new WorkloadRef("namespace", path.replace('/', '-'), wa.path()),
              IpRequest.parse("fd00:124::6"),
              InterfaceName.of("eth1"));
      assertThat(dual.ipv6Nets()).extracting(Cidr::toString).containsExactly("fd00:124::6/128");
      assertThat(stored(dual)).contains("\"ipv6_gateway\": \"" + NEXT_HOP_V6 + "\"");
      assertThat(routes(wa.name(), false))
          .contains(NEXT_HOP_V6 + " - eth1", "default " + NEXT_HOP_V6 + " eth1");
      assertThat(routes(hostNs.name(), false)).contains("fd00:124::6 - " + dual.name());
      assertThat(IpOracle.sysctl(hostNs.name(), "net.ipv6.conf." + dual.name() + ".proxy_ndp"))
          .isEqualTo("1");
      pingOnce(wa, InetAddresses.toAddrString(b.ipv6Nets().get(0).address()));
      calico.removeContainer(path);
      calico.removeContainer(wb.path().toString());
      ClientFixture.assertNothingLeft(store, HOST, "namespace", path.replace('/', '-'), hostNs, wa);
      assertThat(ClientFixture.allocated(store)).isEmpty();
    }
  }

  @Test
  void eraBWorkloadsUseTheLinkLocalNextHops() {
    // In era B nobody owns 169.254.1.1: the host answers for it by proxy ARP, which needs a route
    // to it that does not point back into the cali link. A real host has its default route.
    // (A veth pair inside the test host: this kernel may have no dummy driver.)
    hostNs.ip("link", "add", "cjtdflt0", "type", "veth", "peer", "name", "cjtdflt1");
    hostNs.ip("link", "set", "cjtdflt1", "up");
    hostNs.ip("link", "set", "cjtdflt0", "up");
    hostNs.ip("route", "add", "default", "dev", "cjtdflt0");
    try (CalicoClient calico = client(WireFormat.ERA_B)) {
      TestNamespace w1 = workload();
      TestNamespace w2 = workload();
      TestNamespace w3 = workload();
      TestNamespace w4 = workload();
      WorkloadEndpoint v4a = calico.addContainer(w1.path().toString(), "10.124.0.5");
      WorkloadEndpoint v4b = calico.addContainer(w2.path().toString(), "ipv4");
      WorkloadEndpoint v6a = calico.addContainer(w3.path().toString(), "fd00:124::7");
      WorkloadEndpoint v6b = calico.addContainer(w4.path().toString(), "ipv6");

      // No gateway fields; labels, as libcalico v0.13+ writes them.
      assertThat(stored(v4a))
          .isEqualTo(
              "{\"state\": \"active\", \"name\": \""
                  + v4a.name()
                  + "\", \"mac\": \""
                  + v4a.mac()
                  + "\", \"profile_ids\": [], \"ipv4_nets\": [\"10.124.0.5/32\"], \"ipv6_nets\":"
                  + " [], \"labels\": {}}");
      assertThat(stored(v6a)).doesNotContain("gateway").contains("[\"fd00:124::7/128\"]");

      assertThat(routes(w1.name(), true))
          .contains("169.254.1.1 - eth1", "default 169.254.1.1 eth1");
      assertThat(routes(w3.name(), false)).contains("default fe80::ecee:eeff:feee:eeee eth1");
      // The host end's link-local is that next hop: it is derived from the fixed host-side MAC.
      assertThat(IpOracle.addresses(hostNs.name(), v6a.name()))
          .contains("fe80::ecee:eeff:feee:eeee/64");

      pingOnce(w1, InetAddresses.toAddrString(v4b.ipv4Nets().get(0).address()));
      pingOnce(w3, InetAddresses.toAddrString(v6b.ipv6Nets().get(0).address()));

      calico.removeContainers(
          List.of(
              w1.path().toString(),
              w2.path().toString(),
              w3.path().toString(),
              w4.path().toString()));
      assertThat(calico.endpoints()).isEmpty();
      assertThat(ClientFixture.allocated(store)).isEmpty();
      assertThat(IpOracle.linkNames(hostNs.name(), "cali")).isEmpty();
    }
  }
}
