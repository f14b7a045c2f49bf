package io.github.calicoj.core;

/**
 * Concurrent writers kept changing a resource; the bounded compare-and-set retries ran out. Retry
 * later.
 */
public class ConflictException extends CalicoException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with the full message. */
  public ConflictException(String message) {
    super(message);
  }
}
