package io.github.calicoj.node.internal.nft;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableSortedMap;

/**
 * A named verdict map from interface names to the chains packets jump to ({@code type ifname :
 * verdict}, elements {@code "IFACE" : jump CHAIN}), used with {@code iifname vmap @name}: when the
 * chain returns, the packet goes on with the rule after the lookup. Immutable.
 *
 * @param name the map's name
 * @param jumps interface name → the chain a packet of that interface jumps to
 */
public record NftVerdictMap(String name, ImmutableSortedMap<String, String> jumps) {

  /** Rejects nulls. */
  public NftVerdictMap {
    requireNonNull(name, "name");
    requireNonNull(jumps, "jumps");
  }
}
