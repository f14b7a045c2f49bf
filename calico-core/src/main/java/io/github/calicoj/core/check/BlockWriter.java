package io.github.calicoj.core.check;

import io.github.calicoj.core.TxnPart;
import io.github.calicoj.core.client.Owners;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.ipam.AllocationBlock;
import io.github.calicoj.core.ipam.BlockJson;
import io.github.calicoj.core.ipam.Ipam;
import io.github.calicoj.core.ipam.IpamChange;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Revision;
import io.github.calicoj.datastore.TxnResult;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A repair's guarded writes of blocks. It knows each block as last seen (read by the repair's own
 * check, or written by the repair since) and whether every change to it since that check was the
 * repair's own: an allocation without a {@code created} attribute can be told apart from a new one
 * only that way. Not thread-safe; one per repair run.
 */
final class BlockWriter {
  private static final int ATTEMPTS = 10;

  /** A planned edit of one block: the new block, or null if the block no longer fits the plan. */
  interface Edit {
    @Nullable AllocationBlock apply(AllocationBlock block, boolean onlyOurChanges);
  }

  /** A write's outcome: whether it committed, why not, and the addresses it freed. */
  record Written(boolean ok, String why, List<InetAddress> freed) {}

  private final Datastore datastore;
  private final Ipam ipam;
  private final Map<Cidr, KeyValue> latest = new HashMap<>();
  private final Map<Cidr, Revision> known = new HashMap<>();
  private final Set<Cidr> touched = new LinkedHashSet<>();

  BlockWriter(Datastore datastore, Ipam ipam, ClusterState state) {
    this.datastore = datastore;
    this.ipam = ipam;
    for (ClusterState.StoredBlock sb : state.blocks().values()) {
      latest.put(sb.block().cidr(), sb.entry());
      known.put(sb.block().cidr(), sb.entry().revision());
    }
  }

  /** The block as last seen, or null if it is gone (or was never seen). */
  @Nullable KeyValue latest(Cidr cidr) {
    return latest.get(cidr);
  }

  /** Forgets a block this repair deleted. */
  void forget(Cidr cidr) {
    latest.remove(cidr);
  }

  /** The blocks written since the last call. */
  Set<Cidr> touched() {
    Set<Cidr> out = Set.copyOf(touched);
    touched.clear();
    return out;
  }

  /** Frees each address while its attribute is the one given (see the class comment). */
  static Edit release(Map<InetAddress, AllocationBlock.Attribute> expected) {
    return (b, ours) -> {
      Set<InetAddress> free = new LinkedHashSet<>();
      for (Map.Entry<InetAddress, AllocationBlock.Attribute> e : expected.entrySet()) {
        Optional<AllocationBlock.Attribute> now = b.attributesOf(e.getKey());
        if (now.isEmpty() || !now.get().equals(e.getValue())) {
          return null; // freed, or freed and assigned again, since the check
        }
        if (Owners.created(e.getValue()).isEmpty() && !ours) {
          return null; // an allocation without a time: only in a block nobody else changed
        }
        free.add(e.getKey());
      }
      return b.release(free).block();
    };
  }

  /**
   * Commits {@code parts} with {@code edits} applied to their blocks, in one transaction. The first
   * attempt edits the blocks as last known (read by the check, or written by this repair); after a
   * failed block or handle guard the blocks are read again, a few times.
   */
  Written commit(List<TxnPart> parts, boolean partsWrite, Map<Cidr, Edit> edits) {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      Map<KeyValue, AllocationBlock> rewrites = new LinkedHashMap<>();
      for (Map.Entry<Cidr, Edit> e : edits.entrySet()) {
        Cidr cidr = e.getKey();
        KeyValue kv =
            attempt == 0 ? latest.get(cidr) : datastore.get(CalicoKeys.block(cidr)).orElse(null);
        if (kv == null) {
          return new Written(false, "block " + cidr + " is gone", List.of());
        }
        AllocationBlock b = BlockJson.read(kv.value());
        AllocationBlock updated = e.getValue().apply(b, kv.revision().equals(known.get(cidr)));
        if (updated == null) {
          return new Written(false, "block " + cidr + " changed since the check", List.of());
        }
        if (!updated.equals(b)) {
          rewrites.put(kv, updated);
        }
      }
      if (rewrites.isEmpty() && !partsWrite) {
        return new Written(true, "", List.of());
      }
      // one part per block, and one per handle however many of its blocks change
      List<TxnPart> changes = rewrites.isEmpty() ? List.of() : ipam.prepareRewrites(rewrites);
      List<TxnPart> all = new ArrayList<>(parts);
      all.addAll(changes);
      TxnResult r = TxnPart.commit(datastore, all);
      if (r.succeeded()) {
        List<InetAddress> freed = new ArrayList<>();
        for (TxnPart part : changes) {
          if (part instanceof IpamChange c) {
            wrote(c, r.revision());
            for (InetAddress a : c.change().base().allocatedAddresses()) {
              if (!c.change().updated().isAllocated(a)) {
                freed.add(a);
              }
            }
          }
        }
        return new Written(true, "", freed);
      }
      if (failedOutsideIpam(r)) {
        return new Written(false, "what it is about changed while repairing", List.of());
      }
    }
    return new Written(false, "its blocks kept changing", List.of());
  }

  /** Remembers a block this repair wrote, and whether all its changes since the check are ours. */
  void wrote(IpamChange c, Revision revision) {
    Cidr cidr = c.block();
    if (Objects.equals(c.change().baseRevision(), known.get(cidr))) {
      known.put(cidr, revision);
    }
    latest.put(
        cidr,
        new KeyValue(CalicoKeys.block(cidr), BlockJson.write(c.change().updated()), revision));
    touched.add(cidr);
  }

  static boolean failedOutsideIpam(TxnResult r) {
    return r.failedGuards().stream().anyMatch(g -> !g.key().startsWith(CalicoKeys.IPAM));
  }
}
