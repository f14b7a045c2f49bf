package io.github.calicoj.node.internal.render;

import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.node.internal.model.Problem;
import io.github.calicoj.node.internal.model.Snapshot;
import io.github.calicoj.node.internal.nft.NftTable;
import io.github.calicoj.node.internal.route.Route;
import io.github.calicoj.node.internal.route.RouteRenderer;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders snapshot after snapshot. The chains of an endpoint or profile that is the same instance
 * as in the previous snapshot (which {@link io.github.calicoj.node.internal.decode.SnapshotDecoder}
 * ensures for whatever did not change) are reused rather than rendered again, so the work of a
 * change, and the comparison in {@link DesiredState#changesSince}, follows what changed. The result
 * always equals {@link DesiredState#of}. Not thread-safe: the agent's single apply thread owns one.
 */
public final class Renderer {
  private final TableRenderer table = new TableRenderer();

  /** The desired state of {@code snapshot}. */
  public DesiredState render(Snapshot snapshot) {
    List<Problem> problems = new ArrayList<>(snapshot.problems());
    NftTable t = table.render(snapshot, problems);
    ImmutableSortedMap<Cidr, Route> routes = RouteRenderer.render(snapshot, problems);
    return new DesiredState(t, routes, ImmutableSortedSet.copyOf(problems));
  }
}
