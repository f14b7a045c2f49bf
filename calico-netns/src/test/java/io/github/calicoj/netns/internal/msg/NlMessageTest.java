package io.github.calicoj.netns.internal.msg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Decoding kernel replies: errors with extended ack, multipart dumps, attribute alignment. */
class NlMessageTest {

  private static ByteBuffer hex(String s) {
    byte[] b = HexFormat.of().parseHex(s.replaceAll("\\s", ""));
    return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
  }

  @Test
  void ackIsErrnoZero() {
    ByteBuffer buf =
        hex(
            "24000000 0200 0001 05000000 d2040000" // NLMSG_ERROR, CAPPED, seq 5, portid 1234
                + "00000000" // error 0 = ACK
                + "2c000000 1000 0500 05000000 00000000"); // echoed request header
    List<NlMessage> msgs = NlMessage.parseAll(buf, buf.limit());
    assertThat(msgs).hasSize(1);
    assertThat(msgs.get(0).type()).isEqualTo(Rtnl.NLMSG_ERROR);
    assertThat(msgs.get(0).seq()).isEqualTo(5);
    assertThat(msgs.get(0).pid()).isEqualTo(1234);
    assertThat(msgs.get(0).errno()).isZero();
    assertThat(msgs.get(0).extAckMessage()).isNull();
  }

  @Test
  void errorWithExtendedAckMessage() {
    String text = "ipv4: Address already assigned"; // 30 bytes + NUL = 31, attr len 35, padded 36
    StringBuilder s = new StringBuilder();
    for (byte c : text.getBytes(StandardCharsets.US_ASCII)) {
      s.append(String.format("%02x", c));
    }
    ByteBuffer buf =
        hex(
            "48000000 0200 0003 09000000 d2040000" // len 72, NLMSG_ERROR, CAPPED|ACK_TLVS
                + "efffffff" // -17 = -EEXIST
                + "28000000 1400 0506 09000000 00000000" // echoed header only (capped)
                + "2300 0100"
                + s
                + "00"
                + "00"); // NLMSGERR_ATTR_MSG, len 35, + 1 pad
    NlMessage m = NlMessage.parseAll(buf, buf.limit()).get(0);
    assertThat(m.errno()).isEqualTo(17);
    assertThat(m.extAckMessage()).isEqualTo(text);
  }

  @Test
  void uncappedErrorSkipsTheWholeEchoedRequest() {
    ByteBuffer buf =
        hex(
            "30000000 0200 0002 01000000 00000000" // len 48, ACK_TLVS but not CAPPED
                + "edffffff" // -19 = -ENODEV
                + "14000000 1200 0500 01000000 00000000 01020304" // echoed 20-byte request
                + "0800 0100 6e6f00 00"); // NLMSGERR_ATTR_MSG "no"
    NlMessage m = NlMessage.parseAll(buf, buf.limit()).get(0);
    assertThat(m.errno()).isEqualTo(19);
    assertThat(m.extAckMessage()).isEqualTo("no");
  }

  @Test
  void multipartDumpWithAlignedAttributes() {
    ByteBuffer buf =
        hex(
            // 1: RTM_NEWLINK, MULTI, seq 3: lo, index 1, UP, mtu 65536, address zero
            "3c000000 1000 0200 03000000 d2040000" // len 60
                + "00 00 0403 01000000 49000100 00000000" // type 772, index 1, flags UP|...
                + "0700 0300 6c6f00 00" // IFLA_IFNAME "lo\0" (len 7) + 1 pad
                + "0800 0400 00000100" // IFLA_MTU 65536
                + "0a00 0100 000000000000 0000" // IFLA_ADDRESS zeros
                // 2: cali1, index 9, down, group 7, a 5-byte unknown attribute in between
                + "4c000000 1000 0200 03000000 d2040000" // len 76
                + "00 00 0100 09000000 00000000 00000000"
                + "0900 ff00 0102030405 000000" // unknown attr type 255, 5 bytes + 3 pad
                + "0a00 0300 63616c693100 0000"
                + "0a00 0100 eeeeeeeeeeee 0000"
                + "0800 1b00 07000000"
                // 3: NLMSG_DONE
                + "14000000 0300 0200 03000000 d2040000 00000000");
    List<NlMessage> msgs = NlMessage.parseAll(buf, buf.limit());
    assertThat(msgs).extracting(NlMessage::type).containsExactly(16, 16, Rtnl.NLMSG_DONE);
    LinkMessage lo = LinkMessage.parse(msgs.get(0).payload());
    assertThat(lo.index()).isEqualTo(1);
    assertThat(lo.name()).isEqualTo("lo");
    assertThat(lo.mtu()).isEqualTo(65536);
    assertThat(lo.up()).isTrue();
    LinkMessage cali = LinkMessage.parse(msgs.get(1).payload());
    assertThat(cali.index()).isEqualTo(9);
    assertThat(cali.name()).isEqualTo("cali1");
    assertThat(cali.address()).containsExactly(0xee, 0xee, 0xee, 0xee, 0xee, 0xee);
    assertThat(cali.group()).isEqualTo(7);
    assertThat(cali.up()).isFalse();
  }

