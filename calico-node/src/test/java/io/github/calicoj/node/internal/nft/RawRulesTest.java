package io.github.calicoj.node.internal.nft;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.netns.nft.NftExpr;
import io.github.calicoj.netns.nft.NftExpr.Bitwise;
import io.github.calicoj.netns.nft.NftExpr.Cmp;
import io.github.calicoj.netns.nft.NftExpr.CmpOp;
import io.github.calicoj.netns.nft.NftExpr.Data;
import io.github.calicoj.netns.nft.NftExpr.Log;
import io.github.calicoj.netns.nft.NftExpr.Lookup;
import io.github.calicoj.netns.nft.NftExpr.Meta;
import io.github.calicoj.netns.nft.NftExpr.MetaKey;
import io.github.calicoj.netns.nft.NftExpr.Payload;
import io.github.calicoj.netns.nft.NftExpr.PayloadBase;
import io.github.calicoj.netns.nft.NftExpr.Range;
import io.github.calicoj.netns.nft.NftExpr.SetMeta;
import io.github.calicoj.netns.nft.NftExpr.Verdict;
import io.github.calicoj.netns.nft.NftExpr.VerdictCode;
import io.github.calicoj.node.internal.Kvs;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The endpoint chains' rules as kernel expressions, the way libnftables builds them ({@code nft
 * --debug=netlink}; calico-netns' {@code NftCommandsIT} checks that such rules list like
 * libnftables' own).
 */
class RawRulesTest {
  private static final Verdict DROP = new Verdict(VerdictCode.DROP, null);

  private static List<NftExpr> translate(String expr) {
    return RawRules.translate(new NftRule(expr, null)).orElseThrow();
  }

  @Test
  void everyEndpointAndProfileRuleOfTheSpecTableTranslatesExceptAnonymousSets() {
    // C in [P, Q]: a list with chains of its own.
    NftTable t = Kvs.spec6().endpoint("h1", Kvs.C, "192.168.0.2", "P", "Q").state("h1").table();
    assertThat(t.chains().keySet()).anyMatch(n -> n.startsWith("flh_P_"));
    int translated = 0;
    for (NftChain c : t.chains().values()) {
      if (c.name().equals("from_wl")) {
        // Source checks: concatenations, which libnftables builds (never translated).
        c.rules().stream()
            .filter(r -> r.expr().contains("\"concat\""))
            .forEach(r -> assertThat(RawRules.translate(r)).as("%s", r).isEmpty());
      }
      if (c.base() != null || c.name().endsWith("_wl") || c.name().equals("wl_to_host")) {
        continue; // the skeleton: conntrack maps, fib, dispatch maps
      }
      for (NftRule r : c.rules()) {
        boolean anonymousSet = r.expr().contains("{\"set\":");
        assertThat(RawRules.translate(r).isPresent())
            .as("%s: %s", c.name(), r)
            .isEqualTo(!anonymousSet);
        translated += anonymousSet ? 0 : 1;
      }
    }
    // P's and Q's chains, the two list chains and wl_inactive.
    assertThat(translated).isGreaterThan(12);
  }

