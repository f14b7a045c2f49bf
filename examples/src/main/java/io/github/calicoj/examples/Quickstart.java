package io.github.calicoj.examples;

import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Guard;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.RevisionConflictException;
import io.github.calicoj.datastore.Snapshot;
import io.github.calicoj.datastore.Transaction;
import io.github.calicoj.datastore.TxnResult;
import io.github.calicoj.datastore.WatchEvent;
import io.github.calicoj.datastore.WatchHandle;
import io.github.calicoj.datastore.etcd.EtcdDatastore;
import io.github.calicoj.datastore.memory.InMemoryDatastore;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The quickstart. For now it tours the datastore layer that the rest of calicoj is built on:
 * create, compare-and-set, an atomic two-key transaction and list-then-watch, on the embedded
 * in-memory datastore by default or on etcd with {@code --etcd-endpoints URL[,URL...]}.
 */
public final class Quickstart {
  private Quickstart() {}

  /** Entry point; see the class documentation for the arguments. */
  public static void main(String[] args) throws InterruptedException {
    String endpoints = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--etcd-endpoints") && i + 1 < args.length) {
        endpoints = args[++i];
      } else if (args[i].startsWith("--etcd-endpoints=")) {
        endpoints = args[i].substring("--etcd-endpoints=".length());
      } else {
        System.err.println("usage: quickstart [--etcd-endpoints URL[,URL...]]");
        System.exit(2);
      }
    }
    try (Datastore store =
        endpoints == null
            ? InMemoryDatastore.create()
            : EtcdDatastore.builder()
                .endpoints(endpoints)
                .requestTimeout(Duration.ofSeconds(5))
                .build()) {
      run(store, System.out);
    }
  }

  /** Runs the tour against {@code store}, printing to {@code out}. */
  static void run(Datastore store, PrintStream out) throws InterruptedException {
    long t0 = System.nanoTime();
    out.println("datastore: " + store);
    Key root = Key.of("/calico/v1/");
    Key scratch = Key.of("/calico/v1/quickstart/");
    store.deletePrefix(scratch);

    Snapshot before = store.list(root);
    BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
    try (WatchHandle watch = store.watch(root, before.revision(), events::add)) {
      KeyValue ready = store.put(root.child("Ready"), "true");
      out.printf("put     %s = %s at revision %s%n", ready.key(), ready.value(), ready.revision());

      Key counter = scratch.child("counter");
      KeyValue c0 = store.create(counter, "0");
      KeyValue c1 = store.update(counter, "1", c0.revision());
      try {
        store.update(counter, "stale", c0.revision());
      } catch (RevisionConflictException e) {
        out.println("cas     stale update refused: " + e.getMessage());
      }

      Key block = scratch.child("block");
      TxnResult txn =
          store.commit(
              Transaction.builder()
                  .guard(Guard.absent(block))
                  .guard(Guard.atRevision(counter, c1.revision()))
                  .put(block, "{\"cidr\":\"192.168.0.0/26\"}")
                  .put(scratch.child("affinity"), "")
                  .build());
      out.printf("txn     block + affinity written together: %s%n", txn.succeeded());

      for (int i = 0; i < 5; i++) {
        WatchEvent e = events.poll(5, TimeUnit.SECONDS);
        if (e == null || !watch.isActive()) {
          break;
        }
        out.printf(
            "watch   %-6s %s @%s%n",
            e instanceof WatchEvent.Put ? "put" : "delete", e.key(), e.revision());
      }
    }
    long removed = store.deletePrefix(scratch) + (store.delete(root.child("Ready")) ? 1 : 0);
    out.printf("cleanup removed %d keys; done in %.1f ms%n", removed, (System.nanoTime() - t0) / 1e6);
  }
}
