package io.github.calicoj.core;

import org.jspecify.annotations.Nullable;

/**
 * A resource that must not exist yet already does (a workload already has an endpoint, a profile
 * exists, an address is taken). {@link #reason()} says which.
 */
public class AlreadyExistsException extends CalicoException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @throws IllegalArgumentException if {@code reason} is not of this class's {@link Kind}
   */
  public AlreadyExistsException(Reason reason, String message, @Nullable Throwable cause) {
    super(reason, message, cause);
  }

  /** Creates the exception without a cause. */
  public AlreadyExistsException(Reason reason, String message) {
    super(reason, message, null);
  }
}
