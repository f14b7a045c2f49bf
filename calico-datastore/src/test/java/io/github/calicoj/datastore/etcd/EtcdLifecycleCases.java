package io.github.calicoj.datastore.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.DatastoreUnavailableException;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.WatchEvent;
import io.github.calicoj.datastore.WatchHandle;
import io.github.calicoj.testkit.EtcdCluster;
import io.github.calicoj.testkit.Processes;
import io.github.calicoj.testkit.Requirements;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Lifecycle: listener threads, watch recovery across a restart, and JVM exit after close. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
public abstract class EtcdLifecycleCases {
  /** The client these cases run against. */
  protected abstract EtcdClientKind kind();

  @Test
  public void listenersRunOnAThreadOfOursNeverOnTheClientLibrarys() throws Exception {
    try (EtcdCluster cluster = EtcdCluster.startSingle();
        Datastore store = EtcdTestClients.connect(kind(), cluster.endpoints())) {
      KeyValue kv = store.put(Key.of("/calicoj-test/t/a"), "1");
      BlockingQueue<String> threads = new LinkedBlockingQueue<>();
      try (WatchHandle w =
          store.watch(
              Key.of("/calicoj-test/t/"),
              kv.revision(),
              e -> threads.add(Thread.currentThread().getName()))) {
        store.put(Key.of("/calicoj-test/t/b"), "2");
        assertThat(threads.poll(10, TimeUnit.SECONDS)).startsWith("calicoj-etcd-");
        assertThat(w.isActive()).isTrue();
      }
    }
  }

  @Test
  public void watchResumesAfterTheOnlyMemberRestarts() throws Exception {
    EtcdClientKind client = kind();
    try (EtcdCluster cluster = EtcdCluster.startSingle();
        Datastore store =
            EtcdTestClients.build(
                client,
                b -> b.endpoints(cluster.endpoints()).requestTimeout(Duration.ofSeconds(5)))) {
      Key prefix = Key.of("/calicoj-test/restart/");
      KeyValue first = store.put(prefix.child("a"), "1");
      BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
      try (WatchHandle watch = store.watch(prefix, first.revision(), events::add)) {
        KeyValue second = store.put(prefix.child("b"), "2");
        assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo(new WatchEvent.Put(second));
        EtcdCluster.Member m = cluster.members().get(0);
        cluster.kill(m);
        Thread.sleep(2000);
        cluster.restart(m);
        KeyValue third = putWithRetry(store, prefix.child("c"), "3");
        assertThat(events.poll(30, TimeUnit.SECONDS)).isEqualTo(new WatchEvent.Put(third));
        assertThat(events.poll(300, TimeUnit.MILLISECONDS)).as("no duplicate").isNull();
        assertThat(watch.isActive()).isTrue();
      }
    }
  }

  @Test
  public void jvmExitsAfterClose() {
    Requirements.requireEtcd();
    try (EtcdCluster cluster = EtcdCluster.startSingle()) {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      long start = System.nanoTime();
      Processes.Result r =
          Processes.runForResult(
              List.of(
                  java,
                  "-cp",
                  System.getProperty("java.class.path"),
                  CloseAndExitMain.class.getName(),
                  kind().name(),
                  cluster.endpoints()),
              Duration.ofSeconds(30));
      assertThat(r.exitCode()).as(r.output()).isZero();
      assertThat(r.output()).contains("closed");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    }
  }

  private static KeyValue putWithRetry(Datastore store, Key key, String value)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try {
        return store.put(key, value);
      } catch (DatastoreUnavailableException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(200);
      }
    }
  }
}
