package io.github.calicoj.datastore;

import static java.util.Objects.requireNonNull;

/**
 * One stored entry with the revision of the change that last wrote it (etcd's {@code
 * mod_revision}): pass that revision to {@link Datastore#update} or {@link Datastore#delete(Key,
 * Revision)} for compare-and-set. Immutable and thread-safe.
 *
 * @param key the key
 * @param value the value, a UTF-8 string (typically JSON)
 * @param revision the revision at which this value was written
 */
public record KeyValue(Key key, String value, Revision revision) {

  /** Rejects nulls. */
  public KeyValue {
    requireNonNull(key, "key");
    requireNonNull(value, "value");
    requireNonNull(revision, "revision");
  }
}
