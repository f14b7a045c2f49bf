package io.github.calicoj.core;

import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Transaction;
import io.github.calicoj.datastore.TxnResult;
import java.util.List;

/**
 * One resource's share of a datastore transaction: the guards and writes (and reads) it needs, and
 * what it learns from the outcome. Parts of different resources commit together in one transaction,
 * so that, for example, an endpoint is created in the same write that assigns its IP, and removed
 * in the same write that frees it. IPAM's changes and the repositories' creates and removals
 * implement it; {@link #commit} sends them.
 *
 * <p>A part is planned on data read earlier (guarded on its revision) and used once, from one
 * thread. When a transaction fails on any part's guard nothing is written; the caller plans again
 * (each part's {@link #settle} has refreshed what it cached) and retries, a bounded number of
 * times.
 */
public interface TxnPart {

  /** Adds this part's guards, writes and reads to {@code txn}. */
  void addTo(Transaction.Builder txn);

  /**
   * Records the outcome of the transaction this part was added to: on success what was written; on
   * failure the fresh values the failed guards returned. Never throws for a failed guard; parts
   * expose what a failure means to them through their own accessors.
   */
  void settle(TxnResult result);

  /**
   * Commits {@code parts} in one transaction and settles each with the result. Equivalent to one
   * etcd {@code Txn} holding every part's guards and operations.
   */
  static TxnResult commit(Datastore datastore, List<? extends TxnPart> parts) {
    Transaction.Builder txn = Transaction.builder();
    parts.forEach(p -> p.addTo(txn));
    TxnResult r = datastore.commit(txn.build());
    parts.forEach(p -> p.settle(r));
    return r;
  }
}
