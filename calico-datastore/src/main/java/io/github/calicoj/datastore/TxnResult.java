package io.github.calicoj.datastore;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The outcome of {@link Datastore#commit(Transaction)}. Immutable and thread-safe.
 *
 * @param succeeded true if every guard held and every operation was applied
 * @param revision on success, the revision of the writes; on failure, the store revision at which
 *     the guards were evaluated
 * @param current on failure, the current entry of every guarded key that exists (absent keys are
 *     missing from the map), read at {@code revision}; empty on success
 * @param failedGuards on failure, the guards that did not hold; empty on success
 * @param reads for each prefix the transaction {@linkplain Transaction#reads reads}, its entries in
 *     key order, at {@code revision}
 */
public record TxnResult(
    boolean succeeded,
    Revision revision,
    Map<Key, KeyValue> current,
    List<Guard> failedGuards,
    Map<Key, List<KeyValue>> reads) {

  /** A result with no prefix reads. */
  public TxnResult(
      boolean succeeded, Revision revision, Map<Key, KeyValue> current, List<Guard> failedGuards) {
    this(succeeded, revision, current, failedGuards, Map.of());
  }

  /** Copies the collections. */
  public TxnResult {
    requireNonNull(revision, "revision");
    current = Map.copyOf(current);
    failedGuards = List.copyOf(failedGuards);
    Map<Key, List<KeyValue>> copy = new HashMap<>();
    reads.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    reads = Map.copyOf(copy);
  }

  /**
   * The entries under a prefix the transaction read, in key order.
   *
   * @throws IllegalArgumentException if the transaction did not read {@code prefix}
   */
  public List<KeyValue> read(Key prefix) {
    List<KeyValue> entries = reads.get(prefix);
    if (entries == null) {
      throw new IllegalArgumentException("The transaction did not read prefix " + prefix);
    }
    return entries;
  }

  /** The current entry of a guarded key after a failure, or empty if it is absent. */
  public Optional<KeyValue> current(Key key) {
    return Optional.ofNullable(current.get(key));
  }
}
