package io.github.calicoj.core;

/** A profile cannot be removed while endpoints use it (unless forced). */
public class ProfileInUseException extends CalicoException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with the full message. */
  public ProfileInUseException(String message) {
    super(message);
  }
}
