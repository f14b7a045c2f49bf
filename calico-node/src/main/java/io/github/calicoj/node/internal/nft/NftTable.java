package io.github.calicoj.node.internal.nft;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableSortedMap;

/**
 * One nftables table and everything in it: the whole desired state the agent owns. Two tables are
 * compared object by object ({@link NftDiff}). Immutable.
 *
 * @param family the table's family ({@code inet})
 * @param name the table's name
 * @param sets address sets by name
 * @param maps verdict maps by name
 * @param chains chains by name
 * @param keySets sets keyed by interface name, by name
 */
public record NftTable(
    String family,
    String name,
    ImmutableSortedMap<String, NftSet> sets,
    ImmutableSortedMap<String, NftVerdictMap> maps,
    ImmutableSortedMap<String, NftChain> chains,
    ImmutableSortedMap<String, NftKeySet> keySets) {

  /** Checks that keys match names and that sets, key sets and maps do not share a name. */
  public NftTable {
    requireNonNull(family, "family");
    requireNonNull(name, "name");
    sets.forEach((k, v) -> checkArgument(k.equals(v.name()), "Set %s stored as %s", v.name(), k));
    maps.forEach((k, v) -> checkArgument(k.equals(v.name()), "Map %s stored as %s", v.name(), k));
    chains.forEach(
        (k, v) -> checkArgument(k.equals(v.name()), "Chain %s stored as %s", v.name(), k));
    keySets.forEach(
        (k, v) -> checkArgument(k.equals(v.name()), "Set %s stored as %s", v.name(), k));
    for (String m : maps.keySet()) {
      checkArgument(!sets.containsKey(m), "%s is both a set and a map", m);
      checkArgument(!keySets.containsKey(m), "%s is both a set and a map", m);
    }
    for (String k : keySets.keySet()) {
      checkArgument(!sets.containsKey(k), "%s is both an address set and a key set", k);
    }
  }
}
