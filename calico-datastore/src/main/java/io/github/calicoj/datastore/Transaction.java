package io.github.calicoj.datastore;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An atomic multi-key write: if every {@link Guard} holds, all {@link TxnOp}s are applied at one
 * new revision; otherwise nothing is written. Equivalent to one etcd {@code Txn} with the guards as
 * {@code If} compares and the operations as {@code Then}. Immutable and thread-safe; build it with
 * {@link #builder()}.
 *
 * <p>A transaction may also {@linkplain Builder#readPrefix read prefixes}: they are read in the
 * same atomic step, at the transaction's revision and after its writes (if it succeeded), and come
 * back in {@link TxnResult#read}. That lets a writer see, at no extra round trip, what else exists
 * beside what it just wrote.
 *
 * <pre>{@code
 * Transaction txn = Transaction.builder()
 *     .guard(Guard.atRevision(blockKey, block.revision()))
 *     .guard(Guard.absent(affinityKey))
 *     .put(blockKey, newBlockJson)
 *     .put(affinityKey, "")
 *     .build();
 * TxnResult result = datastore.commit(txn);
 * }</pre>
 *
 * @param guards the conditions, all of which must hold
 * @param ops the writes, applied in order, each key at most once; none for a read-only transaction
 * @param reads the prefixes to read in the same step, each at most once; a transaction writes or
 *     reads something
 */
public record Transaction(List<Guard> guards, List<TxnOp> ops, List<Key> reads) {

  /** A transaction that reads nothing. */
  public Transaction(List<Guard> guards, List<TxnOp> ops) {
    this(guards, ops, List.of());
  }

  /**
   * Copies the lists and checks that there is an operation or a read and that no key is written
   * twice. A transaction with reads and no operation is read-only: it writes nothing and does not
   * move the store's revision, and its reads are taken at one revision.
   */
  public Transaction {
    guards = List.copyOf(guards);
    ops = List.copyOf(ops);
    reads = List.copyOf(reads);
    checkArgument(
        Set.copyOf(reads).size() == reads.size(), "Transaction reads a prefix twice: %s", reads);
    checkArgument(!ops.isEmpty() || !reads.isEmpty(), "Transaction has no operation and no read");
    Set<Key> written = new HashSet<>();
    for (TxnOp op : ops) {
      // etcd rejects a txn that writes one key twice ("duplicate key given in txn request").
      checkArgument(written.add(op.key()), "Transaction writes key %s more than once", op.key());
    }
  }

  /** Returns a new, empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Collects guards and operations. Not thread-safe. */
  public static final class Builder {
    private final List<Guard> guards = new ArrayList<>();
    private final List<TxnOp> ops = new ArrayList<>();
    private final List<Key> reads = new ArrayList<>();

    private Builder() {}

    /** Adds a condition. */
    public Builder guard(Guard guard) {
      guards.add(guard);
      return this;
    }

    /** Adds a write of {@code value} at {@code key}. */
    public Builder put(Key key, String value) {
      ops.add(TxnOp.put(key, value));
      return this;
    }

    /** Adds a write of {@code value} at {@code key}, attached to {@code lease}. */
    public Builder put(Key key, String value, Lease lease) {
      ops.add(TxnOp.put(key, value, lease));
      return this;
    }

    /** Adds a delete of {@code key}. */
    public Builder delete(Key key) {
      ops.add(TxnOp.delete(key));
      return this;
    }

    /** Adds an operation. */
    public Builder op(TxnOp op) {
      ops.add(op);
      return this;
    }

    /**
     * Adds a read of every entry under {@code prefix}, taken at the transaction's revision: after
     * its writes if it succeeded, as the guards saw the store if it failed.
     */
    public Builder readPrefix(Key prefix) {
      reads.add(prefix);
      return this;
    }

    /** Builds the transaction; see {@link Transaction} for the checks. */
    public Transaction build() {
      return new Transaction(guards, ops, reads);
    }
  }
}
