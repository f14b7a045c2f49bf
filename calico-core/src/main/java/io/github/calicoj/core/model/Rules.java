package io.github.calicoj.core.model;

import java.util.List;

/**
 * A profile's rules: inbound and outbound lists, evaluated in order. Immutable.
 *
 * @param inbound rules for traffic to the endpoints
 * @param outbound rules for traffic from the endpoints
 */
public record Rules(List<Rule> inbound, List<Rule> outbound) {

  /** Copies the lists. */
  public Rules {
    inbound = List.copyOf(inbound);
    outbound = List.copyOf(outbound);
  }

  /** The defaults of {@code profile add NAME}: inbound allow from tag NAME, outbound allow all. */
  public static Rules defaultsFor(String profileName) {
    return new Rules(List.of(Rule.allowFromTag(profileName)), List.of(Rule.allow()));
  }
}