  @Test
  void profileRuleShapesAsNftBuildsThem() {
    Meta nfproto = new Meta(MetaKey.NFPROTO);
    Meta l4proto = new Meta(MetaKey.L4PROTO);
    // nft: ip saddr @t4_a tcp dport 80 meta mark set meta mark | 0x01000000 return
    assertThat(
            translate(
                "[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"ip\",\"field\":"
                    + "\"saddr\"}},\"right\":\"@t4_a\"}},{\"match\":{\"op\":\"==\",\"left\":"
                    + "{\"payload\":{\"protocol\":\"tcp\",\"field\":\"dport\"}},\"right\":80}},"
                    + "{\"mangle\":{\"key\":{\"meta\":{\"key\":\"mark\"}},\"value\":{\"|\":[{\"meta\":"
                    + "{\"key\":\"mark\"}},16777216]}}},{\"return\":null}]"))
        .containsExactly(
            nfproto,
            new Cmp(CmpOp.EQ, Data.u8(2)),
            new Payload(PayloadBase.NETWORK, 12, 4),
            new Lookup("t4_a", false),
            l4proto,
            new Cmp(CmpOp.EQ, Data.u8(6)),
            new Payload(PayloadBase.TRANSPORT, 2, 2),
            new Cmp(CmpOp.EQ, Data.of(new byte[] {0, 80})),
            new Meta(MetaKey.MARK),
            new Bitwise(Data.u32(0xfeffffff), Data.u32(0x01000000)),
            new SetMeta(MetaKey.MARK),
            new Verdict(VerdictCode.RETURN, null));
    // nft: ip saddr != @t4_a tcp dport 8000-8080 drop
    assertThat(
            translate(
                "[{\"match\":{\"op\":\"!=\",\"left\":{\"payload\":{\"protocol\":\"ip\",\"field\":"
                    + "\"saddr\"}},\"right\":\"@t4_a\"}},{\"match\":{\"op\":\"==\",\"left\":"
                    + "{\"payload\":{\"protocol\":\"tcp\",\"field\":\"dport\"}},\"right\":{\"range\":"
                    + "[8000,8080]}}},{\"drop\":null}]"))
        .containsExactly(
            nfproto,
            new Cmp(CmpOp.EQ, Data.u8(2)),
            new Payload(PayloadBase.NETWORK, 12, 4),
            new Lookup("t4_a", true),
            l4proto,
            new Cmp(CmpOp.EQ, Data.u8(6)),
            new Payload(PayloadBase.TRANSPORT, 2, 2),
            new Cmp(CmpOp.GTE, Data.of(new byte[] {0x1f, 0x40})),
            new Cmp(CmpOp.LTE, Data.of(new byte[] {0x1f, (byte) 0x90})),
            DROP);
    // nft: tcp dport != 1000-2000 drop
    assertThat(
            translate(
                "[{\"match\":{\"op\":\"!=\",\"left\":{\"payload\":{\"protocol\":\"tcp\",\"field\":"
                    + "\"dport\"}},\"right\":{\"range\":[1000,2000]}}},{\"drop\":null}]"))
        .containsExactly(
            l4proto,
            new Cmp(CmpOp.EQ, Data.u8(6)),
            new Payload(PayloadBase.TRANSPORT, 2, 2),
            new Range(
                CmpOp.NEQ,
                Data.of(new byte[] {3, (byte) 0xe8}),
                Data.of(new byte[] {7, (byte) 0xd0})),
            DROP);
    // nft: icmp type 8 drop (both dependencies)
    assertThat(
            translate(
                "[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"icmp\",\"field\":"
                    + "\"type\"}},\"right\":8}},{\"drop\":null}]"))
        .containsExactly(
            nfproto,
            new Cmp(CmpOp.EQ, Data.u8(2)),
            l4proto,
            new Cmp(CmpOp.EQ, Data.u8(1)),
            new Payload(PayloadBase.TRANSPORT, 0, 1),
            new Cmp(CmpOp.EQ, Data.u8(8)),
            DROP);
    // nft: ip saddr 10.200.0.0/16 return (whole bytes: a 2-byte load)
    assertThat(
            translate(
                "[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"ip\",\"field\":"
                    + "\"saddr\"}},\"right\":{\"prefix\":{\"addr\":\"10.200.0.0\",\"len\":16}}}},"
                    + "{\"return\":null}]"))
        .containsExactly(
            nfproto,
            new Cmp(CmpOp.EQ, Data.u8(2)),
            new Payload(PayloadBase.NETWORK, 12, 2),
            new Cmp(CmpOp.EQ, Data.of(new byte[] {10, (byte) 200})),
            new Verdict(VerdictCode.RETURN, null));
    // nft: ip daddr 192.168.0.0/30 log prefix "calico-packet: " level notice
    assertThat(
            translate(
                "[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"ip\",\"field\":"
                    + "\"daddr\"}},\"right\":{\"prefix\":{\"addr\":\"192.168.0.0\",\"len\":30}}}},"
                    + "{\"log\":{\"prefix\":\"calico-packet: \",\"level\":\"notice\"}}]"))
        .containsExactly(
            nfproto,
            new Cmp(CmpOp.EQ, Data.u8(2)),
            new Payload(PayloadBase.NETWORK, 16, 4),
            new Bitwise(
                Data.of(new byte[] {-1, -1, -1, (byte) 0xfc}), Data.of(new byte[] {0, 0, 0, 0})),
            new Cmp(CmpOp.EQ, Data.of(new byte[] {(byte) 192, (byte) 168, 0, 0})),
            new Log("calico-packet: ", 5));
  }

  @Test
  void shapes() {
    assertThat(
            translate(
                "[{\"mangle\":{\"key\":{\"meta\":{\"key\":\"mark\"}},\"value\":{\"&\":[{\"meta\":"
                    + "{\"key\":\"mark\"}},4278190079]}}}]"))
        .containsExactly(
            new Meta(MetaKey.MARK),
            new Bitwise(Data.u32(0xfeffffff), Data.u32(0)),
            new SetMeta(MetaKey.MARK));
    assertThat(
            translate(
                "[{\"match\":{\"op\":\"!=\",\"left\":{\"payload\":{\"protocol\":\"ether\","
                    + "\"field\":\"saddr\"}},\"right\":\"ee:ee:ee:00:00:0a\"}},{\"drop\":null}]"))
        .containsExactly(
            new Meta(MetaKey.IIFTYPE),
            new Cmp(CmpOp.EQ, Data.u16(1)),
            new Payload(PayloadBase.LINK, 6, 6),
            new Cmp(
                CmpOp.NEQ, Data.of(new byte[] {(byte) 0xee, (byte) 0xee, (byte) 0xee, 0, 0, 10})),
            DROP);
    assertThat(
            translate(
                "[{\"match\":{\"op\":\"!=\",\"left\":{\"payload\":{\"protocol\":\"ip6\","
                    + "\"field\":\"daddr\"}},\"right\":\"fd00::1\"}},{\"return\":null}]"))
        .containsExactly(
            new Meta(MetaKey.NFPROTO),
            new Cmp(CmpOp.EQ, Data.u8(10)),
            new Payload(PayloadBase.NETWORK, 24, 16),
            new Cmp(
                CmpOp.NEQ,
                Data.of(new byte[] {(byte) 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})),
            new Verdict(VerdictCode.RETURN, null));
    assertThat(translate("[{\"jump\":{\"target\":\"po_P\"}}]"))
        .containsExactly(new Verdict(VerdictCode.JUMP, "po_P"));
  }

