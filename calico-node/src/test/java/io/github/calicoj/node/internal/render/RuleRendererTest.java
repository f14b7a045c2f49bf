package io.github.calicoj.node.internal.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.core.model.PortRange;
import io.github.calicoj.node.internal.decode.RuleDecoder;
import io.github.calicoj.node.internal.model.Direction;
import io.github.calicoj.node.internal.model.IpFamily;
import io.github.calicoj.node.internal.model.PolicyProfile;
import io.github.calicoj.node.internal.model.PolicyRule;
import io.github.calicoj.node.internal.nft.NftRule;
import io.github.calicoj.node.internal.render.RuleRenderer.TagRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Golden libnftables JSON for every field a Calico v1 profile rule can carry. Each rule is written
 * as the {@code "expr"} array it renders to; the equivalent nft syntax is in the comment above it.
 */
class RuleRendererTest {
  private static final RuleRenderer RENDERER = new RuleRenderer(0x01000000);
  // meta mark set meta mark | 0x01000000 return
  private static final String ALLOW =
      "{\"mangle\":{\"key\":{\"meta\":{\"key\":\"mark\"}},\"value\":{\"|\":[{\"meta\":{\"key\":\"mark\"}},16777216]}}},{\"return\":null}";
  private static final String DROP = "{\"drop\":null}";

  private final Set<TagRef> tags = new TreeSet<>(TagRef.ORDER);

  private List<NftRule> render(String rule) {
    PolicyRule r = RuleDecoder.decode("{\"inbound_rules\": [" + rule + "]}").inbound().get(0);
    return RENDERER.rule(r, "inbound_rules[0]", tags);
  }

  private List<String> exprs(String rule) {
    List<String> out = new ArrayList<>();
    render(rule).forEach(r -> out.add(r.expr()));
    return out;
  }

  private static String eq(String left, String right) {
    return "{\"match\":{\"op\":\"==\",\"left\":" + left + ",\"right\":" + right + "}}";
  }

  private static String ne(String left, String right) {
    return "{\"match\":{\"op\":\"!=\",\"left\":" + left + ",\"right\":" + right + "}}";
  }

  private static String payload(String protocol, String field) {
    return "{\"payload\":{\"protocol\":\"" + protocol + "\",\"field\":\"" + field + "\"}}";
  }

  private static String meta(String key) {
    return "{\"meta\":{\"key\":\"" + key + "\"}}";
  }

  private static final String NFPROTO4 = eq(meta("nfproto"), "\"ipv4\"");
  private static final String NFPROTO6 = eq(meta("nfproto"), "\"ipv6\"");

  @Test
  void emptyRuleAllowsEverything() {
    // meta mark set meta mark | 0x01000000 return
    assertThat(exprs("{}")).containsExactly("[" + ALLOW + "]");
    assertThat(exprs("{\"action\": \"allow\"}")).containsExactly("[" + ALLOW + "]");
  }

  @Test
  void actions() {
    // drop
    assertThat(exprs("{\"action\": \"deny\"}")).containsExactly("[" + DROP + "]");
    // return (next-tier leaves the profile without accepting)
    assertThat(exprs("{\"action\": \"next-tier\"}")).containsExactly("[{\"return\":null}]");
    // log prefix "calico-packet: " level notice
    assertThat(exprs("{\"action\": \"log\"}"))
        .containsExactly("[{\"log\":{\"prefix\":\"calico-packet: \",\"level\":\"notice\"}}]");
    // log prefix "web: " level notice drop
    assertThat(exprs("{\"action\": \"deny\", \"log_prefix\": \"web\"}"))
        .containsExactly("[{\"log\":{\"prefix\":\"web: \",\"level\":\"notice\"}}," + DROP + "]");
  }

  @Test
  void protocols() {
    // meta l4proto tcp  (both families: one rule)
    assertThat(exprs("{\"protocol\": \"tcp\"}"))
        .containsExactly("[" + eq(meta("l4proto"), "\"tcp\"") + "," + ALLOW + "]");
    // meta l4proto 132  (a number stays a number)
    assertThat(exprs("{\"protocol\": 132}"))
        .containsExactly("[" + eq(meta("l4proto"), "132") + "," + ALLOW + "]");
    assertThat(exprs("{\"protocol\": \"47\"}"))
        .containsExactly("[" + eq(meta("l4proto"), "47") + "," + ALLOW + "]");
    // meta l4proto != udp
    assertThat(exprs("{\"!protocol\": \"udp\"}"))
        .containsExactly("[" + ne(meta("l4proto"), "\"udp\"") + "," + ALLOW + "]");
    // meta nfproto ipv4 meta l4proto icmp  (icmp exists only in IPv4: Felix 2.1)
    assertThat(exprs("{\"protocol\": \"icmp\"}"))
        .containsExactly(
            "[" + NFPROTO4 + "," + eq(meta("l4proto"), "\"icmp\"") + "," + ALLOW + "]");
    // meta nfproto ipv6 meta l4proto icmpv6
    assertThat(exprs("{\"protocol\": \"icmpv6\"}"))
        .containsExactly(
            "[" + NFPROTO6 + "," + eq(meta("l4proto"), "\"icmpv6\"") + "," + ALLOW + "]");
  }

