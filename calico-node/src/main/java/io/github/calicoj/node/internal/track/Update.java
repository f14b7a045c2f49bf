package io.github.calicoj.node.internal.track;

import static java.util.Objects.requireNonNull;

import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.node.internal.nft.NftBatch;
import io.github.calicoj.node.internal.route.Route;
import java.util.Map;
import java.util.Set;

/**
 * What one batch of datastore changes does to the desired dataplane. Immutable once made.
 *
 * @param nft the nftables commands that turn the previous table into the new one (empty if the
 *     table did not change)
 * @param routesToSet routes that are new or changed, by destination
 * @param routesToRemove destinations that no longer have a route
 * @param endpointsTouched the datastore keys of local endpoints whose status may have changed
 *     (added, changed, deleted, or using a profile that changed)
 */
public record Update(
    NftBatch nft,
    Map<Cidr, Route> routesToSet,
    Set<Cidr> routesToRemove,
    Set<String> endpointsTouched) {

  /** Copies the collections. */
  public Update {
    requireNonNull(nft, "nft");
    routesToSet = Map.copyOf(routesToSet);
    routesToRemove = Set.copyOf(routesToRemove);
    endpointsTouched = Set.copyOf(endpointsTouched);
  }

  /** True if nothing in the dataplane changes and no endpoint status may have. */
  public boolean isEmpty() {
    return nft.isEmpty()
        && routesToSet.isEmpty()
        && routesToRemove.isEmpty()
        && endpointsTouched.isEmpty();
  }
}
