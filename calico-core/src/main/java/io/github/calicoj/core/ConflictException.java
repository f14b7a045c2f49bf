package io.github.calicoj.core;

import org.jspecify.annotations.Nullable;

/**
 * A change conflicts with the datastore's state: concurrent writers exhausted the compare-and-set
 * retries, criteria matched more than one endpoint, pools overlap, a profile is in use, or a
 * namespace path names another namespace than its workload's. {@link #reason()} says which.
 */
public class ConflictException extends CalicoException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @throws IllegalArgumentException if {@code reason} is not of this class's {@link Kind}
   */
  public ConflictException(Reason reason, String message, @Nullable Throwable cause) {
    super(reason, message, cause);
  }

  /** Creates the exception without a cause. */
  public ConflictException(Reason reason, String message) {
    super(reason, message, null);
  }
}
