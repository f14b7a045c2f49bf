package io.github.calicoj.core.ipam;

import io.github.calicoj.core.CalicoException;

/** A specific address is already assigned. */
public class AlreadyAssignedException extends CalicoException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with the full message. */
  public AlreadyAssignedException(String message) {
    super(message);
  }
}
