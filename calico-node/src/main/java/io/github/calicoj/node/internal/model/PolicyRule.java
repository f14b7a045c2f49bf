package io.github.calicoj.node.internal.model;

import static java.util.Objects.requireNonNull;

import io.github.calicoj.core.model.Rule;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One profile rule that passed Felix's validation, classified by how the agent renders it (a match,
 * a drop where it stands, or nothing). Each applies only in its {@link #families()}: a rule limited
 * by {@code ip_version}, by a network of one family or by {@code icmp}/{@code icmpv6} is left out
 * of the other family (Felix 2.1's choice); with no family left it matches nothing.
 */
public sealed interface PolicyRule {

  /** The families whose packets this rule can match; empty for none. */
  Set<IpFamily> families();

  /**
   * A rule rendered as written.
   *
   * @param rule the match criteria and action, as calico-core's model holds them
   * @param logPrefix the sanitized {@code log_prefix} (Felix 1.4), or null
   * @param families the families it applies in, never empty
   */
  record Match(Rule rule, @Nullable String logPrefix, Set<IpFamily> families)
      implements PolicyRule {
    /** Copies the families. */
    public Match {
      requireNonNull(rule, "rule");
      families = Set.copyOf(families);
      if (families.isEmpty()) {
        throw new IllegalArgumentException("A Match rule needs a family: " + rule.pprint());
      }
    }
  }

  /**
   * A valid rule that cannot be rendered faithfully (ICMP type 255, ports with a protocol other
   * than tcp or udp, selectors): an unconditional drop at its position, in its families.
   *
   * @param families the families it applies in, never empty
   * @param reason why it is a drop, for the log and the rule's comment
   */
  record Drop(Set<IpFamily> families, String reason) implements PolicyRule {
    /** Copies the families. */
    public Drop {
      families = Set.copyOf(families);
      requireNonNull(reason, "reason");
      if (families.isEmpty()) {
        throw new IllegalArgumentException("A Drop rule needs a family: " + reason);
      }
    }
  }

  /**
   * A valid rule that no packet can match (networks of both families, or {@code icmp} with an IPv6
   * network): rendered as nothing.
   *
   * @param reason why it matches nothing
   */
  record Inert(String reason) implements PolicyRule {
    /** Rejects null. */
    public Inert {
      requireNonNull(reason, "reason");
    }

    @Override
    public Set<IpFamily> families() {
      return Set.of();
    }
  }
}