  @Test
  void behaviour8PortsAndRanges() {
    // tcp dport 80, and tcp dport 8000-8080: no interval set (see RuleRenderer#alternatives)
    assertThat(
            exprs(
                "{\"action\": \"allow\", \"protocol\": \"tcp\", \"dst_ports\": [80, \"8000:8080\"]}"))
        .containsExactly(
            "[" + eq(payload("tcp", "dport"), "80") + "," + ALLOW + "]",
            "[" + eq(payload("tcp", "dport"), "{\"range\":[8000,8080]}") + "," + ALLOW + "]");
    // udp sport 53
    assertThat(exprs("{\"protocol\": \"udp\", \"src_ports\": [53]}"))
        .containsExactly("[" + eq(payload("udp", "sport"), "53") + "," + ALLOW + "]");
    // single ports together in one anonymous set without the interval flag
    assertThat(exprs("{\"protocol\": \"tcp\", \"dst_ports\": [443, 80, 22]}"))
        .containsExactly(
            "[" + eq(payload("tcp", "dport"), "{\"set\":[22,80,443]}") + "," + ALLOW + "]");
    // tcp sport 1024-65535 tcp dport != 22 tcp dport != 1000-2000 drop
    assertThat(
            exprs(
                "{\"action\": \"deny\", \"protocol\": \"tcp\", \"src_ports\": [\"1024:65535\"],"
                    + " \"!dst_ports\": [22, \"1000:2000\"]}"))
        .containsExactly(
            "["
                + eq(payload("tcp", "sport"), "{\"range\":[1024,65535]}")
                + ","
                + ne(payload("tcp", "dport"), "22")
                + ","
                + ne(payload("tcp", "dport"), "{\"range\":[1000,2000]}")
                + ","
                + DROP
                + "]");
  }

  @Test
  void portAlternativesAreDisjointAndCombineAcrossFields() {
    // 85 lies in 80:90 and 91 touches it: one range 80-91; 7 stays a single port.
    assertThat(
            RuleRenderer.alternatives(
                List.of(
                    PortRange.range(80, 90), PortRange.of(85), PortRange.of(91), PortRange.of(7))))
        .containsExactly(List.of(PortRange.of(7)), List.of(PortRange.range(80, 91)));
    assertThat(RuleRenderer.alternatives(List.of())).containsExactly(List.of());
    // two alternatives of each list: four rules, in order
    assertThat(
            exprs(
                "{\"protocol\": \"tcp\", \"src_ports\": [1, \"10:20\"], \"dst_ports\": [2,"
                    + " \"30:40\"]}"))
        .containsExactly(
            "["
                + eq(payload("tcp", "sport"), "1")
                + ","
                + eq(payload("tcp", "dport"), "2")
                + ","
                + ALLOW
                + "]",
            "["
                + eq(payload("tcp", "sport"), "1")
                + ","
                + eq(payload("tcp", "dport"), "{\"range\":[30,40]}")
                + ","
                + ALLOW
                + "]",
            "["
                + eq(payload("tcp", "sport"), "{\"range\":[10,20]}")
                + ","
                + eq(payload("tcp", "dport"), "2")
                + ","
                + ALLOW
                + "]",
            "["
                + eq(payload("tcp", "sport"), "{\"range\":[10,20]}")
                + ","
                + eq(payload("tcp", "dport"), "{\"range\":[30,40]}")
                + ","
                + ALLOW
                + "]");
  }

