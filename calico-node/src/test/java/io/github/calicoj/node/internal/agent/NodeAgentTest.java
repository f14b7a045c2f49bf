package io.github.calicoj.node.internal.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.memory.InMemoryDatastore;
import io.github.calicoj.node.NodeStatus;
import io.github.calicoj.node.internal.Kvs;
import io.github.calicoj.node.internal.lifecycle.LifecycleOptions;
import io.github.calicoj.node.internal.status.StatusKeys;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The agent's runtime on the in-memory datastore and a dataplane in memory (no root): first sync,
 * diffs, resync on compaction, on an ended watch and after failures (with backoff), coalesced
 * bursts, bad data, the sync marker, threads.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class NodeAgentTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private InMemoryDatastore memory;
  private WatchControl store;
  private FakeDataplane dataplane;
  private NodeAgent agent;

  @BeforeEach
  void setUp() {
    memory = InMemoryDatastore.create();
    store = new WatchControl(memory);
    dataplane = new FakeDataplane();
    for (KeyValue kv : Kvs.spec6().entries()) {
      memory.put(kv.key(), kv.value());
    }
    dataplane.links.put("cali" + Kvs.A.substring(0, 11), true);
  }

  @AfterEach
  void tearDown() {
    if (agent != null) {
      agent.close();
    }
    memory.close();
  }

  private NodeAgent agent() {
    return agent(LifecycleOptions.OFF);
  }

  private NodeAgent agent(LifecycleOptions lifecycle) {
    NodeAgent.Settings s =
        new NodeAgent.Settings(
            store,
            "h1",
            null,
            Duration.ofMillis(100),
            Duration.ofSeconds(5),
            false,
            lifecycle,
            Map.of("EndpointReportingDelaySecs", "0"),
            202,
            Duration.ofSeconds(5),
            Duration.ofMillis(100),
            Duration.ofMillis(20),
            Duration.ofMillis(200));
    agent = new NodeAgent(s, ns -> dataplane);
    return agent;
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long end = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(end);
      Thread.sleep(10);
    }
  }

  @Test
  void theFirstSyncReplacesTheTableAndChangesGoAsDiffs() {
    agent().start();
    assertThat(agent.awaitInSync(WAIT)).isTrue();
    assertThat(dataplane.replacements()).hasSize(1);
    assertThat(dataplane.routes)
        .containsKeys("192.168.0.0/26", "192.168.0.64/26", "192.168.0.1/32");
    assertThat(agent.status().state()).isEqualTo(NodeStatus.State.IN_SYNC);
    assertThat(agent.status().localEndpoints()).isEqualTo(3);

    memory.put(Key.of("/calico/v1/policy/profile/Q/tags"), "[\"Q\", \"P\"]");
    assertThat(agent.awaitInSync(WAIT)).isTrue();
    assertThat(dataplane.replacements()).hasSize(1);
    String diff = dataplane.batches.get(dataplane.batches.size() - 1);
    assertThat(diff)
        .contains("\"add\":{\"element\"")
        .contains("t4_P")
        .doesNotContain("{\"delete\":{\"table\"");
  }

  @Test
  void compactionAndAnEndedWatchMeanAFullResync() throws Exception {
    agent().start();
    assertThat(agent.awaitInSync(WAIT)).isTrue();
    store.compactNewest();
    await(() -> dataplane.replacements().size() == 2, "the resync after compaction");
    assertThat(agent.awaitInSync(WAIT)).isTrue();
    assertThat(store.lists.get()).isEqualTo(2);

    store.endNewest(); // noticed at the next reconcile
    await(() -> dataplane.replacements().size() == 3, "the resync after the watch ended");
    assertThat(agent.awaitInSync(WAIT)).isTrue();
    memory.put(Key.of("/calico/v1/policy/profile/Q/tags"), "[\"Q\", \"P\"]");
    assertThat(agent.awaitInSync(WAIT)).isTrue();
    assertThat(dataplane.batches.get(dataplane.batches.size() - 1)).contains("t4_P");
    assertThat(agent.status().resyncs()).isEqualTo(3);
  }

  @Test
  void anApplyFailureMeansAResyncWithBackoff() throws Exception {
    agent().start();
    assertThat(agent.awaitInSync(WAIT)).isTrue();
    dataplane.failNext.set(3); // the diff, then two resyncs
    memory.put(Key.of("/calico/v1/policy/profile/Q/tags"), "[\"Q\", \"P\"]");
    await(() -> agent.status().state() == NodeStatus.State.RETRYING, "retrying");
    assertThat(agent.status().lastFailure()).contains("refused by the test");
    assertThat(agent.awaitInSync(WAIT)).isTrue();
    assertThat(dataplane.failNext.get()).isZero();
    assertThat(dataplane.replacements()).hasSize(2); // the first sync, the successful resync
    assertThat(dataplane.replacements().get(1)).contains("t4_P");
    assertThat(store.lists.get()).isEqualTo(4);
  }

  @Test
  void anUnreachableDatastoreKeepsTheAgentRetryingAndNotInSync() throws Exception {
    store.failLists = true;
    agent().start();
    await(() -> store.lists.get() >= 3, "three tries");
    assertThat(agent.status().state()).isEqualTo(NodeStatus.State.RETRYING);
    assertThat(agent.status().lastFailure()).contains("list refused by the test");
    assertThat(agent.awaitInSync(Duration.ofMillis(200))).isFalse();
    store.failLists = false;
    assertThat(agent.awaitInSync(WAIT)).isTrue();
  }

  @Test
  void aBurstIsAppliedInFewBatches() throws Exception {
    agent().start();
    assertThat(agent.awaitInSync(WAIT)).isTrue();
    int before = dataplane.applies.get();
    dataplane.gate = new CountDownLatch(1); // holds the first batch of the burst
    for (int i = 0; i <= 200; i++) {
      memory.put(
          Key.of("/calico/v1/policy/profile/Q/tags"), i % 2 == 0 ? "[\"Q\", \"P\"]" : "[\"Q\"]");
    }
    Thread.sleep(100);
    dataplane.gate.countDown();
    assertThat(agent.awaitInSync(WAIT)).isTrue();
    assertThat(dataplane.applies.get() - before).as("201 changes in few batches").isBetween(1, 3);
    assertThat(String.join("", dataplane.batches))
        .as("Q's members joined tag P in the end")
        .contains("\"name\":\"t4_P\",\"elem\":[\"192.168.0.3\",\"192.168.0.66\"]");
    assertThat(agent.status().state()).isEqualTo(NodeStatus.State.IN_SYNC);
  }

  @Test
  void badDataIsReportedNotFatal() throws Exception {
    agent().start();
    assertThat(agent.awaitInSync(WAIT)).isTrue();
    memory.put(
        Key.of("/calico/v1/policy/profile/P/rules"),
        "{\"inbound_rules\": [{\"dst_ports\": [\"80\"], \"protocol\": \"tcp\"}],"
            + " \"outbound_rules\": []}");
    memory.put(Key.of(Kvs.endpointKey("h1", Kvs.D)), "{not json");
    assertThat(agent.awaitInSync(WAIT)).isTrue();
    assertThat(agent.status().state()).isEqualTo(NodeStatus.State.IN_SYNC);
    assertThat(agent.status().problems()).isEqualTo(2);
    Key a = StatusKeys.endpointStatus(Kvs.endpointKey("h1", Kvs.A));
    Key d = StatusKeys.endpointStatus(Kvs.endpointKey("h1", Kvs.D));
    await(() -> value(a).equals("{\"status\": \"error\"}"), "A in error (profile P)");
    await(() -> value(d).equals("{\"status\": \"error\"}"), "D in error (invalid)");
    Key b = StatusKeys.endpointStatus(Kvs.endpointKey("h1", Kvs.B));
    await(() -> value(b).equals("{\"status\": \"down\"}"), "B down (no link)");
  }

  private String value(Key k) {
    return memory.get(k).map(KeyValue::value).orElse("");
  }

  @Test
  void theSyncMarkerIsOnTheLeaseAndCloseEndsEverything() throws Exception {
    Set<String> before = threads();
    agent().start();
    assertThat(agent.awaitInSync(WAIT)).isTrue();
    assertThat(memory.get(StatusKeys.syncMarker("h1"))).isPresent();
    assertThat(threads()).contains("calico-node-h1", "calico-node-status-h1");
    assertThatThrownBy(() -> agent.start()).isInstanceOf(IllegalStateException.class);
    agent.close();
    agent.close();
    assertThat(dataplane.closed).isTrue();
    assertThat(dataplane.tableDeleted).as("rules stay without removeOnClose").isFalse();
    assertThat(memory.get(StatusKeys.syncMarker("h1"))).isEmpty();
    assertThat(memory.get(StatusKeys.hostStatus("h1"))).isEmpty();
    Set<String> left = threads();
    left.removeAll(before);
    assertThat(left)
        .noneMatch(n -> n.startsWith("calico-node") || n.startsWith("calicoj-memory-watch"));
    assertThat(agent.status().state()).isEqualTo(NodeStatus.State.CLOSED);
    assertThatThrownBy(() -> agent.awaitInSync(WAIT)).isInstanceOf(IllegalStateException.class);
  }

  private static Set<String> threads() {
    Set<String> out = new TreeSet<>();
    Thread.getAllStackTraces()
        .keySet()
        .forEach(
            t -> {
              if (t.isAlive()) {
                out.add(t.getName());
              }
            });
    return out;
  }
}
