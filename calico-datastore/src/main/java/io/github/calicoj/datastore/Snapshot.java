package io.github.calicoj.datastore;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The entries under a prefix as they were at one store revision, in key order. Start a {@link
 * Datastore#watch} after {@link #revision()} to follow every later change with no gap and no
 * duplicate. Immutable and thread-safe.
 *
 * @param entries the entries, sorted by key
 * @param revision the store revision the entries were read at
 */
public record Snapshot(List<KeyValue> entries, Revision revision) {

  /** Copies the entries. */
  public Snapshot {
    entries = List.copyOf(entries);
    requireNonNull(revision, "revision");
  }

  /** The number of entries. */
  public int size() {
    return entries.size();
  }

  /** True if no entry matched. */
  public boolean isEmpty() {
    return entries.isEmpty();
  }
}
