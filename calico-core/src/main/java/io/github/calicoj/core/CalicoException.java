package io.github.calicoj.core;

import org.jspecify.annotations.Nullable;

/**
 * Root of calico-core's operational failures. Subclasses name the state a caller acts on. Failures
 * of the datastore itself (unreachable, timed out, no permission) arrive as the datastore module's
 * {@link io.github.calicoj.datastore.DatastoreException}s.
 */
public class CalicoException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with the full message. */
  public CalicoException(String message) {
    super(message);
  }

  /** Creates the exception with the full message and its cause. */
  public CalicoException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
