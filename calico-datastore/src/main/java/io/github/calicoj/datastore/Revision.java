package io.github.calicoj.datastore;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * A store-wide revision: etcd's {@code revision}/{@code mod_revision}, a positive number that grows
 * with every change to the store. A key's revision is the revision of the change that last wrote
 * it. Immutable and thread-safe.
 *
 * @param value the number, at least 1
 */
public record Revision(long value) implements Comparable<Revision> {

  /** Rejects values below 1. */
  public Revision {
    checkArgument(value >= 1, "Revision must be at least 1: %s", value);
  }

  /** Returns the revision with this number. */
  public static Revision of(long value) {
    return new Revision(value);
  }

  /** True if this revision is newer than {@code other}. */
  public boolean isAfter(Revision other) {
    return value > other.value;
  }

  @Override
  public int compareTo(Revision other) {
    return Long.compare(value, other.value);
  }

  /** Returns the number in decimal. */
  @Override
  public String toString() {
    return Long.toString(value);
  }
}
