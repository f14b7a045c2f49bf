package io.github.calicoj.datastore.etcd;

import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;

/**
 * A short-lived program for {@link EtcdLifecycleCases}: with the client named by {@code args[0]} it
 * connects to {@code args[1]}, writes, watches, closes twice and returns from main. The JVM must
 * then exit by itself, with no lingering non-daemon thread.
 */
public final class CloseAndExitMain {
  private CloseAndExitMain() {}

  public static void main(String[] args) {
    Datastore store = EtcdTestClients.connect(EtcdClientKind.valueOf(args[0]), args[1]);
    KeyValue kv = store.put(Key.of("/calicoj-test/exit"), "1");
    store.watch(Key.of("/calicoj-test/"), kv.revision(), e -> {});
    store.close();
    store.close();
    System.out.println("closed");
  }
}
