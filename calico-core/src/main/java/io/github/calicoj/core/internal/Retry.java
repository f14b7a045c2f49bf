package io.github.calicoj.core.internal;

import io.github.calicoj.core.CalicoException.Reason;
import io.github.calicoj.core.ConflictException;
import org.jspecify.annotations.Nullable;

/**
 * The bounded compare-and-set loop: an attempt reads, computes and writes with a guard, and returns
 * null when its guard failed so that it runs again on fresh data. Like pycalico's {@code RETRIES},
 * at most {@value #MAX_ATTEMPTS} attempts.
 */
public final class Retry {
  /** Attempts before giving up (pycalico's RETRIES). */
  public static final int MAX_ATTEMPTS = 100;

  private Retry() {}

  /** One attempt: the result, or null to try again. */
  @FunctionalInterface
  public interface Attempt<T> {
    /** Runs once; null means "conflict, try again". */
    @Nullable T run();
  }

  /**
   * Runs {@code attempt} until it returns a result, at most {@value #MAX_ATTEMPTS} times.
   *
   * @param what what is being done, for the message ("updating profile web")
   * @throws ConflictException "Hit max retries {@code what}" ({@link Reason#RETRIES_EXHAUSTED})
   */
  public static <T> T cas(String what, Attempt<T> attempt) {
    for (int i = 0; i < MAX_ATTEMPTS; i++) {
      T result = attempt.run();
      if (result != null) {
        return result;
      }
    }
    throw exhausted(what);
  }

  /** The error for retries that ran out: "Hit max retries {@code what}". */
  public static ConflictException exhausted(String what) {
    return new ConflictException(Reason.RETRIES_EXHAUSTED, "Hit max retries " + what);
  }
}
