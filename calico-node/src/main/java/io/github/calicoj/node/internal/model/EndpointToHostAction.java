package io.github.calicoj.node.internal.model;

/**
 * Felix's {@code DefaultEndpointToHostAction}: what happens to a workload's packets addressed to
 * the host itself, after conntrack, DHCP and DNS (Felix 1.3's INPUT order).
 */
public enum EndpointToHostAction {
  /** Drop them (Felix's default). */
  DROP,
  /**
   * Apply the endpoint's outbound policy; if it passes, leave the agent's chain and let the host's
   * own input rules decide (calicoctl writes this per host).
   */
  RETURN,
  /**
   * Apply the endpoint's outbound policy; if it passes, accept. In nftables an accept in one table
   * does not override another table's drop, so this behaves as {@link #RETURN} does.
   */
  ACCEPT
}
