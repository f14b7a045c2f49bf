package io.github.calicoj.datastore.memory;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Guard;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Lease;
import io.github.calicoj.datastore.LeaseListener;
import io.github.calicoj.datastore.ResourceAlreadyExistsException;
import io.github.calicoj.datastore.ResourceNotFoundException;
import io.github.calicoj.datastore.Revision;
import io.github.calicoj.datastore.RevisionCompactedException;
import io.github.calicoj.datastore.RevisionConflictException;
import io.github.calicoj.datastore.Snapshot;
import io.github.calicoj.datastore.Transaction;
import io.github.calicoj.datastore.TxnOp;
import io.github.calicoj.datastore.TxnResult;
import io.github.calicoj.datastore.WatchEvent;
import io.github.calicoj.datastore.WatchHandle;
import io.github.calicoj.datastore.WatchListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * A {@link Datastore} held in this JVM's memory, with etcd's semantics: one store-wide revision
 * that starts at 1 and grows by one per change, compare-and-set on a key's revision, atomic
 * transactions, and watches replayed from history and delivered on a thread of their own.
 *
 * <p>It is the embedded default of the quickstart and a stand-in for etcd in tests. Nothing is
 * persisted. History for watch replay is kept for the last {@link Builder#historyLimit} changes
 * (older revisions are compacted automatically) or until {@link #compact(Revision)}.
 *
 * <p>Leases are kept alive by the store itself for as long as they are open, since their writer
 * lives in the same process: a leased key goes when its lease is closed, or when the store is.
 *
 * <p>Thread-safe: every operation runs under one lock, so operations are linearizable. Calls never
 * block on anything but that lock. Each watch owns one daemon thread, ended by closing the watch or
 * the datastore; a lease that expires does so on one more, ended with the datastore. The creator
 * owns the datastore and closes it.
 *
 * <p>The class is longer than our usual 400 lines because every operation reads and writes the map,
 * the history and the watch list under one lock; the watches ({@link MemoryWatch}) and leases
 * ({@link MemoryLeases}) live in their own files.
 */
public final class InMemoryDatastore implements Datastore {

  private final Object lock = new Object();
  private final int historyLimit;

  // All guarded by lock.
  private final TreeMap<Key, KeyValue> data = new TreeMap<>();
  private final ArrayList<WatchEvent> history = new ArrayList<>();
  private final List<MemoryWatch> watches = new ArrayList<>();
  private final MemoryLeases leases;
  private long revision = 1;
  private long compactRevision = 1;
  private boolean closed;

  private InMemoryDatastore(Builder builder) {
    this.historyLimit = builder.historyLimit;
    this.leases = new MemoryLeases(lock, this, this::deleteAll);
  }

  /** Returns an empty datastore with the default history limit. */
  public static InMemoryDatastore create() {
    return builder().build();
  }

  /** Returns a builder for a datastore with non-default settings. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Optional<KeyValue> get(Key key) {
    requireNonNull(key, "key");
    synchronized (lock) {
      checkOpen();
      return Optional.ofNullable(data.get(key));
    }
  }

  @Override
  public Snapshot list(Key prefix) {
    requireNonNull(prefix, "prefix");
    synchronized (lock) {
      checkOpen();
      return new Snapshot(new ArrayList<>(under(prefix).values()), Revision.of(revision));
    }
  }

  @Override
  public KeyValue create(Key key, String value) {
    requireNonNull(key, "key");
    requireNonNull(value, "value");
    synchronized (lock) {
      checkOpen();
      KeyValue existing = data.get(key);
      if (existing != null) {
        throw new ResourceAlreadyExistsException("create", key, existing.revision());
      }
      return write(List.of(TxnOp.put(key, value))).get(0);
    }
  }

  @Override
  public KeyValue update(Key key, String value, Revision expected) {
    requireNonNull(key, "key");
    requireNonNull(value, "value");
    requireNonNull(expected, "expected");
    synchronized (lock) {
      checkOpen();
      checkRevision("update", key, expected);
      return write(List.of(TxnOp.put(key, value))).get(0);
    }
  }

  @Override
  public KeyValue put(Key key, String value) {
    requireNonNull(key, "key");
    requireNonNull(value, "value");
    synchronized (lock) {
      checkOpen();
      return write(List.of(TxnOp.put(key, value))).get(0);
    }
  }

  @Override
  public KeyValue put(Key key, String value, Lease lease) {
    requireNonNull(key, "key");
    requireNonNull(value, "value");
    requireNonNull(lease, "lease");
    synchronized (lock) {
      checkOpen();
      leases.checkWritable(lease, "put", key);
      return write(List.of(TxnOp.put(key, value, lease))).get(0);
    }
  }

  @Override
  public Lease grantLease(Duration ttl, LeaseListener listener) {
    requireNonNull(ttl, "ttl");
    requireNonNull(listener, "listener");
    synchronized (lock) {
      checkOpen();
      return leases.grant(ttl, listener);
    }
  }

  /**
   * Stops keeping {@code lease} alive without revoking it, as if its writer had died: it expires a
   * TTL later. The contract tests' stand-in for a dead writer.
   */
  void stopKeepAlive(Lease lease) {
    synchronized (lock) {
      leases.stopKeepAlive(lease);
    }
  }

  /** Revokes {@code lease} as another client of a shared store would. For the contract tests. */
  void revokeElsewhere(Lease lease) {
    synchronized (lock) {
      leases.revokeElsewhere(lease);
    }
  }

  @Override
  public Revision delete(Key key, Revision expected) {
    requireNonNull(key, "key");
    requireNonNull(expected, "expected");
    synchronized (lock) {
      checkOpen();
      checkRevision("delete", key, expected);
      write(List.of(TxnOp.delete(key)));
      return Revision.of(revision);
    }
  }

  @Override
  public boolean delete(Key key) {
    requireNonNull(key, "key");
    synchronized (lock) {
      checkOpen();
      if (!data.containsKey(key)) {
        return false;
      }
      write(List.of(TxnOp.delete(key)));
      return true;
    }
  }

  @Override
  public long deletePrefix(Key prefix) {
    requireNonNull(prefix, "prefix");
    synchronized (lock) {
      checkOpen();
      List<TxnOp> deletes = new ArrayList<>();
      for (Key key : under(prefix).keySet()) {
        deletes.add(TxnOp.delete(key));
      }
      if (!deletes.isEmpty()) {
        write(deletes);
      }
      return deletes.size();
    }
  }

  @Override
  public TxnResult commit(Transaction transaction) {
    requireNonNull(transaction, "transaction");
    synchronized (lock) {
      checkOpen();
      for (TxnOp op : transaction.ops()) {
        if (op instanceof TxnOp.Put put && put.lease() != null) {
          leases.checkWritable(put.lease(), "commit", put.key());
        }
      }
      Map<Key, KeyValue> current = new HashMap<>();
      List<Guard> failed = new ArrayList<>();
      for (Guard guard : transaction.guards()) {
        Optional<KeyValue> entry = Optional.ofNullable(data.get(guard.key()));
        entry.ifPresent(kv -> current.put(kv.key(), kv));
        if (!guard.holds(entry)) {
          failed.add(guard);
        }
      }
      if (!failed.isEmpty()) {
        return new TxnResult(false, Revision.of(revision), current, failed, reads(transaction));
      }
      write(transaction.ops());
      return new TxnResult(true, Revision.of(revision), Map.of(), List.of(), reads(transaction));
    }
  }

  /** The transaction's prefix reads, under the lock. */
  private Map<Key, List<KeyValue>> reads(Transaction transaction) {
    Map<Key, List<KeyValue>> out = new HashMap<>();
    for (Key prefix : transaction.reads()) {
      out.put(prefix, List.copyOf(under(prefix).values()));
    }
    return out;
  }

  @Override
  public WatchHandle watch(Key prefix, Revision after, WatchListener listener) {
    requireNonNull(prefix, "prefix");
    requireNonNull(after, "after");
    requireNonNull(listener, "listener");
    synchronized (lock) {
      checkOpen();
      if (after.value() < compactRevision) {
        throw new RevisionCompactedException("watch", prefix, Revision.of(compactRevision), null);
      }
      MemoryWatch watch =
          new MemoryWatch(
              prefix,
              listener,
              w -> {
                synchronized (lock) {
                  watches.remove(w);
                }
              });
      // Replay under the lock, then register: no write can slip between the two.
      for (WatchEvent event : history) {
        if (event.revision().value() > after.value() && event.key().startsWith(prefix)) {
          watch.deliver(event);
        }
      }
      watches.add(watch);
      return watch;
    }
  }

  /**
   * Discards the history before {@code revision}, as {@code etcdctl compact} does: a later {@link
   * #watch} from an older revision throws {@link RevisionCompactedException}.
   *
   * @throws IllegalArgumentException if {@code revision} is newer than the current revision
   */
  public void compact(Revision revision) {
    requireNonNull(revision, "revision");
    synchronized (lock) {
      checkOpen();
      checkArgument(
          revision.value() <= this.revision,
          "Cannot compact to %s, past the current revision %s",
          revision,
          this.revision);
      compactTo(revision.value());
    }
  }

  /** The current store revision. */
  public Revision currentRevision() {
    synchronized (lock) {
      return Revision.of(revision);
    }
  }

  @Override
  public void close() {
    List<MemoryWatch> toClose;
    ScheduledThreadPoolExecutor leaseTimer;
    synchronized (lock) {
      if (closed) {
        return;
      }
      leaseTimer = leases.closeAll();
      closed = true;
      toClose = new ArrayList<>(watches);
      watches.clear();
    }
    toClose.forEach(MemoryWatch::close);
    if (leaseTimer != null) {
      leaseTimer.shutdownNow();
    }
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "InMemoryDatastore{keys=" + data.size() + ", revision=" + revision + "}";
    }
  }

  // --- internals; callers hold lock ---

  private void checkOpen() {
    checkState(!closed, "InMemoryDatastore is closed");
  }

  private NavigableMap<Key, KeyValue> under(Key prefix) {
    // Keys are ordered by their UTF-8 bytes, so all keys with this prefix form one range that
    // starts at the prefix itself.
    NavigableMap<Key, KeyValue> tail = data.tailMap(prefix, true);
    TreeMap<Key, KeyValue> result = new TreeMap<>();
    for (Map.Entry<Key, KeyValue> e : tail.entrySet()) {
      if (!e.getKey().startsWith(prefix)) {
        break;
      }
      result.put(e.getKey(), e.getValue());
    }
    return result;
  }

  private void checkRevision(String operation, Key key, Revision expected) {
    KeyValue existing = data.get(key);
    if (existing == null) {
      throw new ResourceNotFoundException(operation, key);
    }
    if (!existing.revision().equals(expected)) {
      throw new RevisionConflictException(operation, key, expected, existing.revision());
    }
  }

  /** Applies the operations at one new revision and notifies watches; returns the puts written. */
  private List<KeyValue> write(List<TxnOp> ops) {
    Revision next = Revision.of(revision + 1);
    List<KeyValue> written = new ArrayList<>();
    List<WatchEvent> events = new ArrayList<>();
    for (TxnOp op : ops) {
      if (op instanceof TxnOp.Put put) {
        KeyValue kv = new KeyValue(put.key(), put.value(), next);
        data.put(put.key(), kv);
        leases.written(put.key(), put.lease());
        written.add(kv);
        events.add(new WatchEvent.Put(kv));
      } else if (data.remove(op.key()) != null) {
        leases.deleted(op.key());
        events.add(new WatchEvent.Delete(op.key(), next));
      }
    }
    if (events.isEmpty()) {
      return written; // etcd does not bump the revision for a delete of nothing
    }
    revision = next.value();
    history.addAll(events);
    for (WatchEvent event : events) {
      for (MemoryWatch watch : watches) {
        if (event.key().startsWith(watch.prefix())) {
          watch.deliver(event);
        }
      }
    }
    if (history.size() > historyLimit) {
      compactTo(history.get(history.size() - historyLimit / 2).revision().value());
    }
    return written;
  }

  /** Deletes keys at one new revision (a lease that ended); under the lock. */
  private void deleteAll(List<Key> keys) {
    List<TxnOp> deletes = new ArrayList<>();
    keys.forEach(k -> deletes.add(TxnOp.delete(k)));
    write(deletes);
  }

  private void compactTo(long keepFrom) {
    int drop = 0;
    while (drop < history.size() && history.get(drop).revision().value() < keepFrom) {
      drop++;
    }
    history.subList(0, drop).clear();
    compactRevision = Math.max(compactRevision, keepFrom);
  }

  /** Settings for an {@link InMemoryDatastore}. Not thread-safe. */
  public static final class Builder {
    private int historyLimit = 100_000;

    private Builder() {}

    /**
     * How many changes to keep for watch replay; older ones are compacted automatically. Default
     * 100,000.
     */
    public Builder historyLimit(int historyLimit) {
      checkArgument(historyLimit >= 2, "historyLimit must be at least 2: %s", historyLimit);
      this.historyLimit = historyLimit;
      return this;
    }

    /** Builds an empty datastore. */
    public InMemoryDatastore build() {
      return new InMemoryDatastore(this);
    }
  }
}
