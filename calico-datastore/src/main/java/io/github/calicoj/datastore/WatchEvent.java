package io.github.calicoj.datastore;

import static java.util.Objects.requireNonNull;

/** A change seen by a {@link Datastore#watch}: a key written or a key deleted. Immutable. */
public sealed interface WatchEvent permits WatchEvent.Put, WatchEvent.Delete {

  /** The key that changed. */
  Key key();

  /** The store revision of the change. */
  Revision revision();

  /**
   * A key was created or overwritten.
   *
   * @param current the entry as written, carrying the change's revision
   */
  record Put(KeyValue current) implements WatchEvent {
    /** Rejects null. */
    public Put {
      requireNonNull(current, "current");
    }

    @Override
    public Key key() {
      return current.key();
    }

    @Override
    public Revision revision() {
      return current.revision();
    }
  }

  /**
   * A key was deleted.
   *
   * @param key the deleted key
   * @param revision the revision of the deletion
   */
  record Delete(Key key, Revision revision) implements WatchEvent {
    /** Rejects nulls. */
    public Delete {
      requireNonNull(key, "key");
      requireNonNull(revision, "revision");
    }
  }
}
