package io.github.calicoj.core.check;

import io.github.calicoj.core.TxnPart;
import io.github.calicoj.datastore.Guard;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Revision;
import io.github.calicoj.datastore.Transaction;
import io.github.calicoj.datastore.TxnResult;
import java.util.ArrayList;
import java.util.List;

/**
 * Deletes keys as they were read, each guarded on its revision, or (as {@link #guardOnly}) guards
 * that keys are still as read without writing them. Not thread-safe; use once.
 */
final class GuardedDeletes implements TxnPart {
  private final List<Guard> guards;
  private final boolean delete;

  private GuardedDeletes(List<Guard> guards, boolean delete) {
    this.guards = List.copyOf(guards);
    this.delete = delete;
  }

  /** Deletes each entry if it is still at the revision it was read at. */
  static GuardedDeletes of(List<KeyValue> entries) {
    List<Guard> g = new ArrayList<>();
    entries.forEach(kv -> g.add(Guard.atRevision(kv.key(), kv.revision())));
    return new GuardedDeletes(g, true);
  }

  /** Guards that {@code key} is still at {@code revision}; writes nothing. */
  static GuardedDeletes guardOnly(Key key, Revision revision) {
    return new GuardedDeletes(List.of(Guard.atRevision(key, revision)), false);
  }

  @Override
  public void addTo(Transaction.Builder txn) {
    for (Guard g : guards) {
      txn.guard(g);
      if (delete) {
        txn.delete(g.key());
      }
    }
  }

  @Override
  public void settle(TxnResult result) {}
}
