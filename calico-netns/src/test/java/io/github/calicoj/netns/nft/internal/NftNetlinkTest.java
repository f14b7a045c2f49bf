package io.github.calicoj.netns.nft.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.InetAddresses;
import io.github.calicoj.netns.MacAddress;
import io.github.calicoj.netns.internal.msg.NlMessage;
import io.github.calicoj.netns.nft.NftCommands;
import io.github.calicoj.netns.nft.NftElements;
import io.github.calicoj.netns.nft.NftExpr;
import io.github.calicoj.netns.nft.NftTable;
import io.github.calicoj.netns.nft.NftablesException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Byte-exact tests of the element batches, written by hand from {@code linux/netlink.h}, {@code
 * linux/netfilter/nfnetlink.h} and {@code linux/netfilter/nf_tables.h} (and compared with what
 * {@code nft --debug=mnl add element ...} prints), little-endian hosts.
 */
class NftNetlinkTest {
  private static final NftTable CJTX = NftTable.inet("cjtx");

  @BeforeAll
  static void littleEndianHost() {
    assertThat(ByteOrder.nativeOrder()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
  }

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replaceAll("[\\s|]", ""));
  }

  private static InetAddress ip(String s) {
    return InetAddresses.forString(s);
  }

  private static byte[] write(NftElements batch, int first) {
    ByteBuffer buf = ByteBuffer.allocate(256 * 1024).order(ByteOrder.nativeOrder());
    NftNetlink.writeBatch(buf, first, batch);
    byte[] out = new byte[buf.position()];
    buf.get(0, out);
    return out;
  }

  private static final String BEGIN_SEQ_1 =
      "14000000 1000 0100 01000000 00000000" // nlmsghdr: 20, NFNL_MSG_BATCH_BEGIN, REQUEST, seq 1
          + "00 00 000a"; // nfgenmsg: AF_UNSPEC, NFNETLINK_V0, res_id NFNL_SUBSYS_NFTABLES (be16)

  @Test
  void addOneIpv4Element() {
    byte[] got = write(NftElements.builder(CJTX).add("t4_a", List.of(ip("10.1.0.3"))).build(), 1);
    byte[] want =
        hex(
            BEGIN_SEQ_1
                + "40000000 0c0a 0504 02000000 00000000" // 64, NFT_MSG_NEWSETELEM (10 << 8 | 12),
                // REQUEST|ACK|CREATE, seq 2
                + "01 00 0000" // nfgenmsg: NFPROTO_INET, V0, res_id 0
                + "0900 0100 636a747800 000000" // NFTA_SET_ELEM_LIST_TABLE "cjtx\0" + 3 pad
                + "0900 0200 74345f6100 000000" // NFTA_SET_ELEM_LIST_SET "t4_a\0" + 3 pad
                + "1400 0380" // NFTA_SET_ELEM_LIST_ELEMENTS, nested, 20 bytes
                + "1000 0180" //   NFTA_LIST_ELEM, nested
                + "0c00 0180" //     NFTA_SET_ELEM_KEY, nested
                + "0800 0100 0a010003" //       NFTA_DATA_VALUE 10.1.0.3 (network order)
                + "14000000 1100 0100 03000000 00000000" // NFNL_MSG_BATCH_END, seq 3
                + "00 00 000a");
    assertThat(HexFormat.of().formatHex(got)).isEqualTo(HexFormat.of().formatHex(want));
  }

  @Test
  void deleteThenCreateIpv6InOneBatch() {
    NftElements batch =
        NftElements.builder(NftTable.parse("ip6 t"))
            .delete("s6", List.of(ip("fd00::1")))
            .create("s6", List.of(ip("fd00::2"), ip("fd00::3")))
            .build();
    byte[] got = write(batch, 7);
    String v6Prefix = "fd000000 00000000 00000000 000000";
    byte[] want =
        hex(
            "14000000 1000 0100 07000000 00000000 00 00 000a" // BATCH_BEGIN, seq 7
                + "44000000 0e0a 0500 08000000 00000000" // 68, NFT_MSG_DELSETELEM, REQUEST|ACK
                + "0a 00 0000" // NFPROTO_IPV6
                + "0600 0100 7400 0000" // TABLE "t\0" + 2 pad
                + "0700 0200 733600 00" // SET "s6\0" + 1 pad
                + "2000 0380 1c00 0180 1800 0180" // ELEMENTS, LIST_ELEM, KEY
                + "1400 0100 "
                + v6Prefix
                + "01" // DATA_VALUE fd00::1
                + "60000000 0c0a 0506 09000000 00000000" // 96, NEWSETELEM,
                // REQUEST|ACK|EXCL|CREATE, seq 9
                + "0a 00 0000 0600 0100 7400 0000 0700 0200 733600 00"
                + "3c00 0380" // ELEMENTS, 60 bytes: two elements
                + "1c00 0180 1800 0180 1400 0100 "
                + v6Prefix
                + "02"
                + "1c00 0180 1800 0180 1400 0100 "
                + v6Prefix
                + "03"
                + "14000000 1100 0100 0a000000 00000000 00 00 000a"); // BATCH_END, seq 10
    assertThat(HexFormat.of().formatHex(got)).isEqualTo(HexFormat.of().formatHex(want));
    assertThat(NftNetlink.batchLength(batch)).isEqualTo(want.length);
  }

  @Test
  void aRuleWithExpressionsAndACommentAsNftWritesIt() {
    // nft add rule inet cjtx fw_x meta mark & 0x01000000 == 0x01000000 return comment "x"
    // (nft --debug=mnl prints the same attributes in the same order).
    NftCommands batch =
        NftCommands.builder(CJTX)
            .add(
                new NftCommands.AddRule(
                    "fw_x",
                    List.of(
                        new NftExpr.Meta(NftExpr.MetaKey.MARK),
                        new NftExpr.Bitwise(NftExpr.Data.u32(0x01000000), NftExpr.Data.u32(0)),
                        new NftExpr.Cmp(NftExpr.CmpOp.EQ, NftExpr.Data.u32(0x01000000)),
                        new NftExpr.Verdict(NftExpr.VerdictCode.RETURN, null)),
                    "x"))
            .build();
    byte[] got = encode(batch);
    byte[] want =
        hex(
            BEGIN_SEQ_1
                + "04010000 060a 050c 02000000 00000000" // 260, NFT_MSG_NEWRULE,
                // REQUEST|ACK|CREATE|APPEND, seq 2
                + "01 00 0000" // NFPROTO_INET
                + "0900 0100 636a747800 000000" // NFTA_RULE_TABLE "cjtx"
                + "0900 0200 66775f7800 000000" // NFTA_RULE_CHAIN "fw_x"
                + "d000 0480" // NFTA_RULE_EXPRESSIONS, 208 bytes
                + "2400 0180 0900 0100 6d65746100 000000" //   elem: NFTA_EXPR_NAME "meta"
                + "1400 0280 0800 0200 00000003 0800 0100 00000001" //  KEY mark, DREG 1 (be32)
                + "4c00 0180 0c00 0100 6269747769736500" //   elem: "bitwise"
                + "3c00 0280 0800 0100 00000001 0800 0200 00000001" // SREG 1, DREG 1
                + "0800 0600 00000000 0800 0300 00000004" //     OP bool, LEN 4
                + "0c00 0480 0800 0100 00000001" //     MASK { VALUE 0x01000000, host order }
                + "0c00 0580 0800 0100 00000000" //     XOR { VALUE 0 }
                + "2c00 0180 0800 0100 636d7000" //   elem: "cmp"
                + "2000 0280 0800 0100 00000001 0800 0200 00000000" // SREG 1, OP eq
                + "0c00 0380 0800 0100 00000001" //     DATA { VALUE 0x01000000 }
                + "3000 0180 0e00 0100 696d6d65646961746500 0000" //   elem: "immediate"
                + "1c00 0280 0800 0100 00000000" //     DREG 0 (verdict)
                + "1000 0280 0c00 0280 0800 0100 fffffffb" //  DATA { VERDICT { CODE -5 return } }
                + "0800 0700 00027800" // NFTA_RULE_USERDATA: comment TLV, type 0, 2 bytes "x\0"
                + "14000000 1100 0100 03000000 00000000 00 00 000a"); // BATCH_END, seq 3
    assertThat(HexFormat.of().formatHex(got)).isEqualTo(HexFormat.of().formatHex(want));
  }

  @Test
  void interfaceKeyedElementsAreConcatenationsOfPaddedParts() {
    // nft add element inet cjtx s { "cali1" . 10.0.0.1 } (nft --debug=netlink prints the key as
    // 696c6163 00000031 00000000 00000000 0100000a: the name NUL-padded to 16 bytes, the address).
    assertThat(keyHex(NftCommands.InterfaceKey.of("cali1", InetAddresses.forString("10.0.0.1"))))
        .isEqualTo("63616c69310000000000000000000000" + "0a000001");
    // ... . ee:ee:ee:00:00:01: the MAC's 6 bytes padded to 8.
    assertThat(keyHex(NftCommands.InterfaceKey.of("cali1", MacAddress.parse("ee:ee:ee:00:00:01"))))
        .isEqualTo("63616c69310000000000000000000000" + "eeeeee0000010000");
    assertThat(keyHex(NftCommands.InterfaceKey.of("cali1", InetAddresses.forString("fd00::1"))))
        .isEqualTo("63616c69310000000000000000000000" + "fd000000000000000000000000000001");
    assertThat(NftNetlink.interfaceKey(NftCommands.InterfaceKey.of("cali1"))).hasSize(16);
    // The command as a message: NEWSETELEM with CREATE and ACK, one element.
    NftCommands batch =
        NftCommands.builder(CJTX)
            .add(
                new NftCommands.InterfaceElements(
                    NftElements.Verb.ADD,
                    "s",
                    List.of(
                        NftCommands.InterfaceKey.of("cali1", InetAddresses.forString("10.0.0.1")))))
            .build();
    byte[] got = encode(batch);
    byte[] want =
        hex(
            BEGIN_SEQ_1
                + "4c000000 0c0a 0504 02000000 00000000" // 76, NEWSETELEM, REQUEST|ACK|CREATE
                + "01 00 0000" // NFPROTO_INET
                + "0900 0100 636a747800 000000" // NFTA_SET_ELEM_LIST_TABLE "cjtx"
                + "0600 0200 7300 0000" // NFTA_SET_ELEM_LIST_SET "s"
                + "2400 0380 2000 0180 1c00 0180 1800 0100" // ELEMENTS { ELEM { KEY { VALUE
                + "63616c69310000000000000000000000 0a000001" // 20 bytes } } }
                + "14000000 1100 0100 03000000 00000000 00 00 000a"); // BATCH_END, seq 3
    assertThat(HexFormat.of().formatHex(got)).isEqualTo(HexFormat.of().formatHex(want));
    assertThat(batch.toString()).isEqualTo("add element inet cjtx s { \"cali1\" . 10.0.0.1 }");
  }

  @Test
  void lookupRangeAndLogExpressions() {
    // nft: ip saddr != @s ... tcp dport != 1000-2000 log prefix "x: " level notice (the three
    // expressions alone, as nft --debug=mnl prints their attributes)
    NftCommands batch =
        NftCommands.builder(CJTX)
            .add(
                new NftCommands.AddRule(
                    "c",
                    List.of(
                        new NftExpr.Lookup("s", true),
                        new NftExpr.Range(
                            NftExpr.CmpOp.NEQ,
                            NftExpr.Data.of(new byte[] {3, (byte) 0xe8}),
                            NftExpr.Data.of(new byte[] {7, (byte) 0xd0})),
                        new NftExpr.Log("x: ", 5)),
                    null))
            .build();
    byte[] got = encode(batch);
    byte[] want =
        hex(
            BEGIN_SEQ_1
                + "b4000000 060a 050c 02000000 00000000" // 180, NFT_MSG_NEWRULE, seq 2
                + "01 00 0000 0900 0100 636a747800 000000" // NFPROTO_INET, TABLE "cjtx"
                + "0600 0200 6300 0000" // NFTA_RULE_CHAIN "c"
                + "8c00 0480" // NFTA_RULE_EXPRESSIONS, 140 bytes
                + "2c00 0180 0b00 0100 6c6f6f6b757000 00" //  elem: "lookup"
                + "1c00 0280 0800 0200 00000001" //    SREG 1
                + "0600 0100 7300 0000" //    SET "s"
                + "0800 0500 00000001" //    FLAGS NFT_LOOKUP_F_INV
                + "3c00 0180 0a00 0100 72616e676500 0000" //  elem: "range"
                + "2c00 0280 0800 0100 00000001 0800 0200 00000001" // SREG 1, OP NFT_RANGE_NEQ
                + "0c00 0380 0600 0100 03e8 0000" //    FROM_DATA { VALUE 1000 }
                + "0c00 0480 0600 0100 07d0 0000" //    TO_DATA { VALUE 2000 }
                + "2000 0180 0800 0100 6c6f6700" //  elem: "log"
                + "1400 0280 0800 0200 783a2000" //    PREFIX "x: "
                + "0800 0500 00000005" //    LEVEL 5 (notice)
                + "14000000 1100 0100 03000000 00000000 00 00 000a"); // BATCH_END, seq 3
    assertThat(HexFormat.of().formatHex(got)).isEqualTo(HexFormat.of().formatHex(want));
  }

  @Test
  void chainsFlushesAndMapGotos() {
    NftCommands batch =
        NftCommands.builder(CJTX)
            .add(new NftCommands.AddChain("c"))
            .add(new NftCommands.FlushChain("c"))
            .add(new NftCommands.DeleteChain("c"))
            .addGotos("m", Map.of("cali1", "c"))
            .deleteKeys("m", List.of("cali1"))
            .build();
    byte[] got = encode(batch);
    String nfgen = "01 00 0000";
    String table = "0900 0100 636a747800 000000"; // TABLE "cjtx" (attribute 1 in all of them)
    byte[] want =
        hex(
            BEGIN_SEQ_1
                + "28000000 030a 0504 02000000 00000000" // 40, NFT_MSG_NEWCHAIN, REQUEST|ACK|CREATE
                + nfgen
                + table
                + "0600 0300 6300 0000" // NFTA_CHAIN_NAME "c"
                + "28000000 080a 0500 03000000 00000000" // NFT_MSG_DELRULE (no handle: flush)
                + nfgen
                + table
                + "0600 0200 6300 0000" // NFTA_RULE_CHAIN "c"
                + "28000000 050a 0500 04000000 00000000" // NFT_MSG_DELCHAIN
                + nfgen
                + table
                + "0600 0300 6300 0000"
                + "60000000 0c0a 0504 05000000 00000000" // NEWSETELEM, 96 bytes
                + nfgen
                + table
                + "0600 0200 6d00 0000" // SET "m"
                + "3800 0380 3400 0180" // ELEMENTS, LIST_ELEM
                + "1800 0180 1400 0100 63616c6931000000 0000000000000000" // KEY: "cali1", 16 bytes
                + "1800 0280 1400 0280" // SET_ELEM_DATA { DATA_VERDICT {
                + "0800 0100 fffffffc" //   VERDICT_CODE -4 (goto)
                + "0600 0200 6300 0000" //   VERDICT_CHAIN "c" } }
                + "48000000 0e0a 0500 06000000 00000000" // DELSETELEM, 72 bytes
                + nfgen
                + table
                + "0600 0200 6d00 0000"
                + "2000 0380 1c00 0180 1800 0180 1400 0100 63616c6931000000 0000000000000000"
                + "14000000 1100 0100 07000000 00000000 00 00 000a"); // BATCH_END, seq 7
    assertThat(HexFormat.of().formatHex(got)).isEqualTo(HexFormat.of().formatHex(want));
    assertThat(batch.toString())
        .isEqualTo(
            "add chain inet cjtx c; flush chain inet cjtx c; delete chain inet cjtx c; add element"
                + " inet cjtx m { \"cali1\" : goto c }; delete element inet cjtx m { \"cali1\" }");
  }

  @Test
  void largeCommandsSplitIntoMessagesOfOneBatch() {
    List<InetAddress> many = new ArrayList<>();
    IntStream.range(0, 2500).forEach(i -> many.add(ip("10.9." + (i / 250) + "." + (i % 250))));
    NftElements batch = NftElements.builder(CJTX).add("t4_a", many).build();
    List<NftNetlink.Message> messages = NftNetlink.messages(batch);
    assertThat(messages).extracting(m -> m.elements().size()).containsExactly(1024, 1024, 452);
    assertThat(messages.get(2).elements().get(0)).isEqualTo(many.get(2048));

    byte[] got = write(batch, 1);
    assertThat(got).hasSize(NftNetlink.batchLength(batch));
    ByteBuffer b = ByteBuffer.wrap(got).order(ByteOrder.nativeOrder());
    List<NlMessage> parsed = NlMessage.parseAll(b, got.length);
    assertThat(parsed)
        .extracting(NlMessage::type)
        .containsExactly(0x10, 0x0a0c, 0x0a0c, 0x0a0c, 0x11);
    assertThat(parsed).extracting(NlMessage::seq).containsExactly(1, 2, 3, 4, 5);
    // Each message: 20 + 12 + 12 + 4 bytes of headers, then 16 bytes per IPv4 element.
    assertThat(parsed.get(1).payload().limit() + 16).isEqualTo(48 + 1024 * 16);
  }

  @Test
  void elementAtMapsTheKernelsOffsetToTheElement() {
    NftElements batch =
        NftElements.builder(CJTX).delete("t4_a", List.of(ip("10.0.0.1"), ip("10.0.0.2"))).build();
    NftNetlink.Message m = NftNetlink.messages(batch).get(0);
    assertThat(m.firstElementOffset()).isEqualTo(48); // nlmsghdr, nfgenmsg, table, set, list
    assertThat(m.elementAt(47)).isEqualTo(-1);
    assertThat(m.elementAt(48)).isEqualTo(0);
    assertThat(m.elementAt(63)).isEqualTo(0);
    assertThat(m.elementAt(64)).isEqualTo(1);
    assertThat(m.elementAt(80)).isEqualTo(-1);
  }

  @Test
  void refusalsNameTheCommandTheElementAndTheErrno() {
    NftElements batch =
        NftElements.builder(CJTX)
            .add("t4_a", List.of(ip("10.0.0.9")))
            .delete("t4_b", List.of(ip("10.0.0.1"), ip("10.0.0.2")))
            .build();
    List<NftNetlink.Message> messages = NftNetlink.messages(batch);
    // The kernel's reply to request 1: ENOENT, extended ACK with NLMSGERR_ATTR_OFFS 64 (the
    // second element) and NLMSGERR_ATTR_MSG.
    NlMessage enoent = errorReply(2, 64, "no such element");
    NftablesException e = NftErrors.refusedElements(batch, messages, Map.of(1, enoent));
    assertThat(e.errno()).isEqualTo(2);
    assertThat(e.isNotFound()).isTrue();
    assertThat(e.command()).isEqualTo("delete element inet cjtx t4_b { 10.0.0.2 }");
    assertThat(e.errorText())
        .isEqualTo(
            "Error: No such file or directory: delete element inet cjtx t4_b { 10.0.0.2 }"
                + " (no such element)");
    assertThat(e.getMessage()).contains("ENOENT").contains("t4_b").contains("10.0.0.2");

    // Without an offset the whole command is named; a failed commit names the batch.
    NftablesException whole =
        NftErrors.refusedElements(batch, messages, Map.of(1, errorReply(2, -1, null)));
    assertThat(whole.command()).isEqualTo("delete element inet cjtx t4_b { 10.0.0.1, 10.0.0.2 }");
    NftablesException commit =
        NftErrors.refusedElements(batch, messages, Map.of(-1, errorReply(40, -1, null)));
    assertThat(commit.errnoName()).isEqualTo("ELOOP");
    assertThat(commit.errorText())
        .startsWith("Error: Too many levels of symbolic links: commit of");
  }

  /** An NLMSG_ERROR reply with CAP_ACK (the request's header only) and extended-ack TLVs. */
  private static NlMessage errorReply(int errno, int offset, @Nullable String msg) {
    ByteBuffer p = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
    p.putInt(-errno);
    p.putInt(48).putShort((short) 0x0a0e).putShort((short) 5).putInt(3).putInt(0); // nlmsghdr
    int flags = 0x100; // NLM_F_CAPPED
    if (offset >= 0 || msg != null) {
      flags |= 0x200; // NLM_F_ACK_TLVS
    }
    if (msg != null) {
      byte[] s = (msg + "\0").getBytes(StandardCharsets.UTF_8);
      p.putShort((short) (4 + s.length)).putShort((short) 1).put(s);
      while (p.position() % 4 != 0) {
        p.put((byte) 0);
      }
    }
    if (offset >= 0) {
      p.putShort((short) 8).putShort((short) 2).putInt(offset);
    }
    p.flip();
    return new NlMessage(2, flags, 3, 0, p.slice().order(ByteOrder.nativeOrder()));
  }

  @Test
  void elementsValueChecksAndJson() {
    NftElements batch =
        NftElements.builder(CJTX)
            .add("t4_a", List.of(ip("10.0.0.1")))
            .delete("t6_a", List.of(ip("fd00::1"), ip("fd00::2")))
            .add("t4_a", List.of())
            .build();
    assertThat(batch.commands()).hasSize(2);
    assertThat(batch.elementCount()).isEqualTo(3);
    assertThat(batch.toString())
        .isEqualTo(
            "add element inet cjtx t4_a { 10.0.0.1 }; delete element inet cjtx t6_a { fd00::1,"
                + " fd00::2 }");
    assertThat(batch.toJson())
        .isEqualTo(
            "{\"nftables\": [{\"add\": {\"element\": {\"family\": \"inet\", \"table\": \"cjtx\","
                + " \"name\": \"t4_a\", \"elem\": [\"10.0.0.1\"]}}}, {\"delete\": {\"element\":"
                + " {\"family\": \"inet\", \"table\": \"cjtx\", \"name\": \"t6_a\", \"elem\":"
                + " [\"fd00::1\", \"fd00::2\"]}}}]}");
    assertThatThrownBy(() -> NftElements.builder(CJTX).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("inet cjtx");
    assertThatThrownBy(() -> NftElements.builder(CJTX).add("bad name", List.of(ip("10.0.0.1"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad name");
  }

  /** The batch as {@link NftNetlink#writeCommands} writes it, at sequence 1. */
  private static byte[] encode(NftCommands batch) {
    ByteBuffer buf = ByteBuffer.allocate(4096).order(ByteOrder.nativeOrder());
    NftNetlink.writeCommands(buf, 1, batch);
    byte[] got = new byte[buf.position()];
    buf.get(0, got);
    return got;
  }

  /** The key {@link NftNetlink#interfaceKey} writes for {@code key}, in hex. */
  private static String keyHex(NftCommands.InterfaceKey key) {
    return HexFormat.of().formatHex(NftNetlink.interfaceKey(key));
  }
}