  @Test
  void vethReplyCarriesKindPeerIndexAndPeerNamespaceId() {
    ByteBuffer buf =
        hex(
            "54000000 1000 0000 04000000 00000000" // len 84, RTM_NEWLINK, seq 4
                + "00 00 0100 07000000 01000000 00000000" // index 7, UP
                + "0a00 0300 63616c693100 0000" // IFLA_IFNAME "cali1\0" + 2 pad
                + "0800 0500 02000000" // IFLA_LINK 2 (the peer's index)
                + "0800 2500 03000000" // IFLA_LINK_NETNSID 3
                + "1000 1200" // IFLA_LINKINFO, 16 bytes
                + "0900 0100 7665746800 000000" //   IFLA_INFO_KIND "veth\0" + 3 pad
                + "0800 1b00 00000000"); // IFLA_GROUP 0
    LinkMessage m = LinkMessage.parse(NlMessage.parseAll(buf, buf.limit()).get(0).payload());
    assertThat(m.kind()).isEqualTo("veth");
    assertThat(m.link()).isEqualTo(2);
    assertThat(m.linkNetnsId()).isEqualTo(3);
    assertThat(m.name()).isEqualTo("cali1");
    // Without those attributes: no kind, no linked device, same namespace.
    ByteBuffer lo =
        hex(
            "28000000 1000 0000 04000000 00000000" // len 40
                + "00 00 0403 01000000 49000100 00000000"
                + "0700 0300 6c6f00 00");
    LinkMessage l = LinkMessage.parse(NlMessage.parseAll(lo, lo.limit()).get(0).payload());
    assertThat(l.kind()).isEmpty();
    assertThat(l.link()).isZero();
    assertThat(l.linkNetnsId()).isEqualTo(Rtnl.NETNSA_NSID_NOT_ASSIGNED);
  }

  @Test
  void nsidReply() {
    ByteBuffer buf =
        hex(
            "1c000000 5800 0000 03000000 00000000" // len 28, RTM_NEWNSID (88), seq 3
                + "00 000000" // rtgenmsg
                + "0800 0100 05000000"); // NETNSA_NSID 5
    assertThat(NlMessage.parseAll(buf, buf.limit()).get(0).nsid()).isEqualTo(5);
    ByteBuffer none =
        hex("1c000000 5800 0000 03000000 00000000" + "00 000000" + "0800 0100 ffffffff");
    assertThat(NlMessage.parseAll(none, none.limit()).get(0).nsid())
        .isEqualTo(Rtnl.NETNSA_NSID_NOT_ASSIGNED);
  }

  @Test
  void builderPadsAndNestsAndParserReadsItBack() {
    NlBuilder b = NlBuilder.heap(Rtnl.RTM_NEWLINK, Rtnl.NLM_F_REQUEST, 1);
    b.ifinfomsg(0, 0, 0, 0);
    int nest = b.beginNest(Rtnl.IFLA_LINKINFO);
    b.attr(42, new byte[] {1, 2, 3});
    b.attrString(Rtnl.IFLA_IFNAME, "x");
    b.endNest(nest);
    byte[] bytes = b.toBytes();
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
    NlMessage m = NlMessage.parseAll(buf, bytes.length).get(0);
    Map<Integer, ByteBuffer> top = NlMessage.attributes(m.payload(), Rtnl.IFINFOMSG_LEN);
    ByteBuffer linkinfo = top.get(Rtnl.IFLA_LINKINFO);
    assertThat(linkinfo.limit()).isEqualTo(8 + 8); // two 4-byte-header attrs, each padded to 8
    Map<Integer, ByteBuffer> inner = NlMessage.attributes(linkinfo, 0);
    assertThat(NlMessage.bytes(inner.get(42))).containsExactly(1, 2, 3);
    assertThat(NlMessage.cString(inner.get(Rtnl.IFLA_IFNAME))).isEqualTo("x");
  }

  @Test
  void truncatedMessagesAreRejected() {
    ByteBuffer buf = hex("40000000 1000 0000 01000000 00000000");
    assertThatThrownBy(() -> NlMessage.parseAll(buf, buf.limit()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Malformed");
    ByteBuffer attr = hex("0900 0300 6c6f");
    assertThatThrownBy(() -> NlMessage.attributes(attr, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
