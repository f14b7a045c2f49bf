package io.github.calicoj.core;

/** More than one endpoint matched criteria that had to pick one. */
public class MultipleEndpointsMatchException extends CalicoException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with the full message. */
  public MultipleEndpointsMatchException(String message) {
    super(message);
  }
}
