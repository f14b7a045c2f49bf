package io.github.calicoj.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.calicoj.testkit.IpOracle;
import io.github.calicoj.testkit.Processes;
import io.github.calicoj.testkit.Requirements;
import io.github.calicoj.testkit.TestNamespace;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Netlink against the real kernel, as root, in namespaces the test makes itself: a test "host"
 * namespace and a workload namespace. Every result is checked with {@code ip -j}.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class NetlinkIT {
  private TestNamespace hostNs;
  private TestNamespace workloadNs;
  private NetNs host;
  private NetNs workload;
  private Netlink hostNl;
  private Netlink workloadNl;
  private final InterfaceName eth1 = InterfaceName.of("eth1");
  private InterfaceName cali;

  @BeforeEach
  void setUp() {
    Requirements.requireRoot();
    Requirements.require(
        NetnsSupport.isAvailable(), "netns support: " + NetnsSupport.unavailabilityCause());
    hostNs = TestNamespace.create();
    workloadNs = TestNamespace.create();
    host = NetNs.open(hostNs.path());
    workload = NetNs.open(workloadNs.path());
    hostNl = Netlink.openIn(host);
    workloadNl = Netlink.openIn(workload);
    cali = InterfaceName.of("cjt" + UUID.randomUUID().toString().substring(0, 8));
  }

  @AfterEach
  void tearDown() {
    for (AutoCloseable c :
        new AutoCloseable[] {hostNl, workloadNl, host, workload, hostNs, workloadNs}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // keep closing the rest
      }
    }
  }

  @Test
  void vethPeerIsBornInTheWorkloadNamespaceUnderItsFinalName() {
    Link created =
        hostNl.createVeth(
            cali, eth1, workload, VethOptions.DEFAULT.withHostMac(MacAddress.CALICO_HOST));

    assertThat(created.name()).isEqualTo(cali);
    assertThat(created.up()).isTrue();
    assertThat(created.mac()).isEqualTo(MacAddress.CALICO_HOST);
    JsonNode hostLink = IpOracle.link(hostNs.name(), cali.value()).orElseThrow();
    assertThat(hostLink.path("ifindex").asInt()).isEqualTo(created.index());
    assertThat(hostLink.path("address").asText()).isEqualTo("ee:ee:ee:ee:ee:ee");
    assertThat(flags(hostLink)).contains("UP");
    // The peer exists only in the workload namespace, with its final name.
    assertThat(IpOracle.link(hostNs.name(), "eth1")).isEmpty();
    JsonNode peer = IpOracle.link(workloadNs.name(), "eth1").orElseThrow();
    Link inside = workloadNl.link(eth1);
    assertThat(peer.path("address").asText()).isEqualTo(inside.mac().toString());
    assertThat(peer.path("ifindex").asInt()).isEqualTo(inside.index());
    assertThat(inside.mac().isLocallyAdministeredUnicast()).isTrue();
    assertThat(hostNl.exists(cali)).isTrue();
    assertThat(workloadNl.exists(cali)).isFalse();
  }

  @Test
  void aVethsPeerAndItsNamespaceAreKnownFromTheHostSide() {
    Link created = hostNl.createVeth(cali, eth1, workload);

    JsonNode detail = IpOracle.ipJson(hostNs.name(), "-d", "link", "show", cali.value()).get(0);
    JsonNode peer = IpOracle.link(workloadNs.name(), "eth1").orElseThrow();
    Link link = hostNl.link(cali);
    assertThat(link.isVeth()).isTrue();
    assertThat(link.kind()).isEqualTo(detail.path("linkinfo").path("info_kind").asText());
    assertThat(link.linkIndex())
        .isEqualTo(detail.path("link_index").asInt())
        .isEqualTo(peer.path("ifindex").asInt());
    assertThat(detail.has("link_netnsid")).isTrue();
    assertThat(link.linkNetnsId()).isEqualTo(detail.path("link_netnsid").asInt());

    VethPeer p = hostNl.peerOf(cali).orElseThrow();
    assertThat(p).isEqualTo(new VethPeer(peer.path("ifindex").asInt(), eth1, link.linkNetnsId()));
    assertThat(p.inSameNamespace()).isFalse();
    assertThat(hostNl.namespaceId(workload)).hasValue(netnsIdOf(hostNs, workloadNs));
    assertThat(hostNl.namespaceId(workload)).hasValue(p.namespaceId());
    assertThat(hostNl.isVethPeer(cali, workload, eth1)).isTrue();

    // Seen from the workload, the peer is the host end in the host namespace.
    Link inside = workloadNl.link(eth1);
    assertThat(inside.isVeth()).isTrue();
    assertThat(inside.linkIndex()).isEqualTo(created.index());
    assertThat(workloadNl.peerOf(eth1).orElseThrow().name()).isEqualTo(cali);
    assertThat(workloadNl.isVethPeer(eth1, host, cali)).isTrue();

    // Every other question is answered no.
    assertThat(hostNl.isVethPeer(cali, workload, InterfaceName.of("eth2"))).isFalse();
    assertThat(hostNl.isVethPeer(cali, host, eth1)).isFalse();
    assertThat(hostNl.isVethPeer(InterfaceName.of("cjtmissing0"), workload, eth1)).isFalse();
    assertThat(hostNl.peerOf(InterfaceName.of("lo"))).isEmpty();
    assertThat(hostNl.isVethPeer(InterfaceName.of("lo"), workload, eth1)).isFalse();
    assertThat(hostNl.link(InterfaceName.of("lo")).kind()).isEmpty();
    assertThatThrownBy(() -> hostNl.peerOf(InterfaceName.of("cjtmissing0")))
        .isInstanceOfSatisfying(NetnsException.class, e -> assertThat(e.isNotFound()).isTrue());
  }

  @Test
  void anEth1OfTheSameNameAndIndexInAnotherNamespaceIsNotThePeer() {
    hostNl.createVeth(cali, eth1, workload);
    InterfaceName decoy = InterfaceName.of("cjtd" + UUID.randomUUID().toString().substring(0, 8));
    try (TestNamespace otherNs = TestNamespace.create();
        NetNs other = NetNs.open(otherNs.path())) {
      // A namespace the host knows no id for yet: none is reported.
      assertThat(hostNl.namespaceId(other)).isEmpty();
      assertThat(netnsIdOf(hostNs, otherNs)).isNull();
      hostNl.createVeth(decoy, eth1, other);
      assertThat(IpOracle.link(otherNs.name(), "eth1").orElseThrow().path("ifindex").asInt())
          .isEqualTo(
              IpOracle.link(workloadNs.name(), "eth1").orElseThrow().path("ifindex").asInt());
      assertThat(hostNl.namespaceId(other)).hasValue(netnsIdOf(hostNs, otherNs));
      assertThat(hostNl.namespaceId(other)).isNotEqualTo(hostNl.namespaceId(workload));
      assertThat(hostNl.isVethPeer(cali, other, eth1)).isFalse();
      assertThat(hostNl.isVethPeer(decoy, workload, eth1)).isFalse();
      assertThat(hostNl.isVethPeer(decoy, other, eth1)).isTrue();
    } finally {
      hostNl.deleteLinkIfExists(decoy);
    }
  }

  @Test
  void aVethWithBothEndsInOneNamespace() {
    InterfaceName tmp = InterfaceName.of("cjtt" + UUID.randomUUID().toString().substring(0, 8));
    hostNl.createVeth(cali, tmp, host);
    JsonNode detail = IpOracle.ipJson(hostNs.name(), "-d", "link", "show", cali.value()).get(0);
    assertThat(detail.has("link_netnsid")).isFalse();
    VethPeer p = hostNl.peerOf(cali).orElseThrow();
    assertThat(p.inSameNamespace()).isTrue();
    assertThat(p.name()).isEqualTo(tmp);
    assertThat(p.index())
        .isEqualTo(IpOracle.link(hostNs.name(), tmp.value()).orElseThrow().path("ifindex").asInt());
    assertThat(hostNl.isVethPeer(cali, host, tmp)).isTrue();
    assertThat(hostNl.isVethPeer(tmp, host, cali)).isTrue();
    assertThat(hostNl.isVethPeer(cali, workload, tmp)).isFalse();
  }

  @Test
  void fullWorkloadSequenceIpv4() throws Exception {
    InetAddress gw = InetAddress.getByName("169.254.1.1");
    hostNl.createVeth(cali, eth1, workload);
    workloadNl.setUp(eth1);
    workloadNl.addAddress(eth1, IpPrefix.parse("10.99.0.7/32"));
    workloadNl.addRoute(Route.onLink(gw, eth1));
    workloadNl.addRoute(Route.defaultVia(gw, eth1));
    MacAddress mac = workloadNl.link(eth1).mac();

    JsonNode link = IpOracle.link(workloadNs.name(), "eth1").orElseThrow();
    assertThat(flags(link)).contains("UP");
    assertThat(link.path("address").asText()).isEqualTo(mac.toString());
    assertThat(IpOracle.addresses(workloadNs.name(), "eth1")).contains("10.99.0.7/32");
    List<JsonNode> routes = IpOracle.routes(workloadNs.name(), true);
    assertThat(routes)
        .anySatisfy(
            r -> {
              assertThat(r.path("dst").asText()).isEqualTo("169.254.1.1");
              assertThat(r.path("dev").asText()).isEqualTo("eth1");
              assertThat(r.path("scope").asText()).isEqualTo("link");
            });
    assertThat(routes)
        .anySatisfy(
            r -> {
              assertThat(r.path("dst").asText()).isEqualTo("default");
              assertThat(r.path("gateway").asText()).isEqualTo("169.254.1.1");
              assertThat(r.path("dev").asText()).isEqualTo("eth1");
            });
  }

  @Test
  void configureInterfaceBringsTheWorkloadUpInOneRoundTrip() throws Exception {
    InetAddress gw = InetAddress.getByName("169.254.1.1");
    hostNl.createVeth(cali, eth1, workload);
    Link link = workloadNl.link(eth1);
    assertThat(link.up()).isFalse();
    List<IpPrefix> addresses = List.of(IpPrefix.parse("10.99.0.7/32"));
    List<Route> routes = List.of(Route.onLink(gw, eth1), Route.defaultVia(gw, eth1));

    workloadNl.configureInterface(link, addresses, routes);
    workloadNl.configureInterface(link, addresses, routes); // idempotent

    assertThat(flags(IpOracle.link(workloadNs.name(), "eth1").orElseThrow())).contains("UP");
    assertThat(IpOracle.addresses(workloadNs.name(), "eth1"))
        .filteredOn(a -> !a.startsWith("fe80:"))
        .containsExactly("10.99.0.7/32");
    List<JsonNode> installed = IpOracle.routes(workloadNs.name(), true);
    assertThat(installed)
        .anySatisfy(
            r -> {
              assertThat(r.path("dst").asText()).isEqualTo("169.254.1.1");
              assertThat(r.path("scope").asText()).isEqualTo("link");
              assertThat(r.path("dev").asText()).isEqualTo("eth1");
            });
    assertThat(installed)
        .anySatisfy(
            r -> {
              assertThat(r.path("dst").asText()).isEqualTo("default");
              assertThat(r.path("gateway").asText()).isEqualTo("169.254.1.1");
            });
    assertThatThrownBy(
            () ->
                workloadNl.configureInterface(
                    link, addresses, List.of(Route.onLink(gw, InterfaceName.of("eth9")))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("eth9");
  }

  @Test
  void configureInterfaceReportsTheFirstRefusedStepAndStillRunsTheRest() throws Exception {
    InetAddress gw = InetAddress.getByName("169.254.1.1");
    hostNl.createVeth(cali, eth1, workload);
    Link link = workloadNl.link(eth1);
    // The default route first: its gateway is not reachable yet.
    assertThatThrownBy(
            () ->
                workloadNl.configureInterface(
                    link,
                    List.of(IpPrefix.parse("10.99.0.8/32")),
                    List.of(Route.defaultVia(gw, eth1), Route.onLink(gw, eth1))))
        .isInstanceOfSatisfying(
            NetnsException.class,
            e -> {
              assertThat(e.errno()).isEqualTo(NetnsException.ENETUNREACH);
              assertThat(e.getMessage()).contains("default via 169.254.1.1 dev eth1");
            });
    assertThat(IpOracle.addresses(workloadNs.name(), "eth1")).contains("10.99.0.8/32");
    assertThat(IpOracle.routes(workloadNs.name(), true))
        .anySatisfy(r -> assertThat(r.path("dst").asText()).isEqualTo("169.254.1.1"))
        .noneSatisfy(r -> assertThat(r.path("dst").asText()).isEqualTo("default"));
    // A link made again has another index: the old snapshot is refused.
    hostNl.deleteLink(cali);
    hostNl.createVeth(cali, eth1, workload);
    assertThatThrownBy(() -> workloadNl.configureInterface(link, List.of(), List.of()))
        .isInstanceOfSatisfying(NetnsException.class, e -> assertThat(e.isNotFound()).isTrue());
  }

  @Test
  void aSocketOpenedAndClosedUnusedLeaksNothing() throws Exception {
    Netlink warm = Netlink.openIn(workload);
    warm.links();
    warm.close();
    long fds = openFds();
    for (int i = 0; i < 50; i++) {
      Netlink.openIn(workload).close(); // closed while the socket may still be in the making
    }
    Netlink used = Netlink.openIn(workload);
    assertThat(used.links()).extracting(l -> l.name().value()).contains("lo");
    used.close();
    used.close(); // idempotent
    assertThatThrownBy(used::links).isInstanceOf(IllegalStateException.class);
    // Sockets closed before they were made are closed when they arrive: wait for the switcher.
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (openFds() > fds + 5 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(openFds()).isLessThan(fds + 5); // a leak would be 50 or 100 more
  }

  private static long openFds() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count();
    }
  }

  @Test
  void ipv6AddressIsUsableAtOnceAndRoutesWork() throws Exception {
    InetAddress gw = InetAddress.getByName("fe80::1");
    hostNl.createVeth(cali, eth1, workload);
    workloadNl.setUp(eth1);
    workloadNl.addAddress(eth1, IpPrefix.parse("fd00:99::7/128"));
    workloadNl.addRoute(Route.onLink(InetAddress.getByName("fd00:99::1"), eth1));
    workloadNl.addRoute(Route.defaultVia(InetAddress.getByName("fd00:99::1"), eth1));

    JsonNode addrs = IpOracle.ipJson(workloadNs.name(), "addr", "show", "dev", "eth1");
    JsonNode ours = null;
    for (JsonNode a : addrs.get(0).path("addr_info")) {
      if (a.path("local").asText().equals("fd00:99::7")) {
        ours = a;
      }
    }
    assertThat(ours).isNotNull();
    assertThat(ours.path("prefixlen").asInt()).isEqualTo(128);
    assertThat(ours.has("tentative")).as("no DAD: %s", ours).isFalse();
    assertThat(IpOracle.routes(workloadNs.name(), false))
        .anySatisfy(
            r -> {
              assertThat(r.path("dst").asText()).isEqualTo("default");
              assertThat(r.path("gateway").asText()).isEqualTo("fd00:99::1");
            });
    assertThat(gw.isLinkLocalAddress()).isTrue();
  }

  @Test
  void defaultRouteBeforeOnLinkRouteIsRefusedWithEnetunreach() throws Exception {
    hostNl.createVeth(cali, eth1, workload);
    workloadNl.setUp(eth1);
    InetAddress gw = InetAddress.getByName("169.254.1.1");
    assertThatThrownBy(() -> workloadNl.addRoute(Route.defaultVia(gw, eth1)))
        .isInstanceOfSatisfying(
            NetnsException.class,
            e -> {
              assertThat(e.errno()).isEqualTo(NetnsException.ENETUNREACH);
              assertThat(e.errnoName()).isEqualTo("ENETUNREACH");
              assertThat(e.operation()).isEqualTo("RTM_NEWROUTE");
              assertThat(e.getMessage()).contains("default via 169.254.1.1 dev eth1");
            });
  }

  @Test
  void duplicateNameIsEexist() {
    hostNl.createVeth(cali, eth1, workload);
    InterfaceName other = InterfaceName.of("cjtx" + UUID.randomUUID().toString().substring(0, 6));
    assertThatThrownBy(() -> hostNl.createVeth(cali, InterfaceName.of("eth2"), workload))
        .isInstanceOfSatisfying(
            NetnsException.class, e -> assertThat(e.isAlreadyExists()).isTrue());
    assertThatThrownBy(() -> hostNl.createVeth(other, eth1, workload))
        .isInstanceOfSatisfying(
            NetnsException.class,
            e -> {
              assertThat(e.errno()).isEqualTo(NetnsException.EEXIST);
              assertThat(e.getMessage()).contains(other.value()).contains("EEXIST");
            });
    // Nothing half-made was left behind.
    assertThat(IpOracle.link(hostNs.name(), other.value())).isEmpty();
    assertThat(IpOracle.link(workloadNs.name(), "eth2")).isEmpty();
  }

  @Test
  void sixteenByteNameIsRefusedBeforeAnySyscall() {
    assertThatThrownBy(() -> InterfaceName.of("cjt0123456789abc"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("16 bytes")
        .hasMessageContaining("cjt0123456789abc");
  }

  @Test
  void deletingAnAbsentLinkIsEnodevUnlessTolerant() {
    assertThatThrownBy(() -> hostNl.deleteLink(cali))
        .isInstanceOfSatisfying(
            NetnsException.class,
            e -> {
              assertThat(e.errno()).isEqualTo(NetnsException.ENODEV);
              assertThat(e.isNotFound()).isTrue();
            });
    assertThat(hostNl.deleteLinkIfExists(cali)).isFalse();
    assertThat(hostNl.findLink(cali)).isEmpty();
  }

  @Test
  void addressOnAMissingLinkIsEnodev() {
    assertThatThrownBy(() -> workloadNl.addAddress(eth1, IpPrefix.parse("10.99.0.8/32")))
        .isInstanceOfSatisfying(NetnsException.class, e -> assertThat(e.isNotFound()).isTrue());
  }

  @Test
  void duplicateAddressIsEexistWithTheKernelsText() {
    hostNl.createVeth(cali, eth1, workload);
    workloadNl.addAddress(eth1, IpPrefix.parse("10.99.0.9/32"));
    assertThatThrownBy(() -> workloadNl.addAddress(eth1, IpPrefix.parse("10.99.0.9/32")))
        .isInstanceOfSatisfying(
            NetnsException.class,
            e -> {
              assertThat(e.isAlreadyExists()).isTrue();
              assertThat(e.kernelMessage()).isPresent();
            });
    workloadNl.deleteAddress(eth1, IpPrefix.parse("10.99.0.9/32"));
    assertThat(IpOracle.addresses(workloadNs.name(), "eth1")).doesNotContain("10.99.0.9/32");
  }

  @Test
  void deletingTheHostEndRemovesBothEnds() {
    hostNl.createVeth(cali, eth1, workload);
    hostNl.deleteLink(cali);
    assertThat(IpOracle.link(hostNs.name(), cali.value())).isEmpty();
    assertThat(IpOracle.link(workloadNs.name(), "eth1")).isEmpty();
  }

  @Test
  void moveAndRenameInOneRequest() {
    InterfaceName tmp = InterfaceName.of("cjtt" + UUID.randomUUID().toString().substring(0, 8));
    hostNl.createVeth(cali, tmp, host); // both ends in the host namespace
    hostNl.moveToNamespace(tmp, workload, InterfaceName.of("eth2"));
    assertThat(IpOracle.link(hostNs.name(), tmp.value())).isEmpty();
    JsonNode moved = IpOracle.link(workloadNs.name(), "eth2").orElseThrow();
    assertThat(flags(moved)).doesNotContain("UP");
    workloadNl.setUp(InterfaceName.of("eth2"));
    assertThat(flags(IpOracle.link(workloadNs.name(), "eth2").orElseThrow())).contains("UP");
    workloadNl.setDown(InterfaceName.of("eth2"));
    assertThat(workloadNl.link(InterfaceName.of("eth2")).up()).isFalse();
  }

  @Test
  void bulkDeleteRemovesEveryNamedLinkAndNothingElse() throws Exception {
    List<InterfaceName> names = new ArrayList<>();
    List<TestNamespace> extra = new ArrayList<>();
    try {
      for (int i = 0; i < 6; i++) {
        TestNamespace ns = TestNamespace.create();
        extra.add(ns);
        try (NetNs n = NetNs.open(ns.path())) {
          InterfaceName name =
              InterfaceName.of("cjtb" + i + UUID.randomUUID().toString().substring(0, 6));
          hostNl.createVeth(name, eth1, n);
          names.add(name);
        }
      }
      hostNl.createVeth(cali, eth1, workload); // a bystander that must survive
      List<InterfaceName> toDelete = new ArrayList<>(names);
      toDelete.add(InterfaceName.of("cjtmissing0"));
      assertThat(hostNl.deleteLinks(toDelete)).isEqualTo(6);
      for (InterfaceName n : names) {
        assertThat(IpOracle.link(hostNs.name(), n.value())).isEmpty();
      }
      assertThat(IpOracle.link(hostNs.name(), cali.value())).isPresent();
      assertThat(hostNl.link(cali).group()).isZero();
    } finally {
      extra.forEach(TestNamespace::close);
    }
  }

  @Test
  void caliLinkIpv4HostSideIsSetInTheSocketsNamespace() {
    Link created = hostNl.createVeth(cali, eth1, workload);
    String conf = "net.ipv4.conf." + cali.value();
    String neigh = "net.ipv4.neigh." + cali.value();
    setWithSysctlTool(hostNs, conf + ".forwarding=0"); // new links may inherit 1
    assertThat(IpOracle.sysctl(hostNs.name(), conf + ".forwarding")).isEqualTo("0");
    assertThat(IpOracle.sysctl(hostNs.name(), conf + ".proxy_arp")).isEqualTo("0");
    assertThat(IpOracle.sysctl(hostNs.name(), neigh + ".proxy_delay")).isNotEqualTo("0");

    hostNl.configureCaliLink(created, CaliLinkConfig.IPV4);
    hostNl.configureCaliLink(cali, CaliLinkConfig.IPV4); // idempotent; by name

    assertThat(IpOracle.sysctl(hostNs.name(), conf + ".forwarding")).isEqualTo("1");
    assertThat(IpOracle.sysctl(hostNs.name(), conf + ".proxy_arp")).isEqualTo("1");
    assertThat(IpOracle.sysctl(hostNs.name(), neigh + ".proxy_delay")).isEqualTo("0");
    // IPv6 is untouched, and nothing happened in the real host's namespace.
    assertThat(IpOracle.sysctl(hostNs.name(), "net.ipv6.conf." + cali.value() + ".proxy_ndp"))
        .isEqualTo("0");
    assertThat(Files.exists(Path.of("/proc/sys/net/ipv4/conf/" + cali.value()))).isFalse();
  }

  @Test
  void caliLinkIpv6HostSideIsSysctlsAndAProxyNdpEntry() throws Exception {
    hostNl.createVeth(cali, eth1, workload);
    String conf = "net.ipv6.conf." + cali.value();
    setWithSysctlTool(hostNs, conf + ".forwarding=0");
    InetAddress gw = InetAddress.getByName("fd00:99::1");

    hostNl.configureCaliLink(cali, CaliLinkConfig.IPV4.withIpv6(gw));

    assertThat(IpOracle.sysctl(hostNs.name(), conf + ".forwarding")).isEqualTo("1");
    assertThat(IpOracle.sysctl(hostNs.name(), conf + ".proxy_ndp")).isEqualTo("1");
    assertThat(IpOracle.sysctl(hostNs.name(), "net.ipv4.conf." + cali.value() + ".proxy_arp"))
        .isEqualTo("1");
    JsonNode proxies = IpOracle.ipJson(hostNs.name(), "-6", "neigh", "show", "proxy");
    assertThat(proxies)
        .anySatisfy(
            n -> {
              assertThat(n.path("dst").asText()).isEqualTo("fd00:99::1");
              assertThat(n.path("dev").asText()).isEqualTo(cali.value());
            });
    assertThat(Files.exists(Path.of("/proc/sys/net/ipv6/conf/" + cali.value()))).isFalse();
  }

  @Test
  void caliLinkOfAMissingLinkIsNotFound() {
    assertThatThrownBy(() -> hostNl.configureCaliLink(cali, CaliLinkConfig.IPV4))
        .isInstanceOfSatisfying(
            NetnsException.class,
            e -> {
              assertThat(e.isNotFound()).isTrue();
              assertThat(e.getMessage()).contains(cali.value());
            });
  }

  @Test
  void manyCaliLinksAtOnceReportTheOnesThatFailed() throws Exception {
    Link first = hostNl.createVeth(cali, eth1, workload);
    InterfaceName other = InterfaceName.of(cali.value() + "b");
    Link second = hostNl.createVeth(other, InterfaceName.of("eth2"), workload);
    Link gone =
        hostNl.createVeth(InterfaceName.of(cali.value() + "c"), InterfaceName.of("eth3"), workload);
    hostNl.deleteLink(gone.name());
    Map<Link, CaliLinkConfig> all = new LinkedHashMap<>();
    all.put(first, CaliLinkConfig.IPV4);
    all.put(gone, CaliLinkConfig.IPV4);
    all.put(second, CaliLinkConfig.IPV4.withIpv6(InetAddress.getByName("fd00:99::1")));

    Map<InterfaceName, NetnsException> failed = hostNl.configureCaliLinks(all);

    assertThat(failed).containsOnlyKeys(gone.name());
    assertThat(failed.get(gone.name()).isNotFound()).isTrue();
    for (InterfaceName l : List.of(cali, other)) {
      assertThat(IpOracle.sysctl(hostNs.name(), "net.ipv4.conf." + l.value() + ".proxy_arp"))
          .isEqualTo("1");
      assertThat(IpOracle.sysctl(hostNs.name(), "net.ipv4.neigh." + l.value() + ".proxy_delay"))
          .isEqualTo("0");
    }
    assertThat(IpOracle.sysctl(hostNs.name(), "net.ipv6.conf." + other.value() + ".proxy_ndp"))
        .isEqualTo("1");
    assertThat(IpOracle.sysctl(hostNs.name(), "net.ipv6.conf." + cali.value() + ".proxy_ndp"))
        .isEqualTo("0");
    assertThat(hostNl.configureCaliLinks(Map.of())).isEmpty();
  }

  @Test
  void proxyNdpEntryForTheGateway() throws Exception {
    hostNl.createVeth(cali, eth1, workload);
    hostNl.addProxyNeighbor(cali, InetAddress.getByName("fd00:99::1"));
    hostNl.addProxyNeighbor(cali, InetAddress.getByName("fd00:99::1")); // idempotent
    String out = hostNs.ip("-6", "neigh", "show", "proxy");
    assertThat(out).contains("fd00:99::1").contains(cali.value());
  }

  @Test
  void linksListsTheNamespace() {
    hostNl.createVeth(cali, eth1, workload);
    List<Link> links = hostNl.links();
    assertThat(links).extracting(l -> l.name().value()).contains("lo", cali.value());
    Optional<Link> lo = links.stream().filter(l -> l.name().value().equals("lo")).findFirst();
    assertThat(lo.orElseThrow().mac()).isEqualTo(MacAddress.ZERO);
  }

  /** {@code ip netns exec NS sysctl -qw KEY=VALUE}: independent of the code under test. */
  private static void setWithSysctlTool(TestNamespace ns, String assignment) {
    Processes.run(
        List.of("ip", "netns", "exec", ns.name(), "sysctl", "-qw", assignment),
        Duration.ofSeconds(10));
  }

  /** The id that namespace {@code from} gives {@code to}, per {@code ip netns list-id}; or null. */
  private static Integer netnsIdOf(TestNamespace from, TestNamespace to) {
    // ip prints an error line for every named namespace it cannot open (a stale entry of
    // another process's); only its JSON on stdout is the answer.
    String json =
        Processes.run(
            List.of("sh", "-c", "ip -j -n '" + from.name() + "' netns list-id 2>/dev/null"),
            Duration.ofSeconds(10));
    JsonNode ids;
    try {
      ids = new ObjectMapper().readTree(json.isBlank() ? "[]" : json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Bad JSON from ip netns list-id: " + json, e);
    }
    for (JsonNode id : ids) {
      if (to.name().equals(id.path("name").asText())) {
        return id.path("nsid").asInt();
      }
    }
    return null;
  }

  private static List<String> flags(JsonNode link) {
    List<String> out = new ArrayList<>();
    link.path("flags").forEach(f -> out.add(f.asText()));
    return out;
  }
}
