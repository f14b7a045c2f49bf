package io.github.calicoj.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ValuesTest {

  @Test
  void interfaceNames() {
    assertThat(InterfaceName.of("cali0123456789a").value()).hasSize(15);
    for (String bad :
        new String[] {"", "cali0123456789ab", "a/b", "a b", "a:b", ".", "..", "a\tb"}) {
      assertThatThrownBy(() -> InterfaceName.of(bad))
          .as("%s", bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    // 15 bytes counts UTF-8 bytes, not chars.
    assertThatThrownBy(() -> InterfaceName.of("éééééééé"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void namespaceIdentitiesRoundTripAndCompareDeviceAndInode() {
    NetNs.Identity id = new NetNs.Identity(4, 4026532281L);
    assertThat(id.toString()).isEqualTo("4:4026532281");
    assertThat(NetNs.Identity.parse(id.toString())).isEqualTo(id).hasSameHashCodeAs(id);
    assertThat(new NetNs.Identity(5, 4026532281L)).isNotEqualTo(id);
    for (String bad : new String[] {"", "4", ":4", "4:", "a:b", "4:5:6", "-1:2"}) {
      assertThatThrownBy(() -> NetNs.Identity.parse(bad))
          .as("%s", bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(bad);
    }
  }

  @Test
  void linksKnowTheirKindAndVethPeersTheirNamespace() {
    Link plain = new Link(1, InterfaceName.of("lo"), MacAddress.ZERO, 65536, true, 0);
    assertThat(plain.isVeth()).isFalse();
    assertThat(plain.linkNetnsId()).isEqualTo(Link.SAME_NAMESPACE);
    Link veth =
        new Link(7, InterfaceName.of("cali1"), MacAddress.CALICO_HOST, 1500, true, 0, "veth", 2, 0);
    assertThat(veth.isVeth()).isTrue();
    assertThat(new VethPeer(2, InterfaceName.of("eth1"), 0).inSameNamespace()).isFalse();
    assertThat(new VethPeer(2, InterfaceName.of("eth1"), -1).inSameNamespace()).isTrue();
    assertThatThrownBy(() -> new VethPeer(0, InterfaceName.of("eth1"), 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new VethPeer(2, InterfaceName.of("eth1"), -2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-2");
  }

  @Test
  void caliLinkConfigs() throws Exception {
    InetAddress gw6 = InetAddress.getByName("fd00::1");
    assertThat(CaliLinkConfig.IPV4.ipv4()).isTrue();
    assertThat(CaliLinkConfig.IPV4.ipv6()).isFalse();
    CaliLinkConfig both = CaliLinkConfig.IPV4.withIpv6(gw6);
    assertThat(both.ipv4()).isTrue();
    assertThat(both.ipv6()).isTrue();
    assertThat(both.ipv6ProxyNeighbors()).containsExactly(gw6);
    assertThat(CaliLinkConfig.ipv6Only().ipv6ProxyNeighbors()).isEmpty();
    assertThatThrownBy(() -> new CaliLinkConfig(false, false, java.util.List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CaliLinkConfig(true, false, java.util.List.of(gw6)))
        .isInstanceOf(IllegalArgumentException.class);
    InetAddress v4 = InetAddress.getByName("169.254.1.1");
    assertThatThrownBy(() -> CaliLinkConfig.ipv6Only(v4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("169.254.1.1");
  }

  @Test
  void macAddressesRoundTripLowercase() {
    MacAddress m = MacAddress.parse("EE:EE:ee:0A:0b:FF");
    assertThat(m.toString()).isEqualTo("ee:ee:ee:0a:0b:ff");
    assertThat(MacAddress.parse(m.toString())).isEqualTo(m).hasSameHashCodeAs(m);
    assertThat(MacAddress.CALICO_HOST.isLocallyAdministeredUnicast()).isTrue();
    assertThatThrownBy(() -> MacAddress.parse("ee:ee:ee:ee:ee"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ee:ee:ee:ee:ee");
    assertThatThrownBy(() -> MacAddress.of(new byte[5]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void prefixes() throws Exception {
    assertThat(IpPrefix.parse("10.65.0.7").toString()).isEqualTo("10.65.0.7/32");
    assertThat(IpPrefix.parse("fd00:0::7/128").toString()).isEqualTo("fd00::7/128");
    assertThat(IpPrefix.parse("10.0.0.0/8").prefixLength()).isEqualTo(8);
    assertThatThrownBy(() -> IpPrefix.parse("10.0.0.1/33"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("33");
    assertThatThrownBy(() -> IpPrefix.parse("nope")).hasMessageContaining("nope");
    assertThat(IpPrefix.host(InetAddress.getByName("::1")).prefixLength()).isEqualTo(128);
  }

  @Test
  void routesPrintAsIpRoute() throws Exception {
    InterfaceName eth1 = InterfaceName.of("eth1");
    InetAddress gw = InetAddress.getByName("169.254.1.1");
    assertThat(Route.onLink(gw, eth1).toString()).isEqualTo("169.254.1.1/32 dev eth1 scope link");
    assertThat(Route.defaultVia(gw, eth1).toString()).isEqualTo("default via 169.254.1.1 dev eth1");
    assertThat(Route.defaultVia(InetAddress.getByName("fd00::1"), eth1).destination().toString())
        .isEqualTo("::/0");
    assertThatThrownBy(
            () ->
                new Route(IpPrefix.parse("10.0.0.0/8"), InetAddress.getByName("::1"), eth1, false))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ownedRoutesCheckTheirFieldsAndPrintAsIpRoute() throws Exception {
    IpPrefix block = IpPrefix.parse("10.65.1.0/26");
    InetAddress gw = InetAddress.getByName("172.31.0.2");
    InterfaceName cali = InterfaceName.of("cali0123456789a");
    assertThat(OwnedRoute.via(block, gw, 202).toString())
        .isEqualTo("10.65.1.0/26 via 172.31.0.2 proto 202");
    assertThat(OwnedRoute.blackhole(block, 202).toString())
        .isEqualTo("blackhole 10.65.1.0/26 proto 202");
    assertThat(OwnedRoute.device(IpPrefix.parse("10.65.0.7/32"), cali, 202).toString())
        .isEqualTo("10.65.0.7/32 dev cali0123456789a proto 202 scope link");
    assertThatThrownBy(() -> OwnedRoute.blackhole(IpPrefix.parse("10.65.1.1/26"), 202))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("host bits");
    assertThatThrownBy(() -> OwnedRoute.blackhole(block, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("protocol 3");
    assertThatThrownBy(() -> OwnedRoute.via(block, InetAddress.getByName("fd00::1"), 202))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("families");
    assertThatThrownBy(() -> new OwnedRoute(block, OwnedRoute.Kind.DEVICE, null, null, 202))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(OwnedRoute.blackhole(IpPrefix.parse("0.0.0.0/0"), 202).destination().prefixLength())
        .isZero();
  }

  @Test
  void aWantedRouteMatchesTheListedOneWhateverDeviceTheKernelChose() throws Exception {
    IpPrefix block = IpPrefix.parse("10.65.1.0/26");
    InetAddress gw = InetAddress.getByName("172.31.0.2");
    OwnedRoute listed =
        new OwnedRoute(block, OwnedRoute.Kind.VIA, gw, InterfaceName.of("eth0"), 202);
    assertThat(OwnedRoute.via(block, gw, 202).matches(listed)).isTrue();
    assertThat(OwnedRoute.via(block, InetAddress.getByName("172.31.0.3"), 202).matches(listed))
        .isFalse();
    assertThat(OwnedRoute.via(block, gw, 203).matches(listed)).isFalse();
    assertThat(OwnedRoute.blackhole(block, 202).matches(listed)).isFalse();
    assertThat(OwnedRoute.blackhole(block, 202).matches(OwnedRoute.blackhole(block, 202))).isTrue();
  }

  @Test
  void exceptionMessageFormat() {
    NetnsException e =
        new NetnsException(
            "RTM_NEWADDR",
            "10.65.0.7/32 dev cali0123456789a",
            17,
            "EEXIST",
            "File exists",
            "ipv4: Address already assigned",
            null);
    assertThat(e.getMessage())
        .isEqualTo(
            "RTM_NEWADDR 10.65.0.7/32 dev cali0123456789a failed: EEXIST (File exists): ipv4:"
                + " Address already assigned");
    assertThat(e.isAlreadyExists()).isTrue();
    assertThat(e.isNotFound()).isFalse();
  }
}
