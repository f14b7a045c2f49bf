package io.github.calicoj.netns.internal.msg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Byte-exact golden tests for every request the codec builds. The expected bytes are written by
 * hand from the kernel UAPI layouts ({@code linux/netlink.h}, {@code linux/rtnetlink.h}, {@code
 * linux/if_link.h}, ...), little-endian (x86-64, arm64), with a comment per field.
 */
class RequestsTest {

  @BeforeAll
  static void littleEndianHost() {
    assertThat(ByteOrder.nativeOrder()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
  }

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replaceAll("[\\s|]", ""));
  }

  private interface Writer {
    int write(ByteBuffer buf);
  }

  private static byte[] build(Writer w) {
    ByteBuffer buf = ByteBuffer.allocate(4096).order(ByteOrder.nativeOrder());
    int len = w.write(buf);
    byte[] out = new byte[len];
    buf.get(0, out);
    return out;
  }

  @Test
  void newVethWithPeerBornInNamespace() {
    byte[] mac = hex("eeeeeeeeeeee");
    byte[] got = build(b -> Requests.newVeth(b, 1, "cali1", "eth1", 7, mac, 1500, 0, true));
    byte[] want =
        hex(
            "80000000 1000 0d06 01000000 00000000" // nlmsghdr: len 128, RTM_NEWLINK,
                // REQ|ACK|ECHO|EXCL|CREATE, seq 1
                + "00 00 0000 00000000 01000000 01000000" // ifinfomsg: index 0, flags UP, change UP
                + "0a00 0300 63616c693100 0000" // IFLA_IFNAME "cali1\0" + 2 pad
                + "0a00 0100 eeeeeeeeeeee 0000" // IFLA_ADDRESS + 2 pad
                + "0800 0400 dc050000" // IFLA_MTU 1500
                + "4000 1200" // IFLA_LINKINFO, 64 bytes
                + "0800 0100 76657468" //   IFLA_INFO_KIND "veth" (no NUL)
                + "3400 0200" //   IFLA_INFO_DATA, 52 bytes
                + "3000 0100" //     VETH_INFO_PEER, 48 bytes
                + "00 00 0000 00000000 00000000 00000000" //       raw ifinfomsg, flags 0
                + "0900 0300 6574683100 000000" //       IFLA_IFNAME "eth1\0" + 3 pad
                + "0800 1c00 07000000" //       IFLA_NET_NS_FD 7
                + "0800 0400 dc050000"); //       IFLA_MTU 1500
    assertThat(got).isEqualTo(want);
  }

  @Test
  void newVethMinimalWithGroupAndHostDown() {
    byte[] got = build(b -> Requests.newVeth(b, 2, "c", "e", 3, null, 0, 0x63610001, false));
    byte[] want =
        hex(
            "64000000 1000 0d06 02000000 00000000" // len 100
                + "00 00 0000 00000000 00000000 00000000" // not up
                + "0600 0300 6300 0000" // IFLA_IFNAME "c\0" + 2 pad
                + "0800 1b00 01006163" // IFLA_GROUP 0x63610001
                + "3400 1200" // IFLA_LINKINFO 52
                + "0800 0100 76657468"
                + "2800 0200" // IFLA_INFO_DATA 40
                + "2400 0100" // VETH_INFO_PEER 36: header, ifinfomsg 16, name 8, fd 8
                + "00 00 0000 00000000 00000000 00000000"
                + "0600 0300 6500 0000"
                + "0800 1c00 03000000");
    assertThat(got).isEqualTo(want);
  }

  @Test
  void setLinkUpAndDownByName() {
    assertThat(build(b -> Requests.setLinkUp(b, 2, "eth1", true)))
        .isEqualTo(
            hex(
                "2c000000 1000 0500 02000000 00000000" // len 44, RTM_NEWLINK, REQ|ACK
                    + "00 00 0000 00000000 01000000 01000000" // flags UP, change UP
                    + "0900 0300 6574683100 000000"));
    assertThat(build(b -> Requests.setLinkUp(b, 3, "eth1", false)))
        .isEqualTo(
            hex(
                "2c000000 1000 0500 03000000 00000000"
                    + "00 00 0000 00000000 00000000 01000000" // flags 0, change UP
                    + "0900 0300 6574683100 000000"));
  }

  @Test
  void setLinkUpByIndex() {
    assertThat(build(b -> Requests.setLinkUpByIndex(b, 4, 9)))
        .isEqualTo(
            hex(
                "20000000 1000 0500 04000000 00000000" // len 32, RTM_NEWLINK, REQ|ACK
                    + "00 00 0000 09000000 01000000 01000000")); // index 9, flags UP, change UP
  }

  @Test
  void moveAndRenameByIndex() {
    assertThat(build(b -> Requests.moveLinkByIndex(b, 7, 9, 7, "eth2")))
        .isEqualTo(
            hex(
                "34000000 1000 0500 07000000 00000000" // len 52
                    + "00 00 0000 09000000 00000000 00000000" // index 9
                    + "0900 0300 6574683200 000000" // IFLA_IFNAME "eth2" (the new name)
                    + "0800 1c00 07000000")); // IFLA_NET_NS_FD 7
  }

  @Test
  void ipv4AddressAdd() throws Exception {
    InetAddress a = InetAddress.getByName("10.65.0.7");
    assertThat(build(b -> Requests.address(b, 3, Requests.ADD, 5, a, 32)))
        .isEqualTo(
            hex(
                "28000000 1400 0506 03000000 00000000" // len 40, RTM_NEWADDR, REQ|ACK|EXCL|CREATE
                    + "02 20 00 00 05000000" // ifaddrmsg: AF_INET, /32, flags 0, scope 0, index 5
                    + "0800 0200 0a410007" // IFA_LOCAL
                    + "0800 0100 0a410007")); // IFA_ADDRESS
  }

  @Test
  void ipv4AddressReplace() throws Exception {
    InetAddress a = InetAddress.getByName("10.65.0.7");
    assertThat(build(b -> Requests.address(b, 3, Requests.REPLACE, 5, a, 32)))
        .isEqualTo(
            hex(
                "28000000 1400 0505 03000000 00000000" // RTM_NEWADDR, REQ|ACK|REPLACE|CREATE
                    + "02 20 00 00 05000000"
                    + "0800 0200 0a410007"
                    + "0800 0100 0a410007"));
  }

  @Test
  void ipv6AddressAddWithNodadAndDelete() throws Exception {
    InetAddress a = InetAddress.getByName("fd00::7");
    String addr = "fd000000000000000000000000000007";
    assertThat(build(b -> Requests.address(b, 4, Requests.ADD, 5, a, 128)))
        .isEqualTo(
            hex(
                "40000000 1400 0506 04000000 00000000" // len 64
                    + "0a 80 02 00 05000000" // AF_INET6, /128, IFA_F_NODAD, scope 0, index 5
                    + "1400 0200"
                    + addr // IFA_LOCAL
                    + "1400 0100"
                    + addr)); // IFA_ADDRESS
    assertThat(build(b -> Requests.address(b, 5, Requests.DELETE, 5, a, 128)))
        .isEqualTo(
            hex(
                "40000000 1500 0500 05000000 00000000" // RTM_DELADDR, REQ|ACK
                    + "0a 80 02 00 05000000"
                    + "1400 0200"
                    + addr
                    + "1400 0100"
                    + addr));
  }

  @Test
  void onLinkAndDefaultRoutes() throws Exception {
    InetAddress gw = InetAddress.getByName("169.254.1.1");
    assertThat(build(b -> Requests.route(b, 4, Requests.ADD, gw, 32, null, 5, true)))
        .isEqualTo(
            hex(
                "2c000000 1800 0506 04000000 00000000" // len 44, RTM_NEWROUTE, REQ|ACK|EXCL|CREATE
                    // rtmsg: AF_INET, dst /32, src 0, tos 0, table MAIN, proto BOOT, scope LINK,
                    // UNICAST
                    + "02 20 00 00 fe 03 fd 01 00000000"
                    + "0800 0100 a9fe0101" // RTA_DST
                    + "0800 0400 05000000")); // RTA_OIF 5
    InetAddress any = InetAddress.getByName("0.0.0.0");
    assertThat(build(b -> Requests.route(b, 5, Requests.REPLACE, any, 0, gw, 5, false)))
        .isEqualTo(
            hex(
                "2c000000 1800 0505 05000000 00000000" // REQ|ACK|REPLACE|CREATE
                    + "02 00 00 00 fe 03 00 01 00000000" // dst /0, scope UNIVERSE
                    + "0800 0500 a9fe0101" // RTA_GATEWAY
                    + "0800 0400 05000000"));
  }

  @Test
  void routeDelete() throws Exception {
    InetAddress dst = InetAddress.getByName("10.65.0.7");
    assertThat(build(b -> Requests.route(b, 6, Requests.DELETE, dst, 32, null, 3, true)))
        .isEqualTo(
            hex(
                "2c000000 1900 0500 06000000 00000000" // RTM_DELROUTE, REQ|ACK
                    + "02 20 00 00 fe 03 fd 01 00000000"
                    + "0800 0100 0a410007"
                    + "0800 0400 03000000"));
  }

  @Test
  void ownedRoutesCarryTheirProtocol() throws Exception {
    InetAddress block = InetAddress.getByName("10.65.1.0");
    InetAddress gw = InetAddress.getByName("172.31.0.2");
    assertThat(
            build(
                b ->
                    Requests.protocolRoute(
                        b, 7, Requests.REPLACE, block, 26, Rtnl.RTN_UNICAST, gw, 0, 202, false)))
        .isEqualTo(
            hex(
                "2c000000 1800 0505 07000000 00000000" // len 44, RTM_NEWROUTE,
                    // REQ|ACK|REPLACE|CREATE
                    // rtmsg: AF_INET, dst /26, src 0, tos 0, table MAIN, proto 202, scope
                    // UNIVERSE, UNICAST
                    + "02 1a 00 00 fe ca 00 01 00000000"
                    + "0800 0100 0a410100" // RTA_DST 10.65.1.0
                    + "0800 0500 ac1f0002")); // RTA_GATEWAY 172.31.0.2, no RTA_OIF
    InetAddress own = InetAddress.getByName("10.65.0.0");
    assertThat(
            build(
                b ->
                    Requests.protocolRoute(
                        b, 8, Requests.REPLACE, own, 26, Rtnl.RTN_BLACKHOLE, null, 0, 202, false)))
        .isEqualTo(
            hex(
                "24000000 1800 0505 08000000 00000000" // len 36
                    + "02 1a 00 00 fe ca 00 06 00000000" // type RTN_BLACKHOLE
                    + "0800 0100 0a410000")); // RTA_DST only
    InetAddress v6 = InetAddress.getByName("fd00::7");
    assertThat(
            build(
                b ->
                    Requests.protocolRoute(
                        b, 9, Requests.REPLACE, v6, 128, Rtnl.RTN_UNICAST, null, 5, 202, true)))
        .isEqualTo(
            hex(
                "38000000 1800 0505 09000000 00000000" // len 56
                    + "0a 80 00 00 fe ca fd 01 00000000" // AF_INET6, /128, scope LINK
                    + "1400 0100 fd000000000000000000000000000007" // RTA_DST
                    + "0800 0400 05000000")); // RTA_OIF 5
  }

  @Test
  void ownedRouteDeleteMatchesAnyScope() throws Exception {
    InetAddress own = InetAddress.getByName("10.65.0.0");
    assertThat(
            build(
                b ->
                    Requests.protocolRoute(
                        b, 10, Requests.DELETE, own, 26, Rtnl.RTN_BLACKHOLE, null, 0, 202, false)))
        .isEqualTo(
            hex(
                "24000000 1900 0500 0a000000 00000000" // RTM_DELROUTE, REQ|ACK
                    + "02 1a 00 00 fe ca ff 06 00000000" // scope NOWHERE (any), BLACKHOLE
                    + "0800 0100 0a410000"));
    assertThatThrownBy(
            () ->
                build(
                    b ->
                        Requests.protocolRoute(
                            b, 1, Requests.ADD, own, 26, Rtnl.RTN_UNICAST, null, 1, 202, false)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void dumpRoutesOfEveryFamily() {
    assertThat(build(b -> Requests.dumpRoutes(b, 11)))
        .isEqualTo(
            hex(
                "1c000000 1a00 0103 0b000000 00000000" // len 28, RTM_GETROUTE, REQ|DUMP
                    + "00 00 00 00 00 00 00 00 00000000")); // rtmsg: AF_UNSPEC, all zero
  }

  @Test
  void routeMessageDecodes() throws Exception {
    NlBuilder b = NlBuilder.heap(Rtnl.RTM_NEWROUTE, Rtnl.NLM_F_MULTI, 3);
    b.rtmsg(Rtnl.AF_INET, 26, Rtnl.RT_TABLE_MAIN, 202, Rtnl.RT_SCOPE_UNIVERSE, Rtnl.RTN_UNICAST);
    b.attrU32(Rtnl.RTA_TABLE, 254);
    b.attr(Rtnl.RTA_DST, InetAddress.getByName("10.65.1.0").getAddress());
    b.attr(Rtnl.RTA_GATEWAY, InetAddress.getByName("172.31.0.2").getAddress());
    b.attrU32(Rtnl.RTA_OIF, 4);
    byte[] bytes = b.toBytes();
    NlMessage m = NlMessage.parseAll(ByteBuffer.wrap(bytes), bytes.length).get(0);
    RouteMessage r = RouteMessage.parse(m.payload());
    assertThat(r.family()).isEqualTo(Rtnl.AF_INET);
    assertThat(r.dstLen()).isEqualTo(26);
    assertThat(r.table()).isEqualTo(254);
    assertThat(r.protocol()).isEqualTo(202);
    assertThat(r.type()).isEqualTo(Rtnl.RTN_UNICAST);
    assertThat(r.destination()).containsExactly(10, 65, 1, 0);
    assertThat(r.gateway()).containsExactly(172, 31, 0, 2);
    assertThat(r.oif()).isEqualTo(4);
    assertThat(r.multipath()).isFalse();
    assertThatThrownBy(() -> RouteMessage.parse(ByteBuffer.allocate(4)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too short");
  }

  @Test
  void proxyNeighborForIpv6() throws Exception {
    InetAddress a = InetAddress.getByName("fd00::1");
    assertThat(build(b -> Requests.proxyNeighbor(b, 9, true, 4, a)))
        .isEqualTo(
            hex(
                "30000000 1c00 0505 09000000 00000000" // len 48, RTM_NEWNEIGH,
                    // REQ|ACK|REPLACE|CREATE
                    // ndmsg: AF_INET6, pads, ifindex 4, state NUD_PERMANENT, flags NTF_PROXY, type
                    // 0
                    + "0a 00 0000 04000000 8000 08 00"
                    + "1400 0100 fd000000000000000000000000000001")); // NDA_DST
  }

  @Test
  void getLinkByNameSkipsStats() {
    assertThat(build(b -> Requests.getLink(b, 5, "eth1")))
        .isEqualTo(
            hex(
                "34000000 1200 0500 05000000 00000000" // len 52, RTM_GETLINK, REQ|ACK
                    + "00 00 0000 00000000 00000000 00000000"
                    + "0800 1d00 08000000" // IFLA_EXT_MASK RTEXT_FILTER_SKIP_STATS
                    + "0900 0300 6574683100 000000"));
  }

  @Test
  void getLinkByIndexInAnotherNamespaceById() {
    assertThat(build(b -> Requests.getLinkByIndex(b, 4, 9, 2)))
        .isEqualTo(
            hex(
                "30000000 1200 0500 04000000 00000000" // len 48, RTM_GETLINK, REQ|ACK
                    + "00 00 0000 09000000 00000000 00000000" // ifinfomsg: index 9
                    + "0800 1d00 08000000" // IFLA_EXT_MASK RTEXT_FILTER_SKIP_STATS
                    + "0800 2e00 02000000")); // IFLA_TARGET_NETNSID 2
    assertThat(build(b -> Requests.getLinkByIndex(b, 5, 9, -1)))
        .isEqualTo(
            hex(
                "28000000 1200 0500 05000000 00000000" // len 40: no target id, this namespace
                    + "00 00 0000 09000000 00000000 00000000"
                    + "0800 1d00 08000000"));
  }

  @Test
  void getNsidByFd() {
    assertThat(build(b -> Requests.getNsid(b, 3, 7)))
        .isEqualTo(
            hex(
                "1c000000 5a00 0500 03000000 00000000" // len 28, RTM_GETNSID (90), REQ|ACK
                    + "00 000000" // rtgenmsg: AF_UNSPEC + 3 pad
                    + "0800 0300 07000000")); // NETNSA_FD 7
  }

  @Test
  void dumpLinks() {
    assertThat(build(b -> Requests.dumpLinks(b, 8)))
        .isEqualTo(
            hex(
                "28000000 1200 0103 08000000 00000000" // len 40, RTM_GETLINK, REQ|DUMP(0x300)
                    + "00 00 0000 00000000 00000000 00000000"
                    + "0800 1d00 08000000"));
  }

  @Test
  void deleteByNameAndByGroup() {
    assertThat(build(b -> Requests.delLink(b, 6, "cali1")))
        .isEqualTo(
            hex(
                "2c000000 1100 0500 06000000 00000000" // len 44, RTM_DELLINK
                    + "00 00 0000 00000000 00000000 00000000"
                    + "0a00 0300 63616c693100 0000"));
    assertThat(build(b -> Requests.delLinkGroup(b, 7, 0x63610001)))
        .isEqualTo(
            hex(
                "28000000 1100 0500 07000000 00000000" // len 40
                    + "00 00 0000 00000000 00000000 00000000"
                    + "0800 1b00 01006163")); // IFLA_GROUP
    assertThat(build(b -> Requests.setLinkGroup(b, 8, "cali1", 0x63610001)))
        .isEqualTo(
            hex(
                "34000000 1000 0500 08000000 00000000" // RTM_NEWLINK, REQ|ACK, len 52
                    + "00 00 0000 00000000 00000000 00000000"
                    + "0a00 0300 63616c693100 0000"
                    + "0800 1b00 01006163"));
  }
}
