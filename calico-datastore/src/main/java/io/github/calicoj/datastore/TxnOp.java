package io.github.calicoj.datastore;

import static java.util.Objects.requireNonNull;

/** A write inside a {@link Transaction}. Immutable. */
public sealed interface TxnOp permits TxnOp.Put, TxnOp.Delete {

  /** The key written or deleted. */
  Key key();

  /** Writes {@code value} at {@code key}, creating or overwriting it. */
  static TxnOp put(Key key, String value) {
    return new Put(key, value);
  }

  /** Deletes {@code key}; a no-op if it is absent (guard with {@link Guard} to require it). */
  static TxnOp delete(Key key) {
    return new Delete(key);
  }

  /**
   * Put one key.
   *
   * @param key the key
   * @param value the new value
   */
  record Put(Key key, String value) implements TxnOp {
    /** Rejects nulls. */
    public Put {
      requireNonNull(key, "key");
      requireNonNull(value, "value");
    }
  }

  /**
   * Delete one key.
   *
   * @param key the key
   */
  record Delete(Key key) implements TxnOp {
    /** Rejects null. */
    public Delete {
      requireNonNull(key, "key");
    }
  }
}
