package io.github.calicoj.node.internal.agent;

import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Lease;
import io.github.calicoj.datastore.LeaseListener;
import io.github.calicoj.datastore.Revision;
import io.github.calicoj.datastore.Snapshot;
import io.github.calicoj.datastore.Transaction;
import io.github.calicoj.datastore.TxnResult;
import io.github.calicoj.datastore.WatchHandle;
import io.github.calicoj.datastore.WatchListener;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A datastore that forwards to another and lets a test act on the watches opened through it: tell a
 * listener that history was compacted, or end a watch as a broken connection would. Counts the
 * agent's listings of {@code /calico}. Borrows the delegate.
 */
final class WatchControl implements Datastore {
  private final Datastore d;
  final List<WatchListener> listeners = new CopyOnWriteArrayList<>();
  final List<WatchHandle> handles = new CopyOnWriteArrayList<>();
  final AtomicInteger lists = new AtomicInteger();
  volatile boolean failLists;

  WatchControl(Datastore delegate) {
    this.d = delegate;
  }

  /** The newest watch's listener is told that history was compacted. */
  void compactNewest() {
    listeners.get(listeners.size() - 1).onCompacted(new Revision(1));
  }

  /** The newest watch ends without the agent closing it. */
  void endNewest() {
    handles.get(handles.size() - 1).close();
  }

  @Override
  public Optional<KeyValue> get(Key key) {
    return d.get(key);
  }

  @Override
  public Snapshot list(Key prefix) {
    if (!prefix.path().equals("/calico")) {
      return d.list(prefix); // the status writer's reads
    }
    lists.incrementAndGet();
    if (failLists) {
      throw new io.github.calicoj.datastore.DatastoreUnavailableException(
          "list refused by the test", null, false, null);
    }
    return d.list(prefix);
  }

  @Override
  public KeyValue create(Key key, String value) {
    return d.create(key, value);
  }

  @Override
  public KeyValue update(Key key, String value, Revision expected) {
    return d.update(key, value, expected);
  }

  @Override
  public KeyValue put(Key key, String value) {
    return d.put(key, value);
  }

  @Override
  public KeyValue put(Key key, String value, Lease lease) {
    return d.put(key, value, lease);
  }

  @Override
  public Lease grantLease(Duration ttl, LeaseListener listener) {
    return d.grantLease(ttl, listener);
  }

  @Override
  public Revision delete(Key key, Revision expected) {
    return d.delete(key, expected);
  }

  @Override
  public boolean delete(Key key) {
    return d.delete(key);
  }

  @Override
  public long deletePrefix(Key prefix) {
    return d.deletePrefix(prefix);
  }

  @Override
  public TxnResult commit(Transaction transaction) {
    return d.commit(transaction);
  }

  @Override
  public WatchHandle watch(Key prefix, Revision after, WatchListener listener) {
    WatchHandle h = d.watch(prefix, after, listener);
    listeners.add(listener);
    handles.add(h);
    return h;
  }

  @Override
  public void close() {}
}
