package io.github.calicoj.core.ipam;

import io.github.calicoj.core.TxnPart;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.datastore.Guard;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Revision;
import io.github.calicoj.datastore.Transaction;
import io.github.calicoj.datastore.TxnOp;
import io.github.calicoj.datastore.TxnResult;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link BlockChange} as a {@link TxnPart}: the block written guarded on the revision it was
 * planned on (a new block, with its host's affinity marker, guarded on its absence), and each
 * handle it touches guarded on its own revision (or absence) and rewritten with its new counts
 * (deleted when empty). Either {@link #commit} it alone through {@link Ipam}, or add it to a larger
 * transaction, so that addresses are assigned or freed atomically with the caller's other writes
 * (an endpoint, say). After the transaction, {@link #committed()} says whether it happened; either
 * way the block cache is kept current.
 *
 * <p>Built by {@link Ipam}, with the handles' entries as read or (for an assignment) as the block
 * cache has them: constructing one does no I/O. After a failed transaction the handles' current
 * entries go to the block cache for the next plan. Not thread-safe; use it once, from one thread.
 */
public final class IpamChange implements TxnPart {
  private static final Logger LOG = LoggerFactory.getLogger(IpamChange.class);

  private final BlockChange change;
  private final BlockCache cache;
  private final Key key;
  private final List<Guard> guards = new ArrayList<>();
  private final List<TxnOp> handleOps = new ArrayList<>();
  private final Map<String, Key> handleKeys = new LinkedHashMap<>();
  private boolean committed;

  /**
   * @param handles the current entry of each handle whose count this change writes (an empty
   *     Optional if the handle is absent); a handle of {@code change}'s deltas that is not in the
   *     map is left to a {@link HandleChange} in the same transaction
   */
  IpamChange(BlockChange change, Map<String, Optional<KeyValue>> handles, BlockCache cache) {
    this.change = change;
    this.cache = cache;
    this.key = CalicoKeys.block(change.updated().cidr());
    Revision baseRevision = change.baseRevision();
    guards.add(baseRevision == null ? Guard.absent(key) : Guard.atRevision(key, baseRevision));
    Cidr cidr = change.updated().cidr();
    for (Map.Entry<String, Integer> h : change.handleDeltas().entrySet()) {
      if (!handles.containsKey(h.getKey())) {
        continue; // written by a HandleChange that sums several blocks' deltas
      }
      Key hk = CalicoKeys.handle(h.getKey());
      handleKeys.put(h.getKey(), hk);
      Optional<KeyValue> current = handles.get(h.getKey());
      Map<Cidr, Integer> counts =
          new LinkedHashMap<>(current.map(kv -> BlockJson.readHandle(kv.value())).orElse(Map.of()));
      int n = counts.getOrDefault(cidr, 0) + h.getValue();
      if (n < 0) {
        LOG.warn("Handle {} would drop below zero in block {}; clamping", h.getKey(), cidr);
        n = 0;
      }
      if (n == 0) {
        counts.remove(cidr);
      } else {
        counts.put(cidr, n);
      }
      guards.add(current.map(kv -> Guard.atRevision(hk, kv.revision())).orElse(Guard.absent(hk)));
      if (counts.isEmpty()) {
        if (current.isPresent()) {
          handleOps.add(TxnOp.delete(hk));
        }
      } else {
        handleOps.add(TxnOp.put(hk, BlockJson.handle(h.getKey(), counts)));
      }
    }
  }

  /** The addresses this change assigns (empty for a release). */
  public List<InetAddress> addresses() {
    return change.assigned();
  }

  /** The pure change. */
  public BlockChange change() {
    return change;
  }

  /** The CIDR of the block it changes. */
  public Cidr block() {
    return change.updated().cidr();
  }

  /**
   * {@inheritDoc}
   *
   * <p>The block's JSON is written here, not when the change is planned, so a caller may do it on
   * the thread that commits.
   */
  @Override
  public void addTo(Transaction.Builder txn) {
    guards.forEach(txn::guard);
    txn.put(key, BlockJson.write(change.updated()));
    if (change.createsBlock()) {
      txn.put(CalicoKeys.affinity(affinityHost(), block()), "");
    }
    handleOps.forEach(txn::op);
  }

  @Override
  public void settle(TxnResult r) {
    if (r.succeeded()) {
      committed = true;
      if (change.createsBlock()) {
        cache.created(change.updated(), r.revision(), affinityHost());
      } else {
        cache.written(change.updated(), r.revision());
      }
      return;
    }
    handleKeys.forEach((h, hk) -> cache.handleFound(h, r.current(hk).orElse(null)));
    Optional<KeyValue> fresh = r.current(key);
    if (fresh.isEmpty()) {
      cache.forget(block());
    } else if (!fresh.get().revision().equals(change.baseRevision())) {
      // Another writer's: if it created the block for a host, the host's affine list learns it.
      BlockCache.Cached now = cache.remember(fresh.get());
      now.block().affinityHost().ifPresent(h -> cache.addAffine(h, block()));
    }
  }

  /** The host a block this change creates is affine to. */
  private String affinityHost() {
    return change
        .updated()
        .affinityHost()
        .orElseThrow(() -> new IllegalStateException("A new block without a host: " + block()));
  }

  /** True once a transaction holding this change succeeded. */
  public boolean committed() {
    return committed;
  }
}
