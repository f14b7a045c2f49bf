package io.github.calicoj.node.internal.nft;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A chain: its name, its hook if it is a base chain, and its rules in order. Immutable.
 *
 * @param name the chain's name
 * @param base the hook, or null for a regular chain
 * @param rules the rules, in evaluation order
 */
public record NftChain(String name, @Nullable BaseChain base, List<NftRule> rules) {

  /** Copies the rules. */
  public NftChain {
    requireNonNull(name, "name");
    rules = List.copyOf(rules);
  }

  /** A regular chain. */
  public static NftChain regular(String name, List<NftRule> rules) {
    return new NftChain(name, null, rules);
  }
}
