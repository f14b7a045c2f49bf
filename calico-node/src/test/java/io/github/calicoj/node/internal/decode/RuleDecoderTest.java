package io.github.calicoj.node.internal.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.PortRange;
import io.github.calicoj.core.model.Rule;
import io.github.calicoj.node.internal.model.IpFamily;
import io.github.calicoj.node.internal.model.PolicyRule;
import io.github.calicoj.node.internal.model.PolicyRules;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Felix 1.4's rule validation (common.py) and the agent's classification of valid rules. */
class RuleDecoderTest {

  private static PolicyRule one(String rule) {
    PolicyRules r =
        RuleDecoder.decode("{\"inbound_rules\": [" + rule + "], \"outbound_rules\": []}");
    assertThat(r.inbound()).hasSize(1);
    return r.inbound().get(0);
  }

  private static Rule match(String rule) {
    PolicyRule r = one(rule);
    assertThat(r).isInstanceOf(PolicyRule.Match.class);
    return ((PolicyRule.Match) r).rule();
  }

  @Test
  void defaultProfileRulesOfBothErasDecode() {
    String eraA =
        "{\"id\": \"P\", \"inbound_rules\": [{\"action\": \"allow\", \"src_tag\": \"P\"}],"
            + " \"outbound_rules\": [{\"action\": \"allow\"}]}";
    String eraB = eraA.replace("\"id\": \"P\", ", "");
    for (String json : List.of(eraA, eraB)) {
      PolicyRules r = RuleDecoder.decode(json);
      assertThat(r.inbound())
          .containsExactly(new PolicyRule.Match(Rule.allowFromTag("P"), null, IpFamily.both()));
      assertThat(r.outbound())
          .containsExactly(new PolicyRule.Match(Rule.allow(), null, IpFamily.both()));
    }
  }

  @Test
  void missingListsAreEmptyAsInFelix14() {
    PolicyRules r = RuleDecoder.decode("{\"inbound_rules\": [{}]}");
    assertThat(r.inbound()).hasSize(1);
    assertThat(r.outbound()).isEmpty();
    assertThat(RuleDecoder.decode("{}").inbound()).isEmpty();
  }

  @Test
  void everyFieldIsRead() {
    Rule r =
        match(
            "{\"action\": \"deny\", \"protocol\": \"tcp\", \"src_net\": \"10.1.2.3/8\","
                + " \"src_tag\": \"T1\", \"src_ports\": [1, \"10:20\"], \"dst_net\": \"10.9.0.0/16\","
                + " \"dst_tag\": \"T2\", \"dst_ports\": [80], \"ip_version\": 4,"
                + " \"!protocol\": 17, \"!src_net\": \"10.2.0.0/16\", \"!src_tag\": \"T3\","
                + " \"!src_ports\": [2], \"!dst_net\": \"10.3.0.0/16\", \"!dst_tag\": \"T4\","
                + " \"!dst_ports\": [\"100:200\"]}");
    assertThat(r.action()).isEqualTo("deny");
    assertThat(r.protocol()).isEqualTo("tcp");
    assertThat(r.srcNet()).isEqualTo(Cidr.parse("10.0.0.0/8")); // host bits cleared, as Felix did
    assertThat(r.srcTag()).isEqualTo("T1");
    assertThat(r.srcPorts()).containsExactly(PortRange.of(1), PortRange.range(10, 20));
    assertThat(r.dstNet()).isEqualTo(Cidr.parse("10.9.0.0/16"));
    assertThat(r.dstTag()).isEqualTo("T2");
    assertThat(r.dstPorts()).containsExactly(PortRange.of(80));
    assertThat(r.ipVersion()).isEqualTo(4);
    assertThat(r.notProtocol()).isEqualTo("17"); // a number is kept as its decimal text
    assertThat(r.notSrcNet()).isEqualTo(Cidr.parse("10.2.0.0/16"));
    assertThat(r.notSrcTag()).isEqualTo("T3");
    assertThat(r.notSrcPorts()).containsExactly(PortRange.of(2));
    assertThat(r.notDstNet()).isEqualTo(Cidr.parse("10.3.0.0/16"));
    assertThat(r.notDstTag()).isEqualTo("T4");
    assertThat(r.notDstPorts()).containsExactly(PortRange.range(100, 200));
    Rule icmp =
        match(
            "{\"protocol\": \"icmp\", \"icmp_type\": 3, \"icmp_code\": 1, \"!icmp_type\": 8,"
                + " \"!icmp_code\": 0}");
    assertThat(List.of(icmp.icmpType(), icmp.icmpCode(), icmp.notIcmpType(), icmp.notIcmpCode()))
        .containsExactly(3, 1, 8, 0);
  }

