package io.github.calicoj.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.calicoj.core.WireFormat;
import io.github.calicoj.core.model.PortRange;
import io.github.calicoj.core.model.Rule;
import io.github.calicoj.core.model.Rules;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Rules JSON given as input ({@code profile P rule update}) is parsed as Felix validates it: what
 * Felix would reject is refused with a message naming the field, so nothing is stored that would
 * widen a rule or empty a profile.
 */
class RulesJsonParseTest {
  private static final WireFormat A = WireFormat.ERA_A;
  private static final WireFormat B = WireFormat.ERA_B;

  @Test
  void anythingThatWouldEmptyOrWidenTheRulesIsRefusedNamingTheField() {
    Map<String, String> cases =
        Map.ofEntries(
            Map.entry("{}", "inbound_rules"),
            Map.entry("{\"inbound_rules\": \"x\", \"outbound_rules\": []}", "inbound_rules"),
            Map.entry("{\"inbound_rules\": 5, \"outbound_rules\": []}", "inbound_rules"),
            Map.entry("{\"inbound_rules\": null, \"outbound_rules\": []}", "inbound_rules"),
            Map.entry("{\"inbound_rules\": [], \"outbound_rules\": null}", "outbound_rules"),
            Map.entry("null", "must be an object"),
            Map.entry(
                "{\"inbound_rules\": [{\"action\": \"allow\", \"protocol\": \"tcp\","
                    + " \"dst_port\": [22]}], \"outbound_rules\": []}",
                "dst_port"),
            Map.entry(
                "{\"inbound_rules\": [{\"action\": \"deny\", \"src_nets\": \"10.0.0.0/8\"}],"
                    + " \"outbound_rules\": []}",
                "src_nets"),
            Map.entry("{\"inbound_rules\": [], \"outbound_rules\": []} trailing", "Malformed"),
            Map.entry("{\"inbound_rules\": [], \"outbound_rules\": []}{}", "Malformed"),
            Map.entry(
                "{\"inbound_rules\": [{\"icmp_type\": 8}], \"outbound_rules\": []}",
                "\"protocol\": \"icmp\""),
            Map.entry(
                "{\"inbound_rules\": [{\"protocol\": \"tcp\", \"dst_ports\": [\"80\"]}],"
                    + " \"outbound_rules\": []}",
                "dst_ports"),
            Map.entry(
                "{\"inbound_rules\": [{\"protocol\": \"tcp\", \"dst_ports\": \"80\"}],"
                    + " \"outbound_rules\": []}",
                "dst_ports"),
            Map.entry("{\"inbound_rules\": [{\"action\": 1}], \"outbound_rules\": []}", "action"),
            Map.entry("{\"inbound_rules\": [], \"outbound_rules\": [], \"other\": 1}", "other"),
            Map.entry(
                "{\"inbound_rules\": [{\"ip_version\": 4}], \"outbound_rules\": []}", "extended"));
    cases.forEach(
        (json, field) ->
            assertThatThrownBy(() -> RulesJson.parse(json, A))
                .as(json)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(field));
  }

  @Test
  void icmpType255IsRefusedInEraAAndAcceptedInEraB() {
    String json =
        "{\"inbound_rules\": [{\"action\": \"allow\", \"protocol\": \"icmp\", \"icmp_type\": 255}],"
            + " \"outbound_rules\": []}";
    assertThatThrownBy(() -> RulesJson.parse(json, A))
        .hasMessageContaining("Invalid ICMP type or ICMP code specified.");
    Rules r = RulesJson.parse(json, B);
    assertThat(r.inbound().get(0).icmpType()).isEqualTo(255);
    // The writer applies the same rule, whatever path a rule takes into a profile.
    assertThatThrownBy(() -> RulesJson.write("p", r, A))
        .hasMessageContaining("Invalid ICMP type or ICMP code specified.");
    assertThat(RulesJson.write("p", r, B)).contains("\"icmp_type\": 255");
  }

  @Test
  void whatFelixAcceptsIsParsedExactly() {
    Rules r =
        RulesJson.parse(
            "{\"id\": \"web\", \"inbound_rules\": [{\"action\": \"allow\", \"protocol\": \"tcp\","
                + " \"dst_ports\": [80, \"8000:8080\"], \"src_tag\": \"web\", \"src_net\": null}],"
                + " \"outbound_rules\": [{}]}",
            A);
    assertThat(r.inbound())
        .containsExactly(
            Rule.builder("allow")
                .protocol("tcp")
                .srcTag("web")
                .dstPorts(List.of(PortRange.of(80), PortRange.range(8000, 8080)))
                .build());
    assertThat(r.outbound()).containsExactly(Rule.builder("allow").build());
    assertThat(
            RulesJson.parse(
                    "{\"inbound_rules\": [{\"ip_version\": 6, \"!src_net\": \"fd00::/8\"}],"
                        + " \"outbound_rules\": []}",
                    A.withExtendedRules(true))
                .inbound()
                .get(0)
                .ipVersion())
        .isEqualTo(6);
  }

  @Test
  void aHugeBadInputIsQuotedShort() {
    String huge = "{\"inbound_rules\": \"" + "x".repeat(1 << 20) + "\", \"outbound_rules\": []}";
    assertThatThrownBy(() -> RulesJson.parse(huge, A))
        .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(300));
  }
}
