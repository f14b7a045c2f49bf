package io.github.calicoj.core.ipam;

import io.github.calicoj.core.CalicoException;

/** No address could be assigned: the pools (or the requested pool) are full. */
public class IpPoolExhaustedException extends CalicoException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with the full message. */
  public IpPoolExhaustedException(String message) {
    super(message);
  }
}
