package io.github.calicoj.core.ipam;

import static java.util.Objects.requireNonNull;

import io.github.calicoj.datastore.Revision;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A change to one block, planned on a copy read at {@code baseRevision} and not yet written: the
 * block before and after, the addresses it assigns, the addresses a release found already free, and
 * how each handle's count changes. Pure data; {@link IpamChange} writes it. Immutable.
 *
 * @param base the block as read; for a block that does not exist yet, the new empty block affine to
 *     the host the change assigns for
 * @param baseRevision the revision it was read at, the write being guarded on it; null for a block
 *     that does not exist yet: the write creates it and its host's affinity marker, guarded on its
 *     absence
 * @param updated the block to write
 * @param assigned the addresses this change assigns (empty for a release)
 * @param alreadyFree for a release, the addresses that were free already
 * @param handleDeltas per handle, how its count in this block changes (+ assign, - release)
 */
public record BlockChange(
    AllocationBlock base,
    @Nullable Revision baseRevision,
    AllocationBlock updated,
    List<InetAddress> assigned,
    Set<InetAddress> alreadyFree,
    Map<String, Integer> handleDeltas) {

  /** Copies the collections. */
  public BlockChange {
    requireNonNull(base, "base");
    requireNonNull(updated, "updated");
    assigned = List.copyOf(assigned);
    alreadyFree = Set.copyOf(alreadyFree);
    handleDeltas = Map.copyOf(handleDeltas);
  }

  /** True if the change creates its block (and the block's affinity marker). */
  public boolean createsBlock() {
    return baseRevision == null;
  }

  /** True if writing it would change nothing. */
  public boolean isEmpty() {
    return updated.equals(base);
  }

  /** How many addresses it frees (negative for an assignment). */
  public int freed() {
    return updated.freeCount() - base.freeCount();
  }
}
