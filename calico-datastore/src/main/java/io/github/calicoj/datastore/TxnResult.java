package io.github.calicoj.datastore;

import static java.util.Objects.requireNonNull;

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
 */
public record TxnResult(
    boolean succeeded, Revision revision, Map<Key, KeyValue> current, List<Guard> failedGuards) {

  /** Copies the collections. */
  public TxnResult {
    requireNonNull(revision, "revision");
    current = Map.copyOf(current);
    failedGuards = List.copyOf(failedGuards);
  }

  /** The current entry of a guarded key after a failure, or empty if it is absent. */
  public Optional<KeyValue> current(Key key) {
    return Optional.ofNullable(current.get(key));
  }
}