  @Test
  void nets() {
    // ip saddr 10.0.0.0/8  (host bits of 10.1.2.3/8 cleared; IPv4 only)
    assertThat(exprs("{\"src_net\": \"10.1.2.3/8\"}"))
        .containsExactly(
            "["
                + eq(payload("ip", "saddr"), "{\"prefix\":{\"addr\":\"10.0.0.0\",\"len\":8}}")
                + ","
                + ALLOW
                + "]");
    // ip daddr 10.0.0.5
    assertThat(exprs("{\"dst_net\": \"10.0.0.5/32\"}"))
        .containsExactly("[" + eq(payload("ip", "daddr"), "\"10.0.0.5\"") + "," + ALLOW + "]");
    // ip6 saddr != fd00::/8 ip6 daddr fd00::1
    assertThat(exprs("{\"!src_net\": \"fd00::/8\", \"dst_net\": \"fd00::1\"}"))
        .containsExactly(
            "["
                + ne(payload("ip6", "saddr"), "{\"prefix\":{\"addr\":\"fd00::\",\"len\":8}}")
                + ","
                + eq(payload("ip6", "daddr"), "\"fd00::1\"")
                + ","
                + ALLOW
                + "]");
  }

  @Test
  void tagsRenderOnePerFamily() {
    // ip saddr @t4_P ...   and   ip6 saddr @t6_P ...
    assertThat(exprs("{\"action\": \"allow\", \"src_tag\": \"P\"}"))
        .containsExactly(
            "[" + eq(payload("ip", "saddr"), "\"@t4_P\"") + "," + ALLOW + "]",
            "[" + eq(payload("ip6", "saddr"), "\"@t6_P\"") + "," + ALLOW + "]");
    // ip daddr != @t4_Q drop (ip_version 4: IPv4 only)
    assertThat(exprs("{\"action\": \"deny\", \"!dst_tag\": \"Q\", \"ip_version\": 4}"))
        .containsExactly("[" + ne(payload("ip", "daddr"), "\"@t4_Q\"") + "," + DROP + "]");
    assertThat(tags)
        .containsExactly(
            new TagRef(IpFamily.V4, "P"),
            new TagRef(IpFamily.V4, "Q"),
            new TagRef(IpFamily.V6, "P"));
  }

  @Test
  void ipVersionAlone() {
    // meta nfproto ipv6 meta mark set ... return
    assertThat(exprs("{\"ip_version\": 6}")).containsExactly("[" + NFPROTO6 + "," + ALLOW + "]");
    // meta nfproto ipv4 tcp dport 80 (tcp does not imply a family)
    assertThat(exprs("{\"ip_version\": 4, \"protocol\": \"tcp\", \"dst_ports\": [80]}"))
        .containsExactly(
            "[" + NFPROTO4 + "," + eq(payload("tcp", "dport"), "80") + "," + ALLOW + "]");
  }

  @Test
  void behaviour10IcmpTypeAndCode() {
    // icmp type 8  (the icmp header implies IPv4 and protocol icmp)
    assertThat(exprs("{\"action\": \"allow\", \"protocol\": \"icmp\", \"icmp_type\": 8}"))
        .containsExactly("[" + eq(payload("icmp", "type"), "8") + "," + ALLOW + "]");
    // icmp type 3 icmp code 1
    assertThat(exprs("{\"protocol\": \"icmp\", \"icmp_type\": 3, \"icmp_code\": 1}"))
        .containsExactly(
            "["
                + eq(payload("icmp", "type"), "3")
                + ","
                + eq(payload("icmp", "code"), "1")
                + ","
                + ALLOW
                + "]");
    // icmpv6 type 128
    assertThat(exprs("{\"protocol\": \"icmpv6\", \"icmp_type\": 128}"))
        .containsExactly("[" + eq(payload("icmpv6", "type"), "128") + "," + ALLOW + "]");
    // icmp type != 8
    assertThat(exprs("{\"protocol\": \"icmp\", \"!icmp_type\": 8}"))
        .containsExactly("[" + ne(payload("icmp", "type"), "8") + "," + ALLOW + "]");
    // icmp type . icmp code != { 8 . 0 }  (Felix negated the type and code as a pair)
    assertThat(exprs("{\"protocol\": \"icmp\", \"!icmp_type\": 8, \"!icmp_code\": 0}"))
        .containsExactly(
            "["
                + ne(
                    "{\"concat\":["
                        + payload("icmp", "type")
                        + ","
                        + payload("icmp", "code")
                        + "]}",
                    "{\"set\":[{\"concat\":[8,0]}]}")
                + ","
                + ALLOW
                + "]");
  }

  @Test
  void behaviour11IcmpType255IsABareDrop() {
    List<NftRule> r = render("{\"action\": \"allow\", \"protocol\": \"icmp\", \"icmp_type\": 255}");
    // meta nfproto ipv4 drop comment "..."
    assertThat(r)
        .containsExactly(
            new NftRule(
                "[" + NFPROTO4 + "," + DROP + "]",
                "inbound_rules[0]: ICMP type 255 cannot be matched (felix#451)"));
  }

