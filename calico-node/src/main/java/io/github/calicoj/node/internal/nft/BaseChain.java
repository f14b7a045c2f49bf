package io.github.calicoj.node.internal.nft;

import static java.util.Objects.requireNonNull;

/**
 * The hook of a base chain. Immutable.
 *
 * @param type {@code filter} or {@code nat}
 * @param hook {@code prerouting}, {@code input}, {@code forward}, {@code output} or {@code
 *     postrouting}
 * @param priority the numeric priority ({@code raw} is -300, {@code filter} 0, {@code srcnat} 100)
 * @param policy {@code accept} or {@code drop}
 */
public record BaseChain(String type, String hook, int priority, String policy) {

  /** Rejects nulls. */
  public BaseChain {
    requireNonNull(type, "type");
    requireNonNull(hook, "hook");
    requireNonNull(policy, "policy");
  }
}
