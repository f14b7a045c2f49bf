package io.github.calicoj.datastore;

/**
 * A running watch. The caller that opened it owns it and closes it; closing the datastore closes it
 * too. Thread-safe.
 */
public interface WatchHandle extends AutoCloseable {

  /** True until {@link #close()} is called, the datastore is closed, or history was compacted. */
  boolean isActive();

  /** Stops delivery: no new listener call starts after this returns. Idempotent; never throws. */
  @Override
  void close();
}
