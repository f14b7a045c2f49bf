package io.github.calicoj.core.client;

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
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A datastore that passes every call to another, for tests that inject faults by overriding a call.
 * It borrows the delegate: closing it closes nothing.
 */
public class ForwardingDatastore implements Datastore {
  private final Datastore d;

  public ForwardingDatastore(Datastore delegate) {
    this.d = delegate;
  }

  /** Called before every write with its key (null for a transaction). */
  void beforeWrite(@Nullable Key key) {}

  @Override
  public Optional<KeyValue> get(Key key) {
    return d.get(key);
  }

  @Override
  public Snapshot list(Key prefix) {
    return d.list(prefix);
  }

  @Override
  public KeyValue create(Key key, String value) {
    beforeWrite(key);
    return d.create(key, value);
  }

  @Override
  public KeyValue update(Key key, String value, Revision expected) {
    beforeWrite(key);
    return d.update(key, value, expected);
  }

  @Override
  public KeyValue put(Key key, String value) {
    beforeWrite(key);
    return d.put(key, value);
  }

  @Override
  public Revision delete(Key key, Revision expected) {
    beforeWrite(key);
    return d.delete(key, expected);
  }

  @Override
  public boolean delete(Key key) {
    beforeWrite(key);
    return d.delete(key);
  }

  @Override
  public long deletePrefix(Key prefix) {
    beforeWrite(prefix);
    return d.deletePrefix(prefix);
  }

  @Override
  public KeyValue put(Key key, String value, Lease lease) {
    beforeWrite(key);
    return d.put(key, value, lease);
  }

  @Override
  public Lease grantLease(Duration ttl, LeaseListener listener) {
    return d.grantLease(ttl, listener);
  }

  @Override
  public TxnResult commit(Transaction transaction) {
    return d.commit(transaction);
  }

  @Override
  public WatchHandle watch(Key prefix, Revision after, WatchListener listener) {
    return d.watch(prefix, after, listener);
  }

  @Override
  public void close() {
    // borrowed
  }
}
