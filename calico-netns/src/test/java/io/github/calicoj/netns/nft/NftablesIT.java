package io.github.calicoj.netns.nft;

import static io.github.calicoj.netns.nft.NftOracle.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.calicoj.netns.NetNs;
import io.github.calicoj.testkit.Processes;
import io.github.calicoj.testkit.TestNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * libnftables through {@link Nftables}, as root, in test namespaces ({@code cjt-…}) with tables
 * named {@code cjt_…}; every result is checked with the {@code nft} tool inside the namespace.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class NftablesIT extends NftFixture.PerTest {

  private Nftables open() {
    try (NetNs n = NetNs.open(ns.path())) {
      return Nftables.open(n); // the handle outlives the NetNs it was opened with
    }
  }

  private String skeleton() {
    return NftFixture.skeleton(table);
  }

  private String element(String verb, String set, String... ips) {
    return NftFixture.element(verb, table, set, ips);
  }

  private TreeSet<String> elements(String set) {
    return NftOracle.setElements(ns.name(), table, set).orElseThrow();
  }

  @Test
  void createsTableChainsSetAndRuleThenAddsAndRemovesElements() {
    try (Nftables nft = open()) {
      assertThat(nft.run(skeleton())).isEmpty();

      assertThat(NftOracle.tables(ns.name())).containsExactly(table.toString());
      assertThat(NftOracle.objects(ns.name(), table, "chain"))
          .extracting(c -> c.path("name").asText())
          .containsExactlyInAnyOrder("input", "pro_web");
      JsonNode input =
          NftOracle.objects(ns.name(), table, "chain").stream()
              .filter(c -> c.path("name").asText().equals("input"))
              .findFirst()
              .orElseThrow();
      assertThat(input.path("hook").asText()).isEqualTo("input");
      assertThat(input.path("policy").asText()).isEqualTo("accept");
      assertThat(NftOracle.objects(ns.name(), table, "rule")).hasSize(1);
      assertThat(elements("t4_web")).isEmpty();

      nft.batch(List.of(element("add", "t4_web", "10.65.0.7", "10.65.0.8")));
      assertThat(elements("t4_web")).containsExactly("10.65.0.7", "10.65.0.8");

      nft.run(NftFixture.document(element("delete", "t4_web", "10.65.0.7")));
      assertThat(elements("t4_web")).containsExactly("10.65.0.8");

      // Our own listing agrees with the oracle, and carries handles.
      JsonNode set = parse(nft.listSet(table, "t4_web")).path("nftables").get(1).path("set");
      assertThat(set.path("name").asText()).isEqualTo("t4_web");
      assertThat(set.path("elem").get(0).asText()).isEqualTo("10.65.0.8");
      assertThat(set.path("handle").isInt()).isTrue();
      JsonNode listed = parse(nft.listTable(table)).path("nftables");
      assertThat(listed.get(0).has("metainfo")).isTrue();
      assertThat(count(listed, "chain")).isEqualTo(2);
      assertThat(count(listed, "set")).isEqualTo(1);
      assertThat(count(listed, "rule")).isEqualTo(1);
      assertThat(count(parse(nft.listChain(table, "input")).path("nftables"), "rule")).isEqualTo(1);
      assertThat(count(parse(nft.listRuleset()).path("nftables"), "table")).isEqualTo(1);

      nft.deleteTableIfExists(table);
      assertThat(NftOracle.tables(ns.name())).isEmpty();
      nft.deleteTableIfExists(table); // idempotent
      assertThat(NftOracle.tables(ns.name())).isEmpty();
    }
  }

  /** How many objects of {@code kind} ({@code chain}, {@code rule}, ...) a listing holds. */
  private static long count(JsonNode nftables, String kind) {
    long n = 0;
    for (JsonNode o : nftables) {
      n += o.has(kind) ? 1 : 0;
    }
    return n;
  }

  @Test
  void interfaceNamesResolveInTheHandlesNamespace() {
    // A link that exists only in the test namespace: libnftables resolves "meta iif" names
    // through the namespace of the thread that runs the command, so this proves the handle's
    // thread lives there.
    ns.ip("link", "add", "cjtv0", "type", "veth", "peer", "name", "cjtv1");
    try (Nftables nft = open()) {
      nft.run(skeleton());
      nft.run(
          """
          {"nftables": [{"add": {"rule": {"family": "inet", "table": "%s", "chain": "pro_web",
            "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iif"}}, "right": "cjtv0"}},
                     {"accept": null}]}}}]}"""
              .formatted(table.name()));
      List<JsonNode> rules = NftOracle.objects(ns.name(), table, "rule");
      assertThat(rules.toString()).contains("\"iif\"").contains("cjtv0");
    }
  }

  @Test
  void errorsAreTypedAndCarryLibnftablesText() {
    try (Nftables nft = open()) {
      // Not JSON at all: refused before libnftables sees it.
      assertThatThrownBy(() -> nft.run("add table inet " + table.name()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Not a libnftables JSON document");
      assertThat(NftOracle.tables(ns.name())).isEmpty();

      // Broken JSON: libnftables' parse error, no errno.
      String broken = "{\"nftables\": [{\"add\": ";
      assertThatThrownBy(() -> nft.run(broken))
          .isInstanceOfSatisfying(
              NftablesException.class,
              e -> {
                assertThat(e.errno()).isZero();
                assertThat(e.errorText()).contains("syntax error");
                assertThat(e.command()).isEqualTo(broken);
                assertThat(e.isOutcomeUnknown()).isFalse();
                assertThat(e.getMessage()).startsWith("nft {\"nftables\"").contains("syntax error");
              });

      // An unknown table: ENOENT, found during evaluation.
      String unknown =
          "{\"nftables\": [{\"add\": {\"chain\": {\"family\": \"inet\", \"table\": \"cjt_nosuch\","
              + " \"name\": \"c\"}}}]}";
      assertThatThrownBy(() -> nft.run(unknown))
          .isInstanceOfSatisfying(
              NftablesException.class,
              e -> {
                assertThat(e.isNotFound()).isTrue();
                assertThat(e.errnoName()).isEqualTo("ENOENT");
                assertThat(e.errorText()).contains("No such file or directory");
                assertThat(e.kernelMessage())
                    .hasValueSatisfying(m -> assertThat(m).startsWith("Error: "));
                assertThat(e.command()).isEqualTo(unknown);
                assertThat(e.getMessage())
                    .contains("failed: ENOENT (No such file or directory): Error: ");
              });
      assertThatThrownBy(() -> nft.listTable(NftTable.inet("cjt_nosuch")))
          .isInstanceOfSatisfying(
              NftablesException.class, e -> assertThat(e.isNotFound()).isTrue());

      // A kernel-side failure: create of an element that exists gives EEXIST.
      nft.run(skeleton());
      nft.batch(List.of(element("add", "t4_web", "10.65.0.7")));
      assertThatThrownBy(() -> nft.batch(List.of(element("create", "t4_web", "10.65.0.7"))))
          .isInstanceOfSatisfying(
              NftablesException.class,
              e -> {
                assertThat(e.isAlreadyExists()).isTrue();
                assertThat(e.errorText()).contains("Could not process rule: File exists");
              });

      // A bad name never reaches libnftables.
      assertThatThrownBy(() -> nft.listSet(table, "x\"; flush ruleset"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Bad nftables set name");
    }
  }

  @Test
  void aFailingCommandInTheMiddleLeavesNothingApplied() {
    try (Nftables nft = open()) {
      nft.run(skeleton());
      nft.batch(List.of(element("add", "t4_web", "10.65.0.1")));
      JsonNode before = NftOracle.ruleset(ns.name());

      // Fails in the kernel (EEXIST), after one command that would succeed and before another.
      assertThatThrownBy(
              () ->
                  nft.batch(
                      List.of(
                          element("add", "t4_web", "10.65.0.2"),
                          element("create", "t4_web", "10.65.0.1"),
                          "{\"add\": {\"chain\": {\"family\": \"inet\", \"table\": \""
                              + table.name()
                              + "\", \"name\": \"cjt_late\"}}}")))
          .isInstanceOfSatisfying(
              NftablesException.class, e -> assertThat(e.isAlreadyExists()).isTrue());
      assertThat(NftOracle.ruleset(ns.name())).isEqualTo(before);

      // Fails during evaluation (no such set), between two good commands.
      assertThatThrownBy(
              () ->
                  nft.batch(
                      List.of(
                          element("add", "t4_web", "10.65.0.3"),
                          element("add", "cjt_nosuch", "10.65.0.4"),
                          element("add", "t4_web", "10.65.0.5"))))
          .isInstanceOfSatisfying(
              NftablesException.class, e -> assertThat(e.isNotFound()).isTrue());
      assertThat(NftOracle.ruleset(ns.name())).isEqualTo(before);

      // The same good commands alone do apply (so the failures above were the failing command's).
      nft.batch(
          List.of(element("add", "t4_web", "10.65.0.2"), element("add", "t4_web", "10.65.0.3")));
      assertThat(elements("t4_web")).containsExactly("10.65.0.1", "10.65.0.2", "10.65.0.3");
    }
  }

  @Test
  void replaceTableSwapsTheWholeTableAtomically() {
    try (Nftables nft = open()) {
      nft.run(skeleton());
      nft.batch(List.of(element("add", "t4_web", "10.65.0.1")));
      String chain =
          "{\"add\": {\"chain\": {\"family\": \"inet\", \"table\": \"%s\", \"name\": \"%s\"}}}";
      String set =
          "{\"add\": {\"set\": {\"family\": \"inet\", \"table\": \"%s\", \"name\": \"t4_db\","
              + " \"type\": \"ipv4_addr\"}}}";
      List<String> next =
          List.of(
              chain.formatted(table.name(), "pro_db"),
              set.formatted(table.name()),
              NftFixture.element("add", table, "t4_db", "10.65.0.9"));

      // A failing command in the new contents: the old table stays exactly as it was.
      JsonNode before = NftOracle.ruleset(ns.name());
      List<String> broken = new ArrayList<>(next);
      broken.add(NftFixture.element("add", table, "cjt_nosuch", "10.65.0.10"));
      assertThatThrownBy(() -> nft.replaceTable(table, broken))
          .isInstanceOfSatisfying(
              NftablesException.class, e -> assertThat(e.isNotFound()).isTrue());
      assertThat(NftOracle.ruleset(ns.name())).isEqualTo(before);

      nft.replaceTable(table, next);
      assertThat(NftOracle.objects(ns.name(), table, "chain"))
          .extracting(c -> c.path("name").asText())
          .containsExactly("pro_db");
      assertThat(NftOracle.setElements(ns.name(), table, "t4_web")).isEmpty();
      assertThat(NftOracle.setElements(ns.name(), table, "t4_db"))
          .hasValue(new TreeSet<>(Set.of("10.65.0.9")));
      assertThat(NftOracle.objects(ns.name(), table, "rule")).isEmpty();

      // On a namespace without the table it simply creates it.
      nft.deleteTableIfExists(table);
      nft.replaceTable(table, next);
      assertThat(NftOracle.tables(ns.name())).containsExactly(table.toString());
    }
  }

  @Test
  void checkCommitsNothingAndEchoReturnsHandles() {
    try (Nftables nft = open()) {
      nft.check(skeleton());
      assertThat(NftOracle.tables(ns.name())).isEmpty();

      nft.run(skeleton());
      nft.batch(List.of(element("add", "t4_web", "10.65.0.7")));
      // The dry run goes to the kernel too: a create of an existing element is refused.
      assertThatThrownBy(
              () -> nft.check(NftFixture.document(element("create", "t4_web", "10.65.0.7"))))
          .isInstanceOfSatisfying(
              NftablesException.class,
              e -> {
                assertThat(e.isAlreadyExists()).isTrue();
                assertThat(e.getMessage()).startsWith("nft --check ");
              });
      nft.check(NftFixture.document(element("add", "t4_web", "10.65.0.9")));
      assertThat(elements("t4_web")).containsExactly("10.65.0.7");

      String echoed =
          nft.runEcho(
              "{\"nftables\": [{\"add\": {\"rule\": {\"family\": \"inet\", \"table\": \""
                  + table.name()
                  + "\", \"chain\": \"pro_web\", \"expr\": [{\"drop\": null}]}}}]}");
      JsonNode rule = parse(echoed).path("nftables").findValue("rule");
      assertThat(rule).as(echoed).isNotNull();
      long handle = rule.path("handle").asLong();
      assertThat(handle).isPositive();
      assertThat(NftOracle.objects(ns.name(), table, "rule"))
          .anySatisfy(
              r -> {
                assertThat(r.path("chain").asText()).isEqualTo("pro_web");
                assertThat(r.path("handle").asLong()).isEqualTo(handle);
              });
      // And the handle deletes exactly that rule.
      nft.run(
          "{\"nftables\": [{\"delete\": {\"rule\": {\"family\": \"inet\", \"table\": \"%s\", \"chain\": \"pro_web\", \"handle\": %d}}}]}"
              .formatted(table.name(), handle));
      assertThat(NftOracle.objects(ns.name(), table, "rule"))
          .noneSatisfy(r -> assertThat(r.path("chain").asText()).isEqualTo("pro_web"));
    }
  }

  @Test
  void foreignTablesAndOtherNamespacesAreNeverTouched() throws Exception {
    try (TestNamespace other = TestNamespace.create()) {
      // A foreign table in the same namespace, and a table of our name in another namespace.
      NftOracle.apply(
          ns.name(),
          "table inet cjt_foreign {\n set s { type ipv4_addr; elements = { 10.9.0.1 } }\n"
              + " chain c { type filter hook forward priority 0; policy drop; ip saddr @s accept; }\n}\n");
      NftOracle.apply(other.name(), "table inet " + table.name() + " {\n chain c { }\n}\n");
      JsonNode foreignBefore = NftOracle.nftJson(ns.name(), "list", "table", "inet", "cjt_foreign");
      JsonNode otherBefore = NftOracle.ruleset(other.name());
      Set<String> ownBefore = hostTables();

      try (Nftables nft = open()) {
        nft.run(skeleton());
        nft.batch(List.of(element("add", "t4_web", "10.65.0.7")));
        nft.deleteTableIfExists(table);
        nft.run(skeleton());
        assertThat(NftOracle.tables(ns.name()))
            .containsExactlyInAnyOrder("inet cjt_foreign", table.toString());
        nft.deleteTableIfExists(table);
      }
      assertThat(NftOracle.nftJson(ns.name(), "list", "table", "inet", "cjt_foreign"))
          .isEqualTo(foreignBefore);
      assertThat(NftOracle.tables(ns.name())).containsExactly("inet cjt_foreign");
      assertThat(NftOracle.ruleset(other.name())).isEqualTo(otherBefore);
      assertThat(hostTables()).isEqualTo(ownBefore).doesNotContain(table.toString());
    }
  }

  /** The test process's own namespace's tables, read only. */
  private static Set<String> hostTables() throws Exception {
    String self = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
    assertThat(self).startsWith("net:");
    Set<String> out = new TreeSet<>();
    for (JsonNode o :
        parse(Processes.run(List.of("nft", "-j", "list", "tables"), Duration.ofSeconds(20)))
            .path("nftables")) {
      if (o.has("table")) {
        out.add(
            o.get("table").path("family").asText() + " " + o.get("table").path("name").asText());
      }
    }
    return out;
  }

  @Test
  void closeIsIdempotentEndsTheThreadAndLaterCallsFail() {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    Nftables nft = open();
    List<Thread> mine = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (!before.contains(t) && t.getName().startsWith("calicoj-nft-")) {
        mine.add(t);
      }
    }
    assertThat(mine).hasSize(1);
    nft.run(skeleton());
    assertThat(nft.toString()).contains(ns.name()).doesNotContain("closed");

    nft.close();
    nft.close();
    assertThat(mine.get(0).isAlive()).isFalse();
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> !before.contains(t) && t.getName().startsWith("calicoj-nft-"));
    assertThat(nft.toString()).contains("closed");
    assertThatThrownBy(nft::listRuleset)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    // What it made stays: closing a handle is not a cleanup.
    assertThat(NftOracle.tables(ns.name())).containsExactly(table.toString());
  }
}
