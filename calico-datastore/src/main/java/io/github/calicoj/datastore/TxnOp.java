package io.github.calicoj.datastore;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** A write inside a {@link Transaction}. Immutable. */
public sealed interface TxnOp permits TxnOp.Put, TxnOp.Delete {

  /** The key written or deleted. */
  Key key();

  /** Writes {@code value} at {@code key}, creating or overwriting it. */
  static TxnOp put(Key key, String value) {
    return new Put(key, value, null);
  }

  /**
   * Writes {@code value} at {@code key} attached to {@code lease}, as {@link Datastore#put(Key,
   * String, Lease)} does.
   */
  static TxnOp put(Key key, String value, Lease lease) {
    return new Put(key, value, requireNonNull(lease, "lease"));
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
   * @param lease the lease to attach the key to, or null for none
   */
  record Put(Key key, String value, @Nullable Lease lease) implements TxnOp {
    /** Rejects a null key or value. */
    public Put {
      requireNonNull(key, "key");
      requireNonNull(value, "value");
    }

    /** A put without a lease. */
    public Put(Key key, String value) {
      this(key, value, null);
    }

    /** The lease the key is attached to, if any. */
    public Optional<Lease> leased() {
      return Optional.ofNullable(lease);
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