  @Test
  void nullValuesAreDropped() {
    assertThat(match("{\"action\": \"allow\", \"protocol\": null, \"src_ports\": null}"))
        .isEqualTo(Rule.allow());
  }

  @Test
  void newerActionsAndLogPrefix() {
    assertThat(match("{\"action\": \"next-tier\"}").action()).isEqualTo("next-tier");
    PolicyRule log =
        one("{\"action\": \"log\", \"log_prefix\": \"bad prefix! with a long tail of text\"}");
    // [^a-zA-Z0-9_:-] becomes _, then 27 characters (Felix 1.4)
    assertThat(((PolicyRule.Match) log).logPrefix()).isEqualTo("bad_prefix__with_a_long_tai");
  }

  @Test
  void familiesFollowFelix21() {
    assertThat(one("{\"ip_version\": 6}").families()).containsExactly(IpFamily.V6);
    assertThat(one("{\"protocol\": \"icmp\"}").families()).containsExactly(IpFamily.V4);
    assertThat(one("{\"protocol\": \"icmpv6\"}").families()).containsExactly(IpFamily.V6);
    assertThat(one("{\"src_net\": \"10.0.0.0/8\"}").families()).containsExactly(IpFamily.V4);
    assertThat(one("{\"!dst_net\": \"fd00::/8\"}").families()).containsExactly(IpFamily.V6);
    assertThat(one("{\"src_tag\": \"P\"}").families()).isEqualTo(IpFamily.both());
    // Valid for Felix, but no packet is of both families: rendered as nothing.
    assertThat(one("{\"src_net\": \"10.0.0.0/8\", \"dst_net\": \"fd00::/8\"}"))
        .isInstanceOf(PolicyRule.Inert.class);
    assertThat(one("{\"protocol\": \"icmp\", \"dst_net\": \"fd00::/8\"}"))
        .isInstanceOf(PolicyRule.Inert.class);
  }

  @Test
  void icmpType255IsADropAtItsPositionInEitherEra() {
    // Era A (rules with "id", libcalico <= 0.15 refused to write 255 but Felix accepted it) and
    // era B (no "id", libcalico >= 0.16 writes it): Felix 1.3 and 1.4 both rendered a DROP.
    String rules =
        "\"inbound_rules\": [{\"action\": \"allow\", \"protocol\": \"icmp\", \"icmp_type\": 255},"
            + " {\"action\": \"allow\"}], \"outbound_rules\": []}";
    for (String json : List.of("{\"id\": \"P\", " + rules, "{" + rules)) {
      PolicyRules r = RuleDecoder.decode(json);
      assertThat(r.inbound().get(0))
          .isEqualTo(
              new PolicyRule.Drop(
                  Set.of(IpFamily.V4), "ICMP type 255 cannot be matched (felix#451)"));
      assertThat(r.inbound().get(1)).isInstanceOf(PolicyRule.Match.class);
    }
    assertThat(one("{\"protocol\": \"icmpv6\", \"!icmp_type\": 255}"))
        .isEqualTo(
            new PolicyRule.Drop(
                Set.of(IpFamily.V6), "ICMP type 255 cannot be matched (felix#451)"));
  }

  @Test
  void portsWithAProtocolOtherThanTcpOrUdpAreADrop() {
    for (String proto : List.of("\"sctp\"", "\"udplite\"", "6", "\"17\"", "132")) {
      PolicyRule r = one("{\"protocol\": " + proto + ", \"dst_ports\": [80]}");
      assertThat(r).isInstanceOf(PolicyRule.Drop.class);
      assertThat(((PolicyRule.Drop) r).reason()).contains("cannot be matched");
      assertThat(r.families()).isEqualTo(IpFamily.both());
    }
  }