  @Test
  void whatLibnftablesWouldBuildDifferentlyIsNotTranslated() {
    for (String expr :
        List.of(
            // an anonymous set of own addresses
            "[{\"match\":{\"op\":\"!=\",\"left\":{\"payload\":{\"protocol\":\"ip\",\"field\":"
                + "\"saddr\"}},\"right\":{\"set\":[\"10.0.0.1\",\"10.0.0.2\"]}}},{\"drop\":null}]",
            // two transport matches (libnftables may merge adjacent ones into one load)
            "[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"udp\",\"field\":"
                + "\"sport\"}},\"right\":53}},{\"match\":{\"op\":\"==\",\"left\":{\"payload\":"
                + "{\"protocol\":\"udp\",\"field\":\"dport\"}},\"right\":53}},{\"drop\":null}]",
            // ICMP type and code (merged into one load by libnftables)
            "[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"icmp\",\"field\":"
                + "\"type\"}},\"right\":8}},{\"match\":{\"op\":\"==\",\"left\":{\"payload\":"
                + "{\"protocol\":\"icmp\",\"field\":\"code\"}},\"right\":0}},{\"drop\":null}]",
            // an address of the other family, and two families in one rule
            "[{\"match\":{\"op\":\"!=\",\"left\":{\"payload\":{\"protocol\":\"ip\",\"field\":"
                + "\"saddr\"}},\"right\":\"fd00::1\"}},{\"drop\":null}]",
            "[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"ip\",\"field\":"
                + "\"saddr\"}},\"right\":\"@t4_P\"}},{\"match\":{\"op\":\"==\",\"left\":{\"payload\":"
                + "{\"protocol\":\"ip6\",\"field\":\"daddr\"}},\"right\":\"@t6_P\"}}]",
            // a /0 prefix (libnftables loads and masks it all), conntrack, concatenations
            "[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"ip\",\"field\":"
                + "\"saddr\"}},\"right\":{\"prefix\":{\"addr\":\"0.0.0.0\",\"len\":0}}}}]",
            "[{\"vmap\":{\"key\":{\"ct\":{\"key\":\"state\"}},\"data\":{\"set\":[]}}}]",
            "[{\"match\":{\"op\":\"!=\",\"left\":{\"concat\":[]},\"right\":{\"set\":[]}}}]")) {
      assertThat(RawRules.translate(new NftRule(expr, null))).as(expr).isEmpty();
    }
  }

  @Test
  void theCacheGivesWhatTranslateGivesAndKeepsTheLastRuleTexts() {
    RawRules.Cache cache = new RawRules.Cache();
    NftRule drop = new NftRule("[{\"drop\": null}]", null);
    NftRule anonymous =
        new NftRule(
            "[{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"tcp\","
                + " \"field\": \"dport\"}}, \"right\": {\"set\": [22, 80]}}}, {\"accept\": null}]",
            null);
    assertThat(cache.translate(drop)).isEqualTo(RawRules.translate(drop)).contains(List.of(DROP));
    assertThat(cache.translate(anonymous)).isEqualTo(RawRules.translate(anonymous)).isEmpty();
    // The same text again (a new object, as a rule rendered again is) is the remembered result.
    List<NftExpr> first = cache.translate(drop).orElseThrow();
    assertThat(cache.translate(new NftRule("[{\"drop\": null}]", "c")).orElseThrow())
        .isSameAs(first);
    assertThat(cache.size()).isEqualTo(2);
    for (int i = 0; i < 2000; i++) {
      cache.translate(new NftRule("[{\"jump\": {\"target\": \"c" + i + "\"}}]", null));
    }
    assertThat(cache.size()).isEqualTo(1024);
    assertThat(cache.translate(new NftRule("[{\"jump\": {\"target\": \"c1999\"}}]", null)))
        .contains(List.of(new Verdict(VerdictCode.JUMP, "c1999")));
  }
}