  @Test
  void portsWithOtherProtocolsAndSelectorsAreBareDrops() {
    assertThat(render("{\"protocol\": \"sctp\", \"dst_ports\": [80]}"))
        .containsExactly(
            new NftRule(
                "[" + DROP + "]", "inbound_rules[0]: ports with protocol sctp cannot be matched"));
    assertThat(render("{\"dst_selector\": \"a == 'b'\", \"ip_version\": 6}"))
        .containsExactly(
            new NftRule(
                "[" + NFPROTO6 + "," + DROP + "]",
                "inbound_rules[0]: selectors are not supported"));
  }

  @Test
  void rulesNoPacketMatchesRenderAsNothing() {
    assertThat(render("{\"src_net\": \"10.0.0.0/8\", \"dst_net\": \"fd00::/8\"}")).isEmpty();
    assertThat(render("{\"protocol\": \"icmp\", \"src_net\": \"fd00::/8\"}")).isEmpty();
  }

  @Test
  void everyMatchTogetherInFieldOrder() {
    // meta l4proto != 17 ip saddr 10.0.0.0/8 ip saddr != 10.1.0.0/16 ip saddr @t4_A
    //   ip saddr != @t4_B tcp sport 1 tcp sport != 2 ip daddr ... log ... drop
    String rule =
        "{\"action\": \"deny\", \"protocol\": \"tcp\", \"!protocol\": 17,"
            + " \"src_net\": \"10.0.0.0/8\", \"!src_net\": \"10.1.0.0/16\", \"src_tag\": \"A\","
            + " \"!src_tag\": \"B\", \"src_ports\": [1], \"!src_ports\": [2],"
            + " \"dst_net\": \"10.2.0.0/16\", \"!dst_net\": \"10.3.0.0/16\", \"dst_tag\": \"C\","
            + " \"!dst_tag\": \"D\", \"dst_ports\": [3], \"!dst_ports\": [4], \"log_prefix\": \"x\"}";
    String prefix8 = "{\"prefix\":{\"addr\":\"10.0.0.0\",\"len\":8}}";
    assertThat(exprs(rule))
        .containsExactly(
            "["
                + String.join(
                    ",",
                    ne(meta("l4proto"), "17"),
                    eq(payload("ip", "saddr"), prefix8),
                    ne(payload("ip", "saddr"), "{\"prefix\":{\"addr\":\"10.1.0.0\",\"len\":16}}"),
                    eq(payload("ip", "saddr"), "\"@t4_A\""),
                    ne(payload("ip", "saddr"), "\"@t4_B\""),
                    eq(payload("tcp", "sport"), "1"),
                    ne(payload("tcp", "sport"), "2"),
                    eq(payload("ip", "daddr"), "{\"prefix\":{\"addr\":\"10.2.0.0\",\"len\":16}}"),
                    ne(payload("ip", "daddr"), "{\"prefix\":{\"addr\":\"10.3.0.0\",\"len\":16}}"),
                    eq(payload("ip", "daddr"), "\"@t4_C\""),
                    ne(payload("ip", "daddr"), "\"@t4_D\""),
                    eq(payload("tcp", "dport"), "3"),
                    ne(payload("tcp", "dport"), "4"),
                    "{\"log\":{\"prefix\":\"x: \",\"level\":\"notice\"}}",
                    DROP)
                + "]");
  }

  @Test
  void aProfileWithoutValidRulesDropsInItsChain() {
    assertThat(RENDERER.chain(null, "ghost", Direction.INBOUND, tags))
        .containsExactly(new NftRule("[" + DROP + "]", "profile ghost does not exist"));
    assertThat(
            RENDERER.chain(
                new PolicyProfile("P", List.of("P"), null), "P", Direction.OUTBOUND, tags))
        .containsExactly(new NftRule("[" + DROP + "]", "profile P has no valid rules"));
  }

  @Test
  void theAcceptBitFollowsTheMarkMask() {
    RuleRenderer low = new RuleRenderer(0x100);
    PolicyRule allow = RuleDecoder.decode("{\"inbound_rules\": [{}]}").inbound().get(0);
    assertThat(low.rule(allow, "x", tags).get(0).expr())
        .contains("[{\"meta\":{\"key\":\"mark\"}},256]");
    RuleRenderer high = new RuleRenderer(0x80000000);
    assertThat(high.rule(allow, "x", tags).get(0).expr()).contains(",2147483648]"); // unsigned
  }
}