  @Test
  void selectorsAreADrop() {
    assertThat(one("{\"src_selector\": \"role == 'db'\"}"))
        .isEqualTo(new PolicyRule.Drop(IpFamily.both(), "selectors are not supported"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"protocol\": \"tcp\", \"dst_ports\": [\"80\"]}", // the string "80": range unparseable
        "{\"protocol\": \"tcp\", \"dst_ports\": [\"80-90\"]}",
        "{\"protocol\": \"tcp\", \"dst_ports\": [\"90:80\"]}",
        "{\"protocol\": \"tcp\", \"dst_ports\": [\"80:80\"]}",
        "{\"protocol\": \"tcp\", \"dst_ports\": [65536]}",
        "{\"protocol\": \"tcp\", \"dst_ports\": [true]}",
        "{\"protocol\": \"tcp\", \"dst_ports\": [80.0]}",
        "{\"protocol\": \"tcp\", \"dst_ports\": 80}",
        "{\"dst_ports\": [80]}",
        "{\"protocol\": \"icmp\", \"dst_ports\": []}",
        "{\"foo\": 1}",
        "{\"!action\": \"deny\"}",
        "{\"action\": \"accept\"}",
        "{\"action\": 1}",
        "{\"protocol\": \"tcpx\"}",
        "{\"protocol\": 0}",
        "{\"protocol\": 256}",
        "{\"protocol\": \"06\"}",
        "{\"protocol\": true}",
        "{\"protocol\": \"dccp\"}",
        "{\"ip_version\": 5}",
        "{\"ip_version\": \"4\"}",
        "{\"ip_version\": 4, \"protocol\": \"icmpv6\"}",
        "{\"ip_version\": 6, \"protocol\": \"icmp\"}",
        "{\"ip_version\": 6, \"src_net\": \"10.0.0.0/8\"}",
        "{\"src_net\": \"10.0.0.0/33\"}",
        "{\"src_net\": 10}",
        "{\"src_tag\": \"a b\"}",
        "{\"!dst_tag\": 5}",
        "{\"protocol\": \"icmp\", \"icmp_type\": 256}",
        "{\"protocol\": \"icmp\", \"icmp_type\": \"8\"}",
        "{\"protocol\": \"icmp\", \"icmp_type\": true}",
        "{\"protocol\": \"icmp\", \"icmp_code\": 0}",
        "{\"protocol\": \"icmp\", \"!icmp_code\": 0, \"icmp_type\": 8}",
        "{\"icmp_type\": 8}", // agent's choice: Felix accepted it and dropped the type match
        "{\"protocol\": \"1\", \"icmp_type\": 8}",
        "{\"log_prefix\": 5}",
        "{\"src_selector\": 5}",
      })
  void anIssueInvalidatesTheWholeRulesValue(String rule) {
    String json =
        "{\"inbound_rules\": [{\"action\": \"allow\"}], \"outbound_rules\": [" + rule + "]}";
    assertThatThrownBy(() -> RuleDecoder.decode(json))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("outbound_rules[0]");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "[]",
        "\"rules\"",
        "{\"inbound_rules\": {}}",
        "{\"inbound_rules\": [5]}",
        "{\"inbound_rules\": [{}], \"outbound_rules\": \"none\"}",
        "{not json",
        ""
      })
  void malformedValuesAreInvalid(String json) {
    assertThatThrownBy(() -> RuleDecoder.decode(json)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theMessageListsEveryIssue() {
    assertThatThrownBy(
            () ->
                RuleDecoder.decode(
                    "{\"inbound_rules\": [{\"protocol\": \"tcp\", \"dst_ports\": [\"80\"]},"
                        + " {\"bogus\": true}]}"))
        .hasMessageContaining("Invalid port \"80\" in rule inbound_rules[0]")
        .hasMessageContaining("unknown keys: [bogus] (inbound_rules[1])");
  }
}
