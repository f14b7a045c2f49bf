package io.github.calicoj.netns.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.net.InetAddresses;
import io.github.calicoj.netns.MacAddress;
import io.github.calicoj.netns.NetNs;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Nftables#apply}: chains, rules and map entries sent as raw nf_tables netlink, as root, in
 * test namespaces ({@code cjt-…}) with tables named {@code cjt_…}. The oracle is {@code nft -j
 * list}: a chain filled through this path must list exactly like the same rules added through
 * libnftables.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class NftCommandsIT extends NftFixture.PerTest {
  private static final Verdict DROP = new Verdict(VerdictCode.DROP, null);

  private Nftables nft;

  @BeforeEach
  void openWithTable() {
    try (NetNs n = NetNs.open(ns.path())) {
      nft = Nftables.open(n);
    }
    nft.run(NftFixture.skeleton(table));
    nft.run(
        document(
            """
            {"add": {"chain": {%1$s, "name": "po_a"}}},
            {"add": {"map": {%1$s, "name": "fw_dispatch", "type": "ifname", "map": "verdict"}}}"""
                .formatted(in())));
  }

  @AfterEach
  void closeHandle() {
    if (nft != null) {
      nft.close();
    }
  }

  private String in() {
    return "\"family\": \"inet\", \"table\": \"" + table.name() + "\"";
  }

  private static String document(String commands) {
    return "{\"nftables\": [" + commands + "]}";
  }

  /** An endpoint chain's rules, as libnftables JSON and as the kernel's expressions. */
  private record Rule(String json, List<NftExpr> exprs, String comment) {}

  private static Data mac() {
    return Data.of(new byte[] {(byte) 0xee, (byte) 0xee, (byte) 0xee, 0, 0, 1});
  }

  private static List<Rule> endpointRules() {
    Meta mark = new Meta(MetaKey.MARK);
    Meta nfproto = new Meta(MetaKey.NFPROTO);
    return List.of(
        new Rule(
            "{\"mangle\": {\"key\": {\"meta\": {\"key\": \"mark\"}}, \"value\": {\"&\": [{\"meta\":"
                + " {\"key\": \"mark\"}}, 4278190079]}}}",
            List.of(
                mark, new Bitwise(Data.u32(0xfeffffff), Data.u32(0)), new SetMeta(MetaKey.MARK)),
            null),
        new Rule(
            "{\"match\": {\"op\": \"!=\", \"left\": {\"payload\": {\"protocol\": \"ether\","
                + " \"field\": \"saddr\"}}, \"right\": \"ee:ee:ee:00:00:01\"}}, {\"drop\": null}",
            List.of(
                new Meta(MetaKey.IIFTYPE),
                new Cmp(CmpOp.EQ, Data.u16(1)),
                new Payload(PayloadBase.LINK, 6, 6),
                new Cmp(CmpOp.NEQ, mac()),
                DROP),
            null),
        new Rule(
            "{\"match\": {\"op\": \"!=\", \"left\": {\"payload\": {\"protocol\": \"ip\", \"field\":"
                + " \"saddr\"}}, \"right\": \"10.1.0.3\"}}, {\"drop\": null}",
            List.of(
                nfproto,
                new Cmp(CmpOp.EQ, Data.u8(2)),
                new Payload(PayloadBase.NETWORK, 12, 4),
                new Cmp(CmpOp.NEQ, Data.of(InetAddresses.forString("10.1.0.3").getAddress())),
                DROP),
            null),
        new Rule(
            "{\"match\": {\"op\": \"!=\", \"left\": {\"payload\": {\"protocol\": \"ip6\","
                + " \"field\": \"saddr\"}}, \"right\": \"fd00::3\"}}, {\"drop\": null}",
            List.of(
                nfproto,
                new Cmp(CmpOp.EQ, Data.u8(10)),
                new Payload(PayloadBase.NETWORK, 8, 16),
                new Cmp(CmpOp.NEQ, Data.of(InetAddresses.forString("fd00::3").getAddress())),
                DROP),
            null),
        new Rule(
            "{\"match\": {\"op\": \"==\", \"left\": {\"meta\": {\"key\": \"nfproto\"}}, \"right\":"
                + " \"ipv6\"}}, {\"drop\": null}",
            List.of(nfproto, new Cmp(CmpOp.EQ, Data.u8(10)), DROP),
            null),
        new Rule(
            "{\"jump\": {\"target\": \"po_a\"}}",
            List.of(new Verdict(VerdictCode.JUMP, "po_a")),
            null),
        new Rule(
            "{\"match\": {\"op\": \"==\", \"left\": {\"&\": [{\"meta\": {\"key\": \"mark\"}},"
                + " 16777216]}, \"right\": 16777216}}, {\"return\": null}",
            List.of(
                mark,
                new Bitwise(Data.u32(0x01000000), Data.u32(0)),
                new Cmp(CmpOp.EQ, Data.u32(0x01000000)),
                new Verdict(VerdictCode.RETURN, null)),
            null),
        new Rule("{\"drop\": null}", List.of(DROP), "endpoint x inactive"));
  }

  /** Profile rules: set lookups, ports and ranges, ICMP, prefixes, logs, the accept mark. */
  private static List<Rule> profileRules() {
    Meta nfproto = new Meta(MetaKey.NFPROTO);
    Meta l4proto = new Meta(MetaKey.L4PROTO);
    Cmp ipv4 = new Cmp(CmpOp.EQ, Data.u8(2));
    Cmp tcp = new Cmp(CmpOp.EQ, Data.u8(6));
    Payload saddr = new Payload(PayloadBase.NETWORK, 12, 4);
    Payload dport = new Payload(PayloadBase.TRANSPORT, 2, 2);
    String lookup =
        "{\"match\": {\"op\": \"!=\", \"left\": {\"payload\": {\"protocol\": \"ip\", \"field\":"
            + " \"saddr\"}}, \"right\": \"@t4_web\"}}";
    return List.of(
        new Rule(
            lookup
                + ", {\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"tcp\","
                + " \"field\": \"dport\"}}, \"right\": {\"range\": [8000, 8080]}}}, {\"drop\": null}",
            List.of(
                nfproto,
                ipv4,
                saddr,
                new NftExpr.Lookup("t4_web", true),
                l4proto,
                tcp,
                dport,
                new Cmp(CmpOp.GTE, Data.of(new byte[] {0x1f, 0x40})),
                new Cmp(CmpOp.LTE, Data.of(new byte[] {0x1f, (byte) 0x90})),
                DROP),
            null),
        new Rule(
            "{\"match\": {\"op\": \"!=\", \"left\": {\"payload\": {\"protocol\": \"tcp\","
                + " \"field\": \"dport\"}}, \"right\": {\"range\": [1000, 2000]}}}, {\"drop\": null}",
            List.of(
                l4proto,
                tcp,
                dport,
                new NftExpr.Range(
                    CmpOp.NEQ,
                    Data.of(new byte[] {3, (byte) 0xe8}),
                    Data.of(new byte[] {7, (byte) 0xd0})),
                DROP),
            null),
        new Rule(
            "{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"icmp\","
                + " \"field\": \"type\"}}, \"right\": 8}}, {\"drop\": null}",
            List.of(
                nfproto,
                ipv4,
                l4proto,
                new Cmp(CmpOp.EQ, Data.u8(1)),
                new Payload(PayloadBase.TRANSPORT, 0, 1),
                new Cmp(CmpOp.EQ, Data.u8(8)),
                DROP),
            null),
        new Rule(
            "{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"ip\", \"field\":"
                + " \"daddr\"}}, \"right\": {\"prefix\": {\"addr\": \"192.168.0.0\", \"len\": 30}}}},"
                + " {\"log\": {\"prefix\": \"x: \", \"level\": \"notice\"}}",
            List.of(
                nfproto,
                ipv4,
                new Payload(PayloadBase.NETWORK, 16, 4),
                new Bitwise(Data.of(new byte[] {-1, -1, -1, (byte) 0xfc}), Data.u32(0)),
                new Cmp(CmpOp.EQ, Data.of(new byte[] {(byte) 192, (byte) 168, 0, 0})),
                new NftExpr.Log("x: ", 5)),
            null),
        new Rule(
            "{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"ip\", \"field\":"
                + " \"saddr\"}}, \"right\": {\"prefix\": {\"addr\": \"10.200.0.0\", \"len\": 16}}}},"
                + " {\"mangle\": {\"key\": {\"meta\": {\"key\": \"mark\"}}, \"value\": {\"|\":"
                + " [{\"meta\": {\"key\": \"mark\"}}, 16777216]}}}, {\"return\": null}",
            List.of(
                nfproto,
                ipv4,
                new Payload(PayloadBase.NETWORK, 12, 2),
                new Cmp(CmpOp.EQ, Data.of(new byte[] {10, (byte) 200})),
                new Meta(MetaKey.MARK),
                new Bitwise(Data.u32(0xfeffffff), Data.u32(0x01000000)),
                new SetMeta(MetaKey.MARK),
                new Verdict(VerdictCode.RETURN, null)),
            null));
  }

  @Test
  void profileRulesListExactlyLikeLibnftablesOwn() {
    StringBuilder viaLibrary =
        new StringBuilder("{\"add\": {\"chain\": {" + in() + ", \"name\": \"pi_lib\"}}}");
    NftCommands.Builder raw = NftCommands.builder(table).add(new NftCommands.AddChain("pi_raw"));
    for (Rule r : profileRules()) {
      viaLibrary
          .append(", {\"add\": {\"rule\": {")
          .append(in())
          .append(", \"chain\": \"pi_lib\", \"expr\": [")
          .append(r.json())
          .append("]}}}");
      raw.add(new NftCommands.AddRule("pi_raw", r.exprs(), r.comment()));
    }
    nft.run(document(viaLibrary.toString()));
    nft.apply(raw.build());
    List<String> expected = listedRules("pi_lib");
    assertThat(expected).hasSize(profileRules().size());
    assertThat(listedRules("pi_raw")).isEqualTo(expected);
  }

  /** The rules of a chain as {@code nft -j list chain} shows them, without handles and names. */
  private List<String> listedRules(String chain) {
    JsonNode out = NftOracle.nftJson(ns.name(), "list", "chain", "inet", table.name(), chain);
    List<String> rules = new ArrayList<>();
    for (JsonNode o : out.path("nftables")) {
      JsonNode r = o.path("rule");
      if (!r.isMissingNode()) {
        rules.add(r.path("expr").toString() + " # " + r.path("comment").asText(""));
      }
    }
    return rules;
  }

  @Test
  void rulesListExactlyLikeTheSameRulesAddedThroughLibnftables() {
    StringBuilder viaLibrary =
        new StringBuilder("{\"add\": {\"chain\": {" + in() + ", \"name\": \"fw_lib\"}}}");
    NftCommands.Builder raw = NftCommands.builder(table).add(new NftCommands.AddChain("fw_raw"));
    for (Rule r : endpointRules()) {
      viaLibrary
          .append(", {\"add\": {\"rule\": {")
          .append(in())
          .append(", \"chain\": \"fw_lib\", \"expr\": [")
          .append(r.json())
          .append("]")
          .append(r.comment() == null ? "" : ", \"comment\": \"" + r.comment() + "\"")
          .append("}}}");
      raw.add(new NftCommands.AddRule("fw_raw", r.exprs(), r.comment()));
    }
    nft.run(document(viaLibrary.toString()));
    nft.apply(raw.build());

    List<String> expected = listedRules("fw_lib");
    assertThat(expected).hasSize(endpointRules().size());
    assertThat(listedRules("fw_raw")).isEqualTo(expected);
    assertThat(expected.get(7)).contains("endpoint x inactive");

    // Flushed and refilled in one transaction: the same again.
    NftCommands.Builder refill =
        NftCommands.builder(table).add(new NftCommands.FlushChain("fw_raw"));
    endpointRules()
        .forEach(r -> refill.add(new NftCommands.AddRule("fw_raw", r.exprs(), r.comment())));
    nft.apply(refill.build());
    assertThat(listedRules("fw_raw")).isEqualTo(expected);
  }

  @Test
  void mapGotosAndChainsComeAndGoTogether() {
    Map<String, String> gotos =
        new TreeMap<>(Map.of("cali1234", "fw_cali1234", "cali5678", "po_a"));
    nft.apply(
        NftCommands.builder(table)
            .add(new NftCommands.AddChain("fw_cali1234"))
            .add(new NftCommands.AddRule("fw_cali1234", List.of(DROP), null))
            .addGotos("fw_dispatch", gotos)
            .elements(NftElements.Verb.ADD, "t4_web", List.of(InetAddresses.forString("10.65.0.7")))
            .build());
    JsonNode map = NftOracle.nftJson(ns.name(), "list", "map", "inet", table.name(), "fw_dispatch");
    assertThat(map.toString())
        .contains("[\"cali1234\",{\"goto\":{\"target\":\"fw_cali1234\"}}]")
        .contains("[\"cali5678\",{\"goto\":{\"target\":\"po_a\"}}]");
    assertThat(NftOracle.setElements(ns.name(), table, "t4_web").orElseThrow())
        .containsExactly("10.65.0.7");

    // Deleting a chain still in the map is refused, and nothing of the batch is applied.
    NftCommands tooEarly =
        NftCommands.builder(table)
            .elements(
                NftElements.Verb.DELETE, "t4_web", List.of(InetAddresses.forString("10.65.0.7")))
            .add(new NftCommands.FlushChain("fw_cali1234"))
            .add(new NftCommands.DeleteChain("fw_cali1234"))
            .build();
    assertThatThrownBy(() -> nft.apply(tooEarly))
        .isInstanceOfSatisfying(
            NftablesException.class,
            e -> {
              assertThat(e.errnoName()).isEqualTo("EBUSY");
              assertThat(e.command()).isEqualTo("delete chain " + table + " fw_cali1234");
            });
    assertThat(NftOracle.setElements(ns.name(), table, "t4_web").orElseThrow())
        .containsExactly("10.65.0.7");

    nft.apply(
        NftCommands.builder(table)
            .deleteKeys("fw_dispatch", List.of("cali1234"))
            .add(new NftCommands.FlushChain("fw_cali1234"))
            .add(new NftCommands.DeleteChain("fw_cali1234"))
            .build());
    map = NftOracle.nftJson(ns.name(), "list", "map", "inet", table.name(), "fw_dispatch");
    assertThat(map.toString()).doesNotContain("cali1234").contains("cali5678");
    assertThat(NftOracle.objects(ns.name(), table, "chain"))
        .extracting(c -> c.path("name").asText())
        .doesNotContain("fw_cali1234");
  }

  @Test
  void aJumpToAMissingChainIsNotFoundAndAppliesNothing() {
    NftCommands batch =
        NftCommands.builder(table)
            .add(new NftCommands.AddChain("fw_new"))
            .add(
                new NftCommands.AddRule(
                    "fw_new", List.of(new Verdict(VerdictCode.JUMP, "po_nosuch")), null))
            .build();
    assertThatThrownBy(() -> nft.apply(batch))
        .isInstanceOfSatisfying(
            NftablesException.class,
            e -> {
              assertThat(e.isNotFound()).isTrue();
              assertThat(e.command()).contains("fw_new").contains("po_nosuch");
            });
    assertThat(NftOracle.objects(ns.name(), table, "chain"))
        .extracting(c -> c.path("name").asText())
        .doesNotContain("fw_new");
  }

  @Test
  void aBatchLongerThanOneDatagramIsRefusedBeforeAnythingIsSent() {
    NftCommands.Builder b = NftCommands.builder(table).add(new NftCommands.AddChain("fw_big"));
    // Each rule is well over 16 bytes: 5,000 of them cannot fit in MAX_BATCH_BYTES.
    for (int i = 0; i < 5000; i++) {
      b.add(new NftCommands.AddRule("fw_big", List.of(DROP), "rule " + i));
    }
    NftCommands big = b.build();
    assertThatThrownBy(() -> nft.apply(big))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("longer than one batch")
        .hasMessageContaining(String.valueOf(NftCommands.MAX_BATCH_BYTES));
    assertThat(NftOracle.objects(ns.name(), table, "chain"))
        .extracting(c -> c.path("name").asText())
        .doesNotContain("fw_big");
    // The handle and its socket are still usable, and a batch that fits goes through.
    nft.apply(
        NftCommands.builder(table)
            .add(new NftCommands.AddChain("fw_small"))
            .add(new NftCommands.AddRule("fw_small", List.of(DROP), "rule 0"))
            .build());
    assertThat(NftOracle.objects(ns.name(), table, "chain"))
        .extracting(c -> c.path("name").asText())
        .contains("fw_small");
  }

  @Test
  void interfaceKeyedElementsListLikeLibnftablesOwn() {
    nft.run(
        document(
            """
            {"add": {"set": {%1$s, "name": "src4", "type": ["ifname", "ipv4_addr"]}}},
            {"add": {"set": {%1$s, "name": "src6", "type": ["ifname", "ipv6_addr"]}}},
            {"add": {"set": {%1$s, "name": "mac", "type": ["ifname", "ether_addr"]}}},
            {"add": {"set": {%1$s, "name": "ifs", "type": "ifname"}}},
            {"add": {"set": {%1$s, "name": "lib4", "type": ["ifname", "ipv4_addr"]}}},
            {"add": {"element": {%1$s, "name": "lib4",
                "elem": [{"concat": ["cali1", "10.65.0.7"]}]}}}"""
                .formatted(in())));
    NftElements.Verb add = NftElements.Verb.ADD;
    nft.apply(
        NftCommands.builder(table)
            .add(
                new NftCommands.InterfaceElements(
                    add,
                    "src4",
                    List.of(
                        NftCommands.InterfaceKey.of("cali1", InetAddresses.forString("10.65.0.7")),
                        NftCommands.InterfaceKey.of(
                            "cali2", InetAddresses.forString("10.65.0.8")))))
            .add(
                new NftCommands.InterfaceElements(
                    add,
                    "src6",
                    List.of(
                        NftCommands.InterfaceKey.of("cali1", InetAddresses.forString("fd00::7")))))
            .add(
                new NftCommands.InterfaceElements(
                    add,
                    "mac",
                    List.of(
                        NftCommands.InterfaceKey.of(
                            "cali1", MacAddress.parse("ee:ee:ee:00:00:01")))))
            .add(
                new NftCommands.InterfaceElements(
                    add, "ifs", List.of(NftCommands.InterfaceKey.of("cali1"))))
            .build());
    assertThat(elements("src4"))
        .containsExactly(
            "{\"concat\":[\"cali1\",\"10.65.0.7\"]}", "{\"concat\":[\"cali2\",\"10.65.0.8\"]}");
    assertThat(elements("src4").get(0)).isEqualTo(elements("lib4").get(0));
    assertThat(elements("src6")).containsExactly("{\"concat\":[\"cali1\",\"fd00::7\"]}");
    assertThat(elements("mac")).containsExactly("{\"concat\":[\"cali1\",\"ee:ee:ee:00:00:01\"]}");
    assertThat(elements("ifs")).containsExactly("\"cali1\"");
    // Deleting one that is not there fails the whole batch.
    NftCommands delete =
        NftCommands.builder(table)
            .add(
                new NftCommands.InterfaceElements(
                    NftElements.Verb.DELETE,
                    "src4",
                    List.of(
                        NftCommands.InterfaceKey.of("cali1", InetAddresses.forString("10.65.0.7")),
                        NftCommands.InterfaceKey.of(
                            "cali3", InetAddresses.forString("10.65.0.9")))))
            .build();
    assertThatThrownBy(() -> nft.apply(delete))
        .isInstanceOfSatisfying(NftablesException.class, e -> assertThat(e.isNotFound()).isTrue());
    assertThat(elements("src4")).hasSize(2);
  }

  @Test
  void mapJumpsListLikeLibnftablesOwn() {
    nft.run(
        document(
            """
            {"add": {"map": {%1$s, "name": "lib", "type": "ifname", "map": "verdict"}}},
            {"add": {"element": {%1$s, "name": "lib",
                "elem": [["cali1234", {"jump": {"target": "po_a"}}]]}}}"""
                .formatted(in())));
    nft.apply(
        NftCommands.builder(table)
            .add(new NftCommands.AddJumps("fw_dispatch", new TreeMap<>(Map.of("cali1234", "po_a"))))
            .build());
    JsonNode ours =
        NftOracle.nftJson(ns.name(), "list", "map", "inet", table.name(), "fw_dispatch");
    JsonNode theirs = NftOracle.nftJson(ns.name(), "list", "map", "inet", table.name(), "lib");
    assertThat(ours.toString()).contains("[\"cali1234\",{\"jump\":{\"target\":\"po_a\"}}]");
    assertThat(elem(ours)).isEqualTo(elem(theirs));
    // A jump entry keeps its chain in use (once libnftables' own entry is gone).
    nft.run(
        document(
            """
            {"delete": {"element": {%1$s, "name": "lib", "elem": ["cali1234"]}}}"""
                .formatted(in())));
    assertThatThrownBy(
            () ->
                nft.apply(
                    NftCommands.builder(table).add(new NftCommands.DeleteChain("po_a")).build()))
        .isInstanceOf(NftablesException.class);
  }

  private static String elem(JsonNode listed) {
    for (JsonNode o : listed.path("nftables")) {
      if (o.has("map")) {
        return o.path("map").path("elem").toString();
      }
    }
    return "";
  }

  private List<String> elements(String set) {
    JsonNode listed = NftOracle.nftJson(ns.name(), "list", "set", "inet", table.name(), set);
    List<String> out = new ArrayList<>();
    for (JsonNode o : listed.path("nftables")) {
      o.path("set").path("elem").forEach(e -> out.add(e.toString()));
    }
    return out;
  }
}
