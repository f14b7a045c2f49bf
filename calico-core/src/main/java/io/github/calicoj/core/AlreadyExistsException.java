package io.github.calicoj.core;

/**
 * A resource that must not exist yet already does (a workload already has an endpoint, a profile
 * exists).
 */
public class AlreadyExistsException extends CalicoException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with the full message. */
  public AlreadyExistsException(String message) {
    super(message);
  }
}
