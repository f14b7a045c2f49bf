package io.github.calicoj.core;

/**
 * This host has no next hop for the IP version (era A: no BGP address configured). Reason {@link
 * Reason#NODE_NOT_CONFIGURED}.
 */
public class NodeNotConfiguredException extends CalicoException {
  private static final long serialVersionUID = 1L;

  private final int version;

  /** Creates the exception with the reference's message. */
  public NodeNotConfiguredException(int version) {
    super(
        Reason.NODE_NOT_CONFIGURED,
        "This node is not configured for IPv" + version + ".  Is calico-node running?");
    this.version = version;
  }

  /** The IP version without a next hop. */
  public int version() {
    return version;
  }
}
