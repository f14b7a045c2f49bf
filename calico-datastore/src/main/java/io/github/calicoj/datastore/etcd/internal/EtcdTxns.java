package io.github.calicoj.datastore.etcd.internal;

import io.github.calicoj.datastore.DatastoreException;
import io.github.calicoj.datastore.Guard;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.ResourceNotFoundException;
import io.github.calicoj.datastore.Revision;
import io.github.calicoj.datastore.RevisionConflictException;
import io.github.calicoj.datastore.Transaction;
import io.github.calicoj.datastore.TxnResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How both clients shape a {@link Transaction} for etcd and read its reply: which keys the failure
 * branch reads back, the {@link TxnResult}, and a failed compare-and-set's exception.
 */
public final class EtcdTxns {
  private EtcdTxns() {}

  /**
   * A transaction's result from etcd's reply, the same for both clients. The reply's range
   * responses come in the order the request asked for them: on failure the guarded keys (each once,
   * in guard order) and then the prefix reads; on success the prefix reads alone.
   */
  public static TxnResult txnResult(
      Transaction transaction, boolean succeeded, Revision revision, List<List<KeyValue>> ranges) {
    Set<Key> guarded = guardedKeys(transaction);
    int firstRead = succeeded ? 0 : guarded.size();
    Map<Key, List<KeyValue>> reads = new HashMap<>();
    for (int i = 0; i < transaction.reads().size(); i++) {
      reads.put(transaction.reads().get(i), ranges.get(firstRead + i));
    }
    if (succeeded) {
      return new TxnResult(true, revision, Map.of(), List.of(), reads);
    }
    Map<Key, KeyValue> current = new HashMap<>();
    for (List<KeyValue> got : ranges.subList(0, guarded.size())) {
      got.forEach(kv -> current.put(kv.key(), kv));
    }
    List<Guard> failed = new ArrayList<>();
    for (Guard g : transaction.guards()) {
      if (!g.holds(Optional.ofNullable(current.get(g.key())))) {
        failed.add(g);
      }
    }
    return new TxnResult(false, revision, current, failed, reads);
  }

  /** The keys a transaction guards, each once, in guard order (its failure branch reads them). */
  public static Set<Key> guardedKeys(Transaction transaction) {
    Set<Key> guarded = new LinkedHashSet<>();
    transaction.guards().forEach(g -> guarded.add(g.key()));
    return guarded;
  }

  /**
   * A failed compare-and-set's exception, from the key's entry as the failure branch read it:
   * absent means not found, present means it moved on.
   */
  public static DatastoreException casFailure(
      String operation, Key key, Revision expected, Optional<KeyValue> current) {
    if (current.isEmpty()) {
      return new ResourceNotFoundException(operation, key);
    }
    return new RevisionConflictException(operation, key, expected, current.get().revision());
  }
}
