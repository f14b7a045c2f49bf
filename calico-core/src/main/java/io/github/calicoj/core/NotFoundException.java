package io.github.calicoj.core;

/** A resource (endpoint, workload, profile, pool, host configuration) does not exist. */
public class NotFoundException extends CalicoException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with the full message. */
  public NotFoundException(String message) {
    super(message);
  }
}
