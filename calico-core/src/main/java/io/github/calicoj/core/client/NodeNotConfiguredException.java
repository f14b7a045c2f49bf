package io.github.calicoj.core.client;

import io.github.calicoj.core.CalicoException;

/** This host has no next hop for the IP version (era A: no BGP address configured). */
public class NodeNotConfiguredException extends CalicoException {
  private static final long serialVersionUID = 1L;

  private final int version;

  /** Creates the exception with the reference's message. */
  public NodeNotConfiguredException(int version) {
    super("This node is not configured for IPv" + version + ".  Is calico-node running?");
    this.version = version;
  }

  /** The IP version without a next hop. */
  public int version() {
    return version;
  }
}
