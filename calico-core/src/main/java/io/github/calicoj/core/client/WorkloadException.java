package io.github.calicoj.core.client;

import io.github.calicoj.core.CalicoException;
import org.jspecify.annotations.Nullable;

/**
 * A workload could not be resolved or used: an unknown container, one that is not running or runs
 * in host network mode, an unreachable Docker daemon, no permission, an interface name taken inside
 * the workload. {@link #reason()} says which.
 */
public class WorkloadException extends CalicoException {
  private static final long serialVersionUID = 1L;

  /** Why. */
  public enum Reason {
    /** No such container or namespace. */
    NOT_FOUND,
    /** The container is not running. */
    NOT_RUNNING,
    /** The container uses the host's network. */
    HOST_NETWORK,
    /** The Docker daemon cannot be reached. */
    DAEMON_UNREACHABLE,
    /** No permission to talk to the Docker daemon. */
    PERMISSION_DENIED,
    /** The daemon answered with an error. */
    DAEMON_ERROR,
    /** The requested interface already exists in the workload, and no Calico endpoint has it. */
    INTERFACE_EXISTS
  }

  private final Reason reason;

  /** Creates the exception. */
  public WorkloadException(Reason reason, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /** Why the workload was refused. */
  public Reason reason() {
    return reason;
  }
}
