package io.github.calicoj.node.internal.render;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.node.internal.model.Problem;
import io.github.calicoj.node.internal.model.Snapshot;
import io.github.calicoj.node.internal.nft.NftBatch;
import io.github.calicoj.node.internal.nft.NftDiff;
import io.github.calicoj.node.internal.nft.NftTable;
import io.github.calicoj.node.internal.route.Route;

/**
 * The dataplane a snapshot asks for: the agent's nftables table, the host-gw routes, and every
 * problem found in the data or while rendering it. Immutable and thread-safe.
 *
 * @param table the {@code inet calico} table
 * @param routes the wanted routes by destination
 * @param problems the snapshot's problems and the renderer's
 */
public record DesiredState(
    NftTable table, ImmutableSortedMap<Cidr, Route> routes, ImmutableSortedSet<Problem> problems) {

  /** Rejects nulls. */
  public DesiredState {
    requireNonNull(table, "table");
    requireNonNull(routes, "routes");
    requireNonNull(problems, "problems");
  }

  /**
   * The pure function: snapshot → desired dataplane. Equal snapshots give equal states. A runtime
   * that renders snapshot after snapshot uses a {@link Renderer}, which gives the same result.
   */
  public static DesiredState of(Snapshot snapshot) {
    return new Renderer().render(snapshot);
  }

  /** The whole table as one atomic replacement batch (a resync). */
  public NftBatch replacement() {
    return NftBatch.replacing(table);
  }

  /** The batch that turns {@code previous}'s table into this one. */
  public NftBatch changesSince(DesiredState previous) {
    return NftDiff.between(previous.table, table);
  }
}
