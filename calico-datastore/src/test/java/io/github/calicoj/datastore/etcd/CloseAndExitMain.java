package io.github.calicoj.datastore.etcd;

import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;

/**
 * A short-lived program for {@link EtcdLifecycleIT}: connects, writes, watches, closes twice and
 * returns from main. The JVM must then exit by itself, with no lingering non-daemon thread.
 */
public final class CloseAndExitMain {
  private CloseAndExitMain() {}

  public static void main(String[] args) {
    Datastore store = EtcdTestClients.connect(EtcdClientKind.JETCD, args[0]);
    KeyValue kv = store.put(Key.of("/calicoj-test/exit"), "1");
    store.watch(Key.of("/calicoj-test/"), kv.revision(), e -> {});
    store.close();
    store.close();
    System.out.println("closed");
  }
}
