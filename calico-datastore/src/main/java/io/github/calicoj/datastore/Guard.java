package io.github.calicoj.datastore;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/** A condition on one key that a {@link Transaction} checks before it writes. Immutable. */
public sealed interface Guard permits Guard.Absent, Guard.AtRevision {

  /** The key the condition is about. */
  Key key();

  /** True if the condition holds for {@code current}, the key's entry or empty if it is absent. */
  boolean holds(Optional<KeyValue> current);

  /** The key must not exist (etcd: {@code version(key) == 0}). */
  static Guard absent(Key key) {
    return new Absent(key);
  }

  /**
   * The key must exist and have been last written at {@code revision} (etcd: {@code mod_revision}).
   */
  static Guard atRevision(Key key, Revision revision) {
    return new AtRevision(key, revision);
  }

  /**
   * The key must not exist.
   *
   * @param key the key
   */
  record Absent(Key key) implements Guard {
    /** Rejects null. */
    public Absent {
      requireNonNull(key, "key");
    }

    @Override
    public boolean holds(Optional<KeyValue> current) {
      return current.isEmpty();
    }
  }

  /**
   * The key must exist at exactly this revision.
   *
   * @param key the key
   * @param revision the expected {@code mod_revision}
   */
  record AtRevision(Key key, Revision revision) implements Guard {
    /** Rejects nulls. */
    public AtRevision {
      requireNonNull(key, "key");
      requireNonNull(revision, "revision");
    }

    @Override
    public boolean holds(Optional<KeyValue> current) {
      return current.isPresent() && current.get().revision().equals(revision);
    }
  }
}
