package io.github.calicoj.core.ipam;

import io.github.calicoj.core.CalicoException;

/** An address or CIDR is not in any (IPAM-enabled) pool. */
public class PoolNotFoundException extends CalicoException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with the full message. */
  public PoolNotFoundException(String message) {
    super(message);
  }
}
