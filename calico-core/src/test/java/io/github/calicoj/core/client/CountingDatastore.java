package io.github.calicoj.core.client;

import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Revision;
import io.github.calicoj.datastore.Snapshot;
import io.github.calicoj.datastore.Transaction;
import io.github.calicoj.datastore.TxnResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A datastore that records each get, list, write and transaction it passes on (its kind and how
 * long it took), for the benchmarks' count of round trips per operation. Thread-safe. It borrows
 * the delegate.
 */
final class CountingDatastore extends ForwardingDatastore {
  /** One round trip: {@code kind} is get, list, put, delete, txn (a write) or read-txn. */
  record Call(String kind, long nanos) {}

  private final List<Call> calls = new ArrayList<>();
  private @Nullable Transaction lastWrite;

  CountingDatastore(Datastore delegate) {
    super(delegate);
  }

  /** The calls recorded since the last drain, which forgets them. */
  synchronized List<Call> drain() {
    List<Call> out = List.copyOf(calls);
    calls.clear();
    return out;
  }

  /** The last write transaction passed on, if any. */
  synchronized Optional<Transaction> lastWrite() {
    return Optional.ofNullable(lastWrite);
  }

  private <T> T timed(String kind, Supplier<T> call) {
    long t0 = System.nanoTime();
    try {
      return call.get();
    } finally {
      long t = System.nanoTime() - t0;
      synchronized (this) {
        calls.add(new Call(kind, t));
      }
    }
  }

  @Override
  public Optional<KeyValue> get(Key key) {
    return timed("get", () -> super.get(key));
  }

  @Override
  public Snapshot list(Key prefix) {
    return timed("list", () -> super.list(prefix));
  }

  @Override
  public KeyValue create(Key key, String value) {
    return timed("put", () -> super.create(key, value));
  }

  @Override
  public KeyValue update(Key key, String value, Revision expected) {
    return timed("put", () -> super.update(key, value, expected));
  }

  @Override
  public KeyValue put(Key key, String value) {
    return timed("put", () -> super.put(key, value));
  }

  @Override
  public Revision delete(Key key, Revision expected) {
    return timed("delete", () -> super.delete(key, expected));
  }

  @Override
  public boolean delete(Key key) {
    return timed("delete", () -> super.delete(key));
  }

  @Override
  public long deletePrefix(Key prefix) {
    return timed("delete", () -> super.deletePrefix(prefix));
  }

  @Override
  public TxnResult commit(Transaction transaction) {
    if (!transaction.ops().isEmpty()) {
      synchronized (this) {
        lastWrite = transaction;
      }
    }
    return timed(transaction.ops().isEmpty() ? "read-txn" : "txn", () -> super.commit(transaction));
  }
}
