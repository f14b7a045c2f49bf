package io.github.calicoj.netns.nft;

import io.github.calicoj.testkit.Requirements;
import io.github.calicoj.testkit.TestNamespace;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** What the nft ITs share: their requirements, table names, and the documents they send. */
final class NftFixture {
  private NftFixture() {}

  /**
   * The base of the nft ITs: checks the requirements, and gives each test a fresh namespace {@code
   * ns} (deleted after it) and a fresh table name {@code table}.
   */
  abstract static class PerTest {
    TestNamespace ns;
    NftTable table;

    @BeforeEach
    void setUpNamespace() {
      require();
      ns = TestNamespace.create();
      table = randomTable();
    }

    @AfterEach
    void deleteNamespace() {
      if (ns != null) {
        ns.close();
      }
    }
  }

  /** Root, libnftables, and the {@code nft} tool as the oracle. */
  static void require() {
    Requirements.requireRoot();
    Requirements.require(
        NftablesSupport.isAvailable(),
        "libnftables (apt-get install libnftables1): " + NftablesSupport.unavailabilityCause());
    Requirements.require(
        Requirements.onPath("nft") != null, "the nft tool (apt-get install nftables)");
  }

  /** {@code inet cjt_<8 random hex>}. */
  static NftTable randomTable() {
    return NftTable.inet("cjt_" + UUID.randomUUID().toString().substring(0, 8));
  }

  /**
   * Makes {@code t} with a base chain {@code input}, a chain {@code pro_web}, an IPv4 set {@code
   * t4_web} and one rule that jumps to {@code pro_web} for sources in the set.
   */
  static String skeleton(NftTable t) {
    String in = "\"family\": \"inet\", \"table\": \"" + t.name() + "\"";
    return """
        {"nftables": [
          {"add": {"table": {"family": "inet", "name": "%1$s"}}},
          {"add": {"chain": {%2$s, "name": "input", "type": "filter", "hook": "input",
                             "prio": 0, "policy": "accept"}}},
          {"add": {"chain": {%2$s, "name": "pro_web"}}},
          {"add": {"set": {%2$s, "name": "t4_web", "type": "ipv4_addr"}}},
          {"add": {"rule": {%2$s, "chain": "input", "expr": [
            {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}},
                       "right": "@t4_web"}},
            {"jump": {"target": "pro_web"}}]}}}
        ]}"""
        .formatted(t.name(), in);
  }

  /** One command on set elements: {@code verb} is {@code add}, {@code create} or {@code delete}. */
  static String element(String verb, NftTable t, String set, String... ips) {
    String elems =
        List.of(ips).stream().map(ip -> "\"" + ip + "\"").collect(Collectors.joining(", "));
    return ("{\"%s\": {\"element\": {\"family\": \"inet\", \"table\": \"%s\", \"name\": \"%s\","
            + " \"elem\": [%s]}}}")
        .formatted(verb, t.name(), set, elems);
  }

  /** One command as a whole document. */
  static String document(String command) {
    return "{\"nftables\": [" + command + "]}";
  }
}
