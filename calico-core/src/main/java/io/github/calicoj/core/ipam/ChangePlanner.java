package io.github.calicoj.core.ipam;

import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpamConfig;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Revision;
import io.github.calicoj.datastore.Transaction;
import io.github.calicoj.datastore.TxnResult;
import java.net.InetAddress;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Plans IPAM changes on the cached blocks: which block an auto-assign takes its addresses from (in
 * the reference's search order), what a release frees, and the {@link IpamChange} that writes it,
 * with the handles it touches read first. Negative answers from the cache (no room, nothing to
 * free) are confirmed by a fresh read before they count. Thread-safe.
 */
final class ChangePlanner {
  /** Keys read by one read-only transaction (etcd allows 128 operations in one by default). */
  private static final int READS_PER_TXN = 100;

  private final Datastore datastore;
  private final BlockCache cache;
  private final BlockClaims claims;

  ChangePlanner(Datastore datastore, BlockCache cache, BlockClaims claims) {
    this.datastore = datastore;
    this.cache = cache;
    this.claims = claims;
  }

  /**
   * Plans up to {@code want} addresses from the first block, in the reference's search order, that
   * has room: the host's affine blocks (from the cache, then freshly listed), then a new block (if
   * the config allows; the change creates it, affine to {@code host}), then other hosts' blocks
   * (unless strict affinity). Null if none has room.
   */
  @Nullable IpamChange planNext(
      int version,
      int want,
      String host,
      @Nullable Cidr pool,
      IpOwner owner,
      Set<InetAddress> skip) {
    for (boolean refreshed : new boolean[] {false, true}) {
      List<Cidr> affine =
          refreshed ? cache.refreshAffine(host, version) : cache.affineBlocks(host, version);
      for (Cidr cidr : affine) {
        if (pool == null || pool.contains(cidr)) {
          IpamChange c = planInBlock(cidr, want, host, true, owner, skip, refreshed);
          if (c != null) {
            return c;
          }
        }
      }
    }
    IpamConfig config = cache.config();
    if (config.autoAllocateBlocks()) {
      Optional<Cidr> fresh = claims.findNew(host, version, pool);
      if (fresh.isPresent()) {
        AllocationBlock empty = newBlock(fresh.get(), host);
        AllocationBlock.AutoAssigned r =
            empty.autoAssign(want, owner.handleId(), owner.attributes(), host, true, skip);
        if (!r.addresses().isEmpty()) {
          return change(
              empty, null, r.block(), r.addresses(), Set.of(), deltas(owner, r.addresses().size()));
        }
      }
    }
    if (!config.strictAffinity()) {
      for (Cidr cidr : cache.othersBlocks(host, version, pool)) {
        IpamChange c = planInBlock(cidr, want, host, false, owner, skip, false);
        if (c != null) {
          return c;
        }
      }
    }
    return null;
  }

  /**
   * Up to {@code want} addresses from one block, planned on the cached block; null if the block
   * (freshly read) has none for us. "Full" from a block derived from our own write, or (when asked
   * to confirm) from any read not made in this call, is confirmed by a fresh read; a block once
   * read full is otherwise trusted, which keeps passing full blocks free of reads.
   */
  @Nullable IpamChange planInBlock(
      Cidr cidr,
      int want,
      String host,
      boolean affinityCheck,
      IpOwner owner,
      Set<InetAddress> skip,
      boolean confirmFull) {
    BlockCache.Cached cb = cache.cachedOrRead(cidr);
    for (int attempt = 0; attempt < 2 && cb != null; attempt++) {
      AllocationBlock.AutoAssigned r =
          cb.block()
              .autoAssign(want, owner.handleId(), owner.attributes(), host, affinityCheck, skip);
      if (!r.addresses().isEmpty()) {
        return change(cb, r.block(), r.addresses(), Set.of(), deltas(owner, r.addresses().size()));
      }
      if (attempt > 0 || (confirmFull ? false : cb.fresh())) {
        return null;
      }
      cb = cache.read(cidr);
    }
    if (cb == null) {
      cache.forgetEverywhere(cidr);
    }
    return null;
  }

  /**
   * One block's release, planned on the cached block; empty if nothing is to be freed (confirmed by
   * a fresh read). Each address is freed only if its given handle, or no handle, holds it.
   */
  /** A new empty block affine to {@code host}, as the configured affinity mode makes it. */
  AllocationBlock newBlock(Cidr cidr, String host) {
    return AllocationBlock.empty(cidr, host, cache.config().strictAffinity());
  }

  Optional<IpamChange> planRelease(Cidr cidr, Map<InetAddress, @Nullable String> owners) {
    return planRelease(cidr, owners, true);
  }

  /**
   * {@link #planRelease(Cidr, Map)}; without {@code writeHandles} the change leaves its handles to
   * a {@link HandleChange} (its deltas are in {@link BlockChange#handleDeltas()}).
   */
  Optional<IpamChange> planRelease(
      Cidr cidr, Map<InetAddress, @Nullable String> owners, boolean writeHandles) {
    BlockCache.Cached cb = cache.cached(cidr);
    boolean readNow = cb == null;
    if (cb == null) {
      cb = cache.read(cidr);
    }
    while (cb != null) {
      AllocationBlock.Released r = cb.block().releaseOwned(owners);
      boolean nothingToDo = r.block().equals(cb.block());
      if (!readNow && (nothingToDo || !r.alreadyFree().isEmpty())) {
        cb = cache.read(cidr); // a negative answer from the cache: confirm with a fresh read
        readNow = true;
        continue;
      }
      if (nothingToDo) {
        return Optional.empty();
      }
      Map<String, Integer> decrements = new HashMap<>();
      r.handleCounts().forEach((h, n) -> decrements.put(h, -n));
      return Optional.of(
          writeHandles
              ? change(cb, r.block(), List.of(), r.alreadyFree(), decrements)
              : new IpamChange(
                  new BlockChange(
                      cb.block(), cb.revision(), r.block(), List.of(), r.alreadyFree(), decrements),
                  Map.of(),
                  cache));
    }
    return Optional.empty(); // no block: nothing of it is allocated
  }

  /** A change planned on {@code base}, with the current entries of the handles it touches. */
  IpamChange change(
      BlockCache.Cached base,
      AllocationBlock updated,
      List<InetAddress> assigned,
      Set<InetAddress> alreadyFree,
      Map<String, Integer> handleDeltas) {
    return change(base.block(), base.revision(), updated, assigned, alreadyFree, handleDeltas);
  }

  /**
   * A change planned on {@code base} read at {@code revision} (null: a new block the change
   * creates), with the entries of the handles it touches. A release reads them. An assignment takes
   * them as the block cache has them: absent (the handle of a new owner, the common case) unless a
   * failed transaction found one. Either way the write is guarded on that entry, so a wrong guess
   * fails the transaction, whose result records the handle for the next plan: an assignment costs
   * no read of its handle.
   */
  IpamChange change(
      AllocationBlock base,
      @Nullable Revision revision,
      AllocationBlock updated,
      List<InetAddress> assigned,
      Set<InetAddress> alreadyFree,
      Map<String, Integer> handleDeltas) {
    Map<String, Optional<KeyValue>> handles;
    if (handleDeltas.values().stream().allMatch(d -> d > 0)) {
      handles = new HashMap<>();
      for (String h : handleDeltas.keySet()) {
        handles.put(h, cache.takeHandle(h));
      }
    } else {
      handles = handles(handleDeltas.keySet());
    }
    BlockChange c = new BlockChange(base, revision, updated, assigned, alreadyFree, handleDeltas);
    return new IpamChange(c, handles, cache);
  }

  /** The handle's current entry. */
  Optional<KeyValue> handle(String handleId) {
    return datastore.get(CalicoKeys.handle(handleId));
  }

  /**
   * The current entries of several handles: one get for a single handle, else read-only
   * transactions of up to {@value #READS_PER_TXN} keys each, so that a bulk release (a handle per
   * workload) costs a round trip per hundred handles rather than one per handle. Each key is read
   * as a prefix and only its exact entry kept.
   */
  Map<String, Optional<KeyValue>> handles(Collection<String> handleIds) {
    Map<String, Optional<KeyValue>> out = new HashMap<>();
    if (handleIds.size() == 1) {
      String h = handleIds.iterator().next();
      out.put(h, handle(h));
      return out;
    }
    List<String> ids = List.copyOf(new LinkedHashSet<>(handleIds));
    for (int from = 0; from < ids.size(); from += READS_PER_TXN) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + READS_PER_TXN));
      Transaction.Builder txn = Transaction.builder();
      chunk.forEach(h -> txn.readPrefix(CalicoKeys.handle(h)));
      TxnResult r = datastore.commit(txn.build());
      for (String h : chunk) {
        Key key = CalicoKeys.handle(h);
        out.put(h, r.read(key).stream().filter(kv -> kv.key().equals(key)).findFirst());
      }
    }
    return out;
  }

  static Map<String, Integer> deltas(IpOwner owner, int n) {
    return owner.handleId() == null ? Map.of() : Map.of(owner.handleId(), n);
  }
}
