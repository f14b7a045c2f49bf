package io.github.calicoj.datastore.etcd.internal;

import io.github.calicoj.datastore.DatastoreUnavailableException;

/**
 * The pause between attempts of a call that etcd refused as retryable: from {@value #FIRST_MS} ms,
 * doubling up to 500 ms, never past the call's deadline.
 */
public final class Backoff {
  /** The first back-off. */
  public static final long FIRST_MS = 25;

  /** The longest back-off. */
  private static final long MAX_MS = 500;

  private Backoff() {}

  /**
   * Sleeps for {@code backoffMs}, never past {@code deadline} ({@link System#nanoTime()}), and
   * returns the next back-off.
   */
  public static long pause(long backoffMs, long deadline) {
    long left = (deadline - System.nanoTime()) / 1_000_000;
    try {
      Thread.sleep(Math.max(0, Math.min(backoffMs, left)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DatastoreUnavailableException("interrupted", null, false, e);
    }
    return Math.min(MAX_MS, backoffMs * 2);
  }
}
