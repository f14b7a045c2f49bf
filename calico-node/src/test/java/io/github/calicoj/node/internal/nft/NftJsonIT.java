package io.github.calicoj.node.internal.nft;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.node.internal.Kvs;
import io.github.calicoj.node.internal.render.DesiredState;
import io.github.calicoj.node.internal.track.IncrementalTracker;
import io.github.calicoj.node.internal.track.RandomChanges;
import io.github.calicoj.testkit.Processes;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rendered JSON against the real nft (libnftables' JSON parser and the kernel's checks), in a
 * throwaway user and network namespace: no root needed.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NftJsonIT {
  @TempDir Path dir;

  @BeforeAll
  static void nft() {
    NftSandbox.require();
  }

  /**
   * Changes from the setup of {@link Kvs#spec6()}, each applied as a diff and compared with a fresh
   * load.
   */
  private static Map<String, UnaryOperator<Kvs>> changes() {
    Map<String, UnaryOperator<Kvs>> c = new LinkedHashMap<>();
    c.put("tag membership", k -> k.tags("Q", "[\"Q\", \"P\"]"));
    c.put(
        "rules",
        k ->
            k.rules(
                "P",
                "{\"inbound_rules\": [{\"action\": \"deny\", \"protocol\": \"icmp\"},"
                    + " {\"action\": \"allow\", \"protocol\": \"tcp\", \"dst_ports\": [80, \"8000:8080\"]},"
                    + " {\"action\": \"allow\", \"protocol\": \"icmp\", \"icmp_type\": 255},"
                    + " {\"action\": \"log\", \"log_prefix\": \"p\"}, {\"action\": \"next-tier\"},"
                    + " {\"protocol\": \"icmp\", \"!icmp_type\": 8, \"!icmp_code\": 0},"
                    + " {\"src_net\": \"10.0.0.0/8\", \"!dst_net\": \"10.1.0.0/16\", \"!src_tag\": \"Q\"},"
                    + " {\"protocol\": \"udp\", \"!src_ports\": [\"1:1023\"], \"ip_version\": 4},"
                    + " {\"protocol\": \"icmpv6\", \"icmp_type\": 128, \"icmp_code\": 0}, {\"protocol\": 132},"
                    + " {\"!protocol\": \"tcp\", \"dst_tag\": \"P\"}]}"));
    c.put("invalid rules", k -> k.rules("P", "{\"inbound_rules\": [{\"dst_ports\": [\"80\"]}]}"));
    c.put("endpoint removed", k -> k.remove(Kvs.endpointKey("h1", Kvs.B)));
    c.put(
        "endpoint added",
        k -> k.endpoint("h1", "ffffffffffff4fff8fffffffffffffff", "192.168.0.9", "Q", "ghost"));
    c.put("profile appended", k -> k.endpoint("h1", Kvs.C, "192.168.0.2", "P", "Q"));
    c.put(
        "inactive",
        k ->
            k.put(
                Kvs.endpointKey("h1", Kvs.A),
                "{\"state\": \"inactive\", \"name\": \"caliaaaaaaaaaaa\", \"profile_ids\": [\"P\"]}"));
    c.put(
        "dual stack",
        k ->
            k.put(
                Kvs.endpointKey("h1", Kvs.A),
                "{\"state\": \"active\", \"name\": \"caliaaaaaaaaaaa\", \"profile_ids\": [\"P\"],"
                    + " \"ipv4_nets\": [\"192.168.0.1/32\", \"192.168.0.7/32\"], \"ipv6_nets\": [\"fd80::1/128\"]}"));
    c.put(
        "host action DROP",
        k -> k.put("/calico/v1/host/h1/config/DefaultEndpointToHostAction", "DROP"));
    c.put(
        "host action ACCEPT",
        k -> k.put("/calico/v1/host/h1/config/DefaultEndpointToHostAction", "ACCEPT"));
    c.put(
        "masquerade",
        k ->
            k.put(
                    "/calico/v1/ipam/v4/pool/192.168.0.0-16",
                    "{\"cidr\": \"192.168.0.0/16\", \"masquerade\": true}")
                .put(
                    "/calico/v1/ipam/v4/pool/10.10.0.0-16",
                    "{\"cidr\": \"10.10.0.0/16\", \"masquerade\": true}"));
    c.put("two prefixes", k -> k.put("/calico/v1/config/InterfacePrefix", "cali,tap"));
    c.put("mark mask", k -> k.put("/calico/v1/config/IptablesMarkMask", "0x0000ff00"));
    c.put(
        "no endpoints",
        k ->
            k.remove(Kvs.endpointKey("h1", Kvs.A))
                .remove(Kvs.endpointKey("h1", Kvs.B))
                .remove(Kvs.endpointKey("h1", Kvs.C)));
    return c;
  }

  @Test
  void theFullTableIsAcceptedInCheckMode() {
    String json = Kvs.spec6().state("h1").replacement().toJson();
    NftSandbox.ok(dir, Map.of("full.json", json), "nft -j -c -f full.json");
    // Check mode reaches the kernel: a jump to a missing chain is refused there, not by the parser.
    String bad = json.replace("\"target\":\"from_wl\"", "\"target\":\"no_such_chain\"");
    Processes.Result r = NftSandbox.run(dir, Map.of("bad.json", bad), "nft -j -c -f bad.json");
    assertThat(r.exitCode()).isNotZero();
    assertThat(r.output()).contains("No such file or directory");
  }

  @Test
  void everyDiffLeavesWhatAFreshLoadLeaves() {
    for (Map.Entry<String, UnaryOperator<Kvs>> c : changes().entrySet()) {
      DesiredState before = Kvs.spec6().state("h1");
      DesiredState after = c.getValue().apply(Kvs.spec6()).state("h1");
      for (DesiredState[] pair : new DesiredState[][] {{before, after}, {after, before}}) {
        NftBatch diff = pair[1].changesSince(pair[0]);
        assertThat(diff.isEmpty()).as(c.getKey()).isFalse();
        String out =
            NftSandbox.ok(
                dir,
                Map.of(
                    "from.json", pair[0].replacement().toJson(),
                    "diff.json", diff.toJson(),
                    "to.json", pair[1].replacement().toJson()),
                "nft -j -f from.json; nft -j -f diff.json; nft -j list table inet calico > got.json;"
                    + " nft -j -f to.json; nft -j list table inet calico > want.json;"
                    + " cat got.json want.json");
        String[] lists = out.strip().split("\n+");
        assertThat(NftSandbox.canonical(lists[0]))
            .as(c.getKey())
            .isEqualTo(NftSandbox.canonical(lists[1]));
      }
    }
  }

  @Test
  void theIncrementalTrackersBatchesOfRandomChangesLoadAndLeaveAFreshLoadsTable() {
    IncrementalTracker live = new IncrementalTracker("h1", Map.of());
    Map<String, String> files = new LinkedHashMap<>();
    files.put("b0.json", live.reset(RandomChanges.initialListing()).toJson());
    RandomChanges random = new RandomChanges(11);
    int n = 1;
    while (n <= 120) {
      random.next().forEach(c -> c.applyTo(live));
      NftBatch b = live.update().nft();
      if (!b.isEmpty()) {
        files.put("b" + n++ + ".json", b.toJson());
      }
    }
    files.put("want.json", NftBatch.replacing(live.table()).toJson());
    StringBuilder script = new StringBuilder();
    for (int i = 0; i < n; i++) {
      script
          .append("nft -j -f b")
          .append(i)
          .append(".json || { echo FAILED b")
          .append(i)
          .append("; exit 1; }; ");
    }
    script
        .append("nft -j list table inet calico > got.json; nft -j -f want.json;")
        .append(" nft -j list table inet calico > want.out; cat got.json want.out");
    String out = NftSandbox.ok(dir, files, script.toString());
    String[] lists = out.strip().split("\n+");
    assertThat(NftSandbox.canonical(lists[0])).isEqualTo(NftSandbox.canonical(lists[1]));
  }

  @Test
  void aFullReplacementReplacesWhateverWasThere() {
    String stale =
        "table inet calico {\n set junk { type ipv4_addr; }\n chain junk_chain {\n drop\n }\n"
            + " chain input {\n type filter hook input priority 0; policy drop;\n }\n}\n";
    String out =
        NftSandbox.ok(
            dir,
            Map.of("stale.nft", stale, "full.json", Kvs.spec6().state("h1").replacement().toJson()),
            "nft -f stale.nft; nft -j -f full.json; nft -j list table inet calico > got.json;"
                + " nft delete table inet calico; nft -j -f full.json; nft -j list table inet calico");
    String[] lists = NftSandbox.ok(dir, Map.of(), "cat got.json").strip().split("\n");
    assertThat(NftSandbox.canonical(lists[0])).isEqualTo(NftSandbox.canonical(out.strip()));
    assertThat(lists[0]).doesNotContain("junk").contains("\"policy\": \"accept\"");
    // Also on an empty ruleset: the leading "add table" makes the "delete table" safe.
    NftSandbox.ok(dir, Map.of(), "nft -j -f full.json");
  }

  @Test
  void aFailingBatchChangesNothing() {
    DesiredState before = Kvs.spec6().state("h1");
    NftBatch diff = Kvs.spec6().tags("Q", "[\"Q\", \"P\"]").state("h1").changesSince(before);
    diff.deleteChain("no_such_chain"); // the last command fails: the element add must not stay
    Processes.Result r =
        NftSandbox.run(
            dir,
            Map.of("from.json", before.replacement().toJson(), "diff.json", diff.toJson()),
            "nft -j -f from.json; nft -j list table inet calico > a.json;"
                + " if nft -j -f diff.json; then echo APPLIED; fi; nft -j list table inet calico > b.json;"
                + " cmp a.json b.json && echo UNCHANGED");
    assertThat(r.output()).doesNotContain("APPLIED").contains("UNCHANGED");
  }

  @Test
  void behaviour8ListsAsNftSyntax() {
    DesiredState s = Kvs.spec6().rules("P", Kvs.BEHAVIOUR8_RULES).state("h1");
    String text =
        NftSandbox.ok(
            dir,
            Map.of("t.json", s.replacement().toJson()),
            "nft -j -f t.json; nft list chain inet calico pi_P; nft list chain inet calico from_wl;"
                + " nft list set inet calico wl_mac; nft list set inet calico wl_src4");
    assertThat(text)
        .contains("tcp dport 80 meta mark set meta mark | 0x01000000 return")
        .contains("tcp dport 8000-8080 meta mark set meta mark | 0x01000000 return")
        .contains("iifname @wl_mac_ifs iifname . ether saddr != @wl_mac drop")
        .contains("iifname . ip saddr != @wl_src4 drop")
        .contains("iifname . ip6 saddr != @wl_src6 drop")
        .contains("\"caliaaaaaaaaaaa\" . ee:ee:ee:00:00:aa")
        .contains("\"caliaaaaaaaaaaa\" . 192.168.0.1");
  }
}
