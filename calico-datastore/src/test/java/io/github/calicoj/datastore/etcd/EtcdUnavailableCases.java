package io.github.calicoj.datastore.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.DatastoreUnavailableException;
import io.github.calicoj.datastore.Guard;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Revision;
import io.github.calicoj.datastore.Transaction;
import io.github.calicoj.testkit.EtcdCluster;
import io.github.calicoj.testkit.Requirements;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/** With etcd stopped (or never there) every call fails, typed, within the request timeout. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
public abstract class EtcdUnavailableCases {
  /** The client these cases run against. */
  protected abstract EtcdClientKind kind();

  private static final Duration TIMEOUT = Duration.ofMillis(1500);
  private static final Duration SLACK = Duration.ofMillis(1500);

  @Test
  public void everyCallFailsWithinTheTimeoutOnceEtcdIsKilled() {
    EtcdClientKind client = kind();
    Requirements.requireEtcd();
    try (EtcdCluster cluster = EtcdCluster.startSingle();
        Datastore store =
            EtcdTestClients.build(
                client, b -> b.endpoints(cluster.endpoints()).requestTimeout(TIMEOUT))) {
      Key k = Key.of("/calicoj-test/down/k");
      KeyValue kv = store.put(k, "1"); // connected
      cluster.kill(cluster.members().get(0));
      assertEveryCallFails(client, store, k, kv.revision(), false);
    }
  }

  @Test
  public void everyCallFailsWithinTheTimeoutWhileEtcdIsStalled() {
    EtcdClientKind client = kind();
    // SIGSTOP: the kernel still accepts connections and data, but nothing answers. Every call must
    // end at its one deadline: never a connect timeout plus a request timeout, never a retry that
    // restarts the clock.
    Requirements.requireEtcd();
    try (EtcdCluster cluster = EtcdCluster.startSingle();
        Datastore store =
            EtcdTestClients.build(
                client, b -> b.endpoints(cluster.endpoints()).requestTimeout(TIMEOUT))) {
      Key k = Key.of("/calicoj-test/stalled/k");
      KeyValue kv = store.put(k, "1"); // connected
      EtcdCluster.Member m = cluster.members().get(0);
      cluster.pause(m);
      try {
        assertEveryCallFails(client, store, k, kv.revision(), false);
      } finally {
        cluster.resume(m);
      }
    }
  }

  @Test
  public void everyCallFailsWithinTheTimeoutWhenNothingListens() throws IOException {
    EtcdClientKind client = kind();
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    try (Datastore store =
        EtcdTestClients.build(
            client, b -> b.endpoints("http://127.0.0.1:" + port).requestTimeout(TIMEOUT))) {
      assertEveryCallFails(client, store, Key.of("/calicoj-test/never"), Revision.of(1), true);
    }
  }

  /**
   * Every call fails typed and in time. A read never has an unknown outcome. jetcd reports every
   * failed write as outcome-unknown; the gateway client knows better when the connection was
   * refused (nothing was sent) and says so, and only a write that may have been sent is unknown.
   */
  private static void assertEveryCallFails(
      EtcdClientKind client, Datastore store, Key k, Revision rev, boolean neverConnected) {
    Map<String, Executable> calls = new LinkedHashMap<>();
    calls.put("get", () -> store.get(k));
    calls.put("list", () -> store.list(k));
    calls.put("create", () -> store.create(k.child("new"), "x"));
    calls.put("update", () -> store.update(k, "2", rev));
    calls.put("put", () -> store.put(k, "3"));
    calls.put("delete(rev)", () -> store.delete(k, rev));
    calls.put("delete", () -> store.delete(k));
    calls.put("deletePrefix", () -> store.deletePrefix(k));
    calls.put(
        "commit",
        () -> store.commit(Transaction.builder().guard(Guard.absent(k)).put(k, "4").build()));
    calls.put("watch", () -> store.watch(k, rev, e -> {}));
    Map<String, Long> millis = new LinkedHashMap<>();
    for (Map.Entry<String, Executable> call : calls.entrySet()) {
      long start = System.nanoTime();
      boolean write =
          !call.getKey().equals("get")
              && !call.getKey().equals("list")
              && !call.getKey().equals("watch");
      assertThatThrownBy(call.getValue()::execute)
          .as(call.getKey())
          .isInstanceOfSatisfying(
              DatastoreUnavailableException.class,
              e -> {
                if (!write || client == EtcdClientKind.JETCD) {
                  assertThat(e.outcomeUnknown()).as(call.getKey()).isEqualTo(write);
                } else if (neverConnected) {
                  assertThat(e.outcomeUnknown()).as(call.getKey()).isFalse();
                }
                assertThat(e.getMessage()).contains("etcd http://127.0.0.1:");
              });
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      millis.put(call.getKey(), took.toMillis());
      assertThat(took).as(call.getKey()).isLessThan(TIMEOUT.plus(SLACK));
    }
    System.out.printf(
        "%s, request timeout %d ms: each call failed after (ms) %s%n",
        client, TIMEOUT.toMillis(), millis);
  }
}
