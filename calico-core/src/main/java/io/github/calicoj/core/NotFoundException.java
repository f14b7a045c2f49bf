package io.github.calicoj.core;

import org.jspecify.annotations.Nullable;

/**
 * A resource (endpoint, workload, profile, pool, host configuration, interface) does not exist.
 * {@link #reason()} says which.
 */
public class NotFoundException extends CalicoException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @throws IllegalArgumentException if {@code reason} is not of this class's {@link Kind}
   */
  public NotFoundException(Reason reason, String message, @Nullable Throwable cause) {
    super(reason, message, cause);
  }

  /** Creates the exception without a cause. */
  public NotFoundException(Reason reason, String message) {
    super(reason, message, null);
  }
}
