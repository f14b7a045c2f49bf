package io.github.calicoj.node.internal.nft;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.netns.nft.NftExpr;
import io.github.calicoj.netns.nft.NftExpr.Bitwise;
import io.github.calicoj.netns.nft.NftExpr.Cmp;
import io.github.calicoj.netns.nft.NftExpr.CmpOp;
import io.github.calicoj.netns.nft.NftExpr.Data;
import io.github.calicoj.netns.nft.NftExpr.Meta;
import io.github.calicoj.netns.nft.NftExpr.MetaKey;
import io.github.calicoj.netns.nft.NftExpr.Payload;
import io.github.calicoj.netns.nft.NftExpr.PayloadBase;
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
  void everyEndpointChainRuleOfTheSpecTableTranslatesAndNoProfileRuleWithASetDoes() {
    NftTable t = Kvs.spec6().state("h1").table();
    int endpointRules = 0;
    for (NftChain c : t.chains().values()) {
      for (NftRule r : c.rules()) {
        boolean raw = RawRules.translate(r).isPresent();
        if (c.name().startsWith("fw_") || c.name().startsWith("tw_")) {
          assertThat(raw).as("%s: %s", c.name(), r).isTrue();
          endpointRules++;
        } else if (r.expr().contains("\"@") || r.expr().contains("\"set\"")) {
          assertThat(raw).as("%s: %s", c.name(), r).isFalse();
        }
      }
    }
    assertThat(endpointRules).isGreaterThan(20);
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
            // a prefix
            "[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"ip\",\"field\":"
                + "\"saddr\"}},\"right\":{\"prefix\":{\"addr\":\"10.0.0.0\",\"len\":8}}}}]",
            // a named set
            "[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"ip\",\"field\":"
                + "\"saddr\"}},\"right\":\"@t4_P\"}},{\"return\":null}]",
            // an explicit family before an address (nft would leave out its dependency)
            "[{\"match\":{\"op\":\"==\",\"left\":{\"meta\":{\"key\":\"nfproto\"}},\"right\":"
                + "\"ipv4\"}},{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"ip\","
                + "\"field\":\"saddr\"}},\"right\":\"10.0.0.1\"}},{\"drop\":null}]",
            // ports, logs, conntrack
            "[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"tcp\",\"field\":"
                + "\"dport\"}},\"right\":80}},{\"drop\":null}]",
            "[{\"log\":{\"prefix\":\"x: \",\"level\":\"notice\"}}]",
            "[{\"vmap\":{\"key\":{\"ct\":{\"key\":\"state\"}},\"data\":{\"set\":[]}}}]",
            // an address of the other family
            "[{\"match\":{\"op\":\"!=\",\"left\":{\"payload\":{\"protocol\":\"ip\",\"field\":"
                + "\"saddr\"}},\"right\":\"fd00::1\"}},{\"drop\":null}]")) {
      assertThat(RawRules.translate(new NftRule(expr, null))).as(expr).isEmpty();
    }
  }
}
