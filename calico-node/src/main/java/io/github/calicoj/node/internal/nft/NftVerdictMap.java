package io.github.calicoj.node.internal.nft;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableSortedMap;

/**
 * A named verdict map from interface names to the chains packets go to ({@code type ifname :
 * verdict}), used with {@code iifname vmap @name}. Immutable.
 *
 * @param name the map's name
 * @param gotos interface name → the chain a packet of that interface goes to
 */
public record NftVerdictMap(String name, ImmutableSortedMap<String, String> gotos) {

  /** Rejects nulls. */
  public NftVerdictMap {
    requireNonNull(name, "name");
    requireNonNull(gotos, "gotos");
  }
}
