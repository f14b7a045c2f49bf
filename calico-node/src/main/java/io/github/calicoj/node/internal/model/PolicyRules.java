package io.github.calicoj.node.internal.model;

import java.util.List;

/**
 * A profile's valid rules: inbound and outbound, in evaluation order. Immutable.
 *
 * @param inbound rules for packets to the profile's endpoints
 * @param outbound rules for packets from them
 */
public record PolicyRules(List<PolicyRule> inbound, List<PolicyRule> outbound) {

  /** Copies the lists. */
  public PolicyRules {
    inbound = List.copyOf(inbound);
    outbound = List.copyOf(outbound);
  }

  /** The rules of one direction. */
  public List<PolicyRule> of(Direction direction) {
    return direction == Direction.INBOUND ? inbound : outbound;
  }
}
