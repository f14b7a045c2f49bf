package io.github.calicoj.core;

import org.jspecify.annotations.Nullable;

/**
 * A workload could not be resolved or used: an unknown container, one that is not running, runs in
 * host network mode or in the host's namespace, an unreachable Docker daemon, no permission, an
 * interface name taken inside the workload. {@link #reason()} says which.
 */
public class WorkloadException extends CalicoException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @throws IllegalArgumentException if {@code reason} is not of {@link Kind#WORKLOAD}
   */
  public WorkloadException(Reason reason, String message, @Nullable Throwable cause) {
    super(reason, message, cause);
  }

  /** Creates the exception without a cause. */
  public WorkloadException(Reason reason, String message) {
    super(reason, message, null);
  }
}
