package io.github.calicoj.node;

import static io.github.calicoj.node.Traffic.ping;
import static io.github.calicoj.node.Traffic.pingOnce;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.node.TwoHosts.Host;
import io.github.calicoj.node.TwoHosts.Workload;
import io.github.calicoj.node.internal.status.StatusKeys;
import io.github.calicoj.testkit.EtcdExtension;
import io.github.calicoj.testkit.IpOracle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The agent's life with real parts: a restart under a probe loop and with a change made while it
 * was down; a foreign table through every agent action; cleanup of removed endpoints down to the
 * empty skeleton, and to nothing with {@code removeOnClose}; the status keys on their lease; no
 * thread left after close.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LifecycleIT {
  @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.single();

  private static final List<String> SKELETON_CHAINS =
      List.of(
          "forward",
          "from_wl",
          "input",
          "postrouting",
          "prerouting",
          "to_wl",
          "wl_inactive",
          "wl_to_host");

  private TwoHosts hosts;

  @AfterEach
  void tearDown() {
    if (hosts != null) {
      hosts.close();
    }
  }

  /** Names of the objects of one kind ({@code chain}, {@code set}, {@code map}) in a table. */
  private static Set<String> names(JsonNode ruleset, String table, String kind) {
    Set<String> out = new TreeSet<>();
    for (JsonNode n : ruleset.path("nftables")) {
      JsonNode o = n.path(kind);
      if (!o.isMissingNode() && table.equals(o.path("table").asText())) {
        out.add(o.path("name").asText());
      }
    }
    return out;
  }

  /**
   * The elements of a set or map of the agent's table, as text: a map's keys, a concatenation's
   * parts joined by {@code " . "}.
   */
  private static List<String> elements(JsonNode ruleset, String kind, String name) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : ruleset.path("nftables")) {
      JsonNode o = n.path(kind);
      if (!o.isMissingNode() && name.equals(o.path("name").asText())) {
        o.path("elem")
            .forEach(
                e ->
                    out.add(
                        e.isArray() ? e.get(0).asText() : e.isTextual() ? e.asText() : concat(e)));
      }
    }
    return out;
  }

  private static boolean hasTable(Host h, String family, String name) {
    for (JsonNode n : h.ruleset().path("nftables")) {
      JsonNode t = n.path("table");
      if (family.equals(t.path("family").asText()) && name.equals(t.path("name").asText())) {
        return true;
      }
    }
    return false;
  }

  @Test
  void rulesStayInForceWhileTheAgentRestartsAndMissedChangesApplyAfter() throws Exception {
    hosts = TwoHosts.create(ETCD);
    hosts.profile("P");
    hosts.profile("Q");
    Workload a = hosts.add(hosts.h1, "ipv4", "P");
    Workload c = hosts.add(hosts.h1, "ipv4", "P");
    Workload b = hosts.add(hosts.h1, "ipv4", "Q");
    hosts.start();
    assertThat(pingOnce(a.ns(), b.ip())).as("A -> B denied").isFalse();

    // A probe loop A -> B (denied) across a stop and a start: not one reply.
    CompletableFuture<String> probe =
        CompletableFuture.supplyAsync(() -> Traffic.pingBurst(a.ns(), b.ip(), 300, "0.01"));
    Thread.sleep(300);
    hosts.h1.stopAgent();
    assertThat(hosts.h1.nft("list", "table", "inet", "calico")).contains("fw_dispatch");
    Thread.sleep(300);
    hosts.h1.startAgent();
    hosts.sync();
    String summary = probe.get(60, TimeUnit.SECONDS);
    assertThat(summary).contains("300 packets transmitted, 0 received");
    assertThat(ping(a.ns(), c.ip())).as("allowed traffic still passes").isTrue();

    // A change made while the agent is down is applied when it is back.
    hosts.h1.stopAgent();
    hosts.h1.client.appendProfiles(b.ns().path().toString(), List.of("P"));
    assertThat(pingOnce(a.ns(), b.ip())).as("not applied while down").isFalse();
    assertThat(ping(a.ns(), c.ip())).as("rules in force while down").isTrue();
    hosts.h1.startAgent();
    hosts.sync();
    assertThat(ping(a.ns(), b.ip())).as("applied after the restart").isTrue();
    assertThat(hosts.h1.agent.status().resyncs()).isEqualTo(1);
  }

  @Test
  void aForeignTableSurvivesEveryAgentAction() {
    hosts = TwoHosts.create(ETCD, b -> b.removeOnClose(true), b -> {});
    hosts.profile("P");
    hosts.h1.nft("add", "table", "inet", "cjt_foreign");
    hosts.h1.nft("add set inet cjt_foreign s { type ipv4_addr; }".split(" "));
    hosts.h1.nft("add element inet cjt_foreign s { 192.0.2.1 }".split(" "));
    hosts.h1.nft(
        "add chain inet cjt_foreign c { type filter hook forward priority 10; }".split(" "));
    hosts.h1.nft("add rule inet cjt_foreign c ip saddr @s counter".split(" "));
    String foreign = hosts.h1.nft("-j", "list", "table", "inet", "cjt_foreign");

    hosts.start();
    assertThat(hosts.h1.nft("-j", "list", "table", "inet", "cjt_foreign")).isEqualTo(foreign);
    Workload a = hosts.add(hosts.h1, "ipv4", "P");
    hosts.sync();
    assertThat(hosts.h1.nft("-j", "list", "table", "inet", "cjt_foreign")).isEqualTo(foreign);
    hosts.h1.stopAgent(); // removes its own table
    hosts.h1.startAgent(); // a full resync
    hosts.sync();
    assertThat(hosts.h1.nft("-j", "list", "table", "inet", "cjt_foreign")).isEqualTo(foreign);
    hosts.remove(a);
    hosts.sync();
    hosts.h1.stopAgent();
    assertThat(hasTable(hosts.h1, "inet", "calico")).isFalse();
    assertThat(hosts.h1.nft("-j", "list", "table", "inet", "cjt_foreign")).isEqualTo(foreign);
  }

  private static String concat(JsonNode e) {
    if (!e.has("concat")) {
      return e.toString();
    }
    List<String> parts = new ArrayList<>();
    e.get("concat").forEach(p -> parts.add(p.asText()));
    return String.join(" . ", parts);
  }

  @Test
  void removedEndpointsLeaveNothingBehind() {
    hosts = TwoHosts.create(ETCD, b -> b.removeOnClose(true), b -> {});
    hosts.profile("P");
    Workload a = hosts.add(hosts.h1, "ipv4", "P");
    Workload c = hosts.add(hosts.h1, "ipv4", "P");
    hosts.start();
    JsonNode before = hosts.h1.ruleset();
    // Both jump to P's chains (their profile list, [P]); each endpoint has its source elements.
    assertThat(names(before, "calico", "chain")).contains("pi_P", "po_P");
    assertThat(elements(before, "set", "t4_P")).contains(a.ip(), c.ip());
    assertThat(elements(before, "map", "fw_dispatch")).contains(a.iface(), c.iface());
    assertThat(elements(before, "set", "wl_src4"))
        .containsExactlyInAnyOrder(a.iface() + " . " + a.ip(), c.iface() + " . " + c.ip());

    hosts.remove(c);
    hosts.sync();
    JsonNode after = hosts.h1.ruleset();
    assertThat(names(after, "calico", "chain")).contains("pi_P", "po_P");
    assertThat(elements(after, "set", "t4_P")).containsExactly(a.ip());
    assertThat(elements(after, "map", "fw_dispatch")).containsExactly(a.iface());
    assertThat(elements(after, "map", "tw_dispatch")).containsExactly(a.iface());
    assertThat(elements(after, "set", "wl_src4")).containsExactly(a.iface() + " . " + a.ip());

    hosts.remove(a);
    hosts.sync();
    JsonNode empty = hosts.h1.ruleset();
    assertThat(names(empty, "calico", "chain")).containsExactlyElementsOf(SKELETON_CHAINS);
    assertThat(names(empty, "calico", "set"))
        .containsExactly("all_pools4", "masq_pools4", "wl_mac", "wl_mac_ifs", "wl_src4", "wl_src6");
    assertThat(names(empty, "calico", "map")).containsExactly("fw_dispatch", "tw_dispatch");
    assertThat(elements(empty, "map", "fw_dispatch")).isEmpty();
    assertThat(elements(empty, "set", "wl_src4")).isEmpty();
    assertThat(elements(empty, "set", "wl_mac")).isEmpty();
    assertThat(elements(empty, "set", "all_pools4")).hasSize(1);
    List<JsonNode> proto = new ArrayList<>();
    IpOracle.ipJson(hosts.h1.ns.name(), "route", "show", "proto", "202").forEach(proto::add);
    assertThat(proto).as("only the blackhole of H1's block").hasSize(1);
    assertThat(proto.get(0).path("type").asText()).isEqualTo("blackhole");

    hosts.h1.stopAgent();
    assertThat(hasTable(hosts.h1, "inet", "calico")).isFalse();
    assertThat(IpOracle.ipJson(hosts.h1.ns.name(), "route", "show", "proto", "202")).isEmpty();
  }

  @Test
  void statusKeysLiveOnTheAgentsLease() throws Exception {
    hosts = TwoHosts.create(ETCD, b -> b.statusInterval(Duration.ofSeconds(1)), b -> {});
    hosts.profile("P");
    Workload a = hosts.add(hosts.h1, "ipv4", "P");
    hosts.start();
    Key hostStatus = StatusKeys.hostStatus("h1");
    Key epStatus = StatusKeys.endpointStatus(a.key());
    String first = Poll.until(() -> value(hostStatus), v -> !v.isEmpty(), 5000);
    assertThat(first)
        .matches(
            "\\{\"time\": \"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\", \"uptime\": [0-9.]+,"
                + " \"first_update\": true}");
    assertThat(Poll.until(() -> value(hostStatus), v -> v.contains("false"), 5000))
        .contains("\"first_update\": false");
    assertThat(value(StatusKeys.lastReportedStatus("h1"))).startsWith("{\"time\": ");
    assertThat(Poll.until(() -> value(epStatus), v -> !v.isEmpty(), 5000))
        .isEqualTo("{\"status\": \"up\"}");
    AgentReport report = AgentReport.read(hosts.store, "h1");
    assertThat(report.running()).isTrue();
    assertThat(report.endpointStatus(a.key())).contains("up");

    hosts.h1.ns.ip("link", "del", a.iface()); // the workload's interface is gone
    assertThat(Poll.until(() -> value(epStatus), v -> v.contains("down"), 5000))
        .isEqualTo("{\"status\": \"down\"}");

    hosts.h1.stopAgent();
    assertThat(hosts.store.get(hostStatus)).as("status went with the lease").isEmpty();
    assertThat(hosts.store.get(epStatus)).as("endpoint status went with the lease").isEmpty();
    assertThat(hosts.store.get(StatusKeys.syncMarker("h1"))).isEmpty();
    assertThat(value(StatusKeys.lastReportedStatus("h1"))).as("kept without a TTL").isNotEmpty();
    assertThat(AgentReport.read(hosts.store, "h1").running()).isFalse();
  }

  private String value(Key key) {
    return hosts.store.get(key).map(KeyValue::value).orElse("");
  }

  @Test
  void closeLeavesNoThreadOfTheAgent() {
    hosts = TwoHosts.create(ETCD);
    hosts.profile("P");
    hosts.add(hosts.h1, "ipv4", "P");
    Set<Long> before =
        Thread.getAllStackTraces().keySet().stream().map(Thread::getId).collect(Collectors.toSet());
    hosts.h1.startAgent();
    hosts.sync();
    Set<String> during = agentThreads(before);
    assertThat(during).anyMatch(n -> n.startsWith("calico-node-h1"));
    assertThat(during).anyMatch(n -> n.startsWith("calico-node-status-h1"));
    assertThat(during).anyMatch(n -> n.startsWith("calicoj-nft"));
    hosts.h1.stopAgent();
    hosts.h1.stopAgent(); // idempotent
    assertThat(agentThreads(before)).isEmpty();
    assertThat(hosts.h1.agent.status().state()).isEqualTo(NodeStatus.State.CLOSED);
  }

  /** Threads started since {@code before} that belong to an agent, by name. */
  private static Set<String> agentThreads(Set<Long> before) {
    Set<String> out = new TreeSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      String n = t.getName();
      if (t.isAlive()
          && !before.contains(t.getId())
          && (n.startsWith("calico-node")
              || n.startsWith("calicoj-nft")
              || n.startsWith("calicoj-docker")
              || n.startsWith("calicoj-etcd-watch"))) {
        out.add(n);
      }
    }
    return out;
  }
}
