package io.github.calicoj.core;

/** A pool change conflicts with existing pools (overlap, range conflict). */
public class PoolConflictException extends CalicoException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with the full message. */
  public PoolConflictException(String message) {
    super(message);
  }
}
