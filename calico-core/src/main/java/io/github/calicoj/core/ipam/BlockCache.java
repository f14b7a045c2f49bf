package io.github.calicoj.core.ipam;

import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.model.IpamConfig;
import io.github.calicoj.core.repository.IpPools;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Revision;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * What IPAM remembers between calls: blocks with the revision they were read or written at, each
 * host's affine blocks, (for a short time) the pools and the IPAM config, and the handles that
 * failed transactions found. A cached block or handle is only a guess: every write is guarded on
 * its revision (or absence), and a failed guard brings the fresh entry back. Thread-safe.
 */
final class BlockCache {
  /** A block and the revision it is known at; {@code fresh} if it came from a read. */
  record Cached(AllocationBlock block, Revision revision, boolean fresh) {}

  private record Timed<T>(T value, long at) {}

  private final Datastore datastore;
  private final IpPools pools;
  private final long ttlNanos;
  private final Map<Cidr, Cached> blocks = new ConcurrentHashMap<>();
  private final Map<String, List<Cidr>> affine = new ConcurrentHashMap<>();
  private final Map<Integer, Timed<List<IpPool>>> poolCache = new ConcurrentHashMap<>();

  /** Handles as a failed transaction found them, each kept until the next plan that uses it. */
  private final Map<String, KeyValue> handlesFound = new ConcurrentHashMap<>();

  private volatile @Nullable Timed<IpamConfig> configCache;

  BlockCache(Datastore datastore, long ttlNanos) {
    this.datastore = datastore;
    this.pools = new IpPools(datastore);
    this.ttlNanos = ttlNanos;
  }

  /** The cached block, or null if none is cached. */
  @Nullable Cached cached(Cidr cidr) {
    return blocks.get(cidr);
  }

  /** The cached block, or a fresh read of it; null if it does not exist. */
  @Nullable Cached cachedOrRead(Cidr cidr) {
    Cached c = blocks.get(cidr);
    return c != null ? c : read(cidr);
  }

  /** A fresh read of the block (and cached); null if it does not exist. */
  @Nullable Cached read(Cidr cidr) {
    Optional<KeyValue> kv = datastore.get(CalicoKeys.block(cidr));
    if (kv.isEmpty()) {
      blocks.remove(cidr);
      return null;
    }
    return remember(kv.get());
  }

  /** Caches a block from its stored entry, as fresh. */
  Cached remember(KeyValue kv) {
    Cached c = new Cached(BlockJson.read(kv.value()), kv.revision(), true);
    blocks.put(c.block().cidr(), c);
    return c;
  }

  /** Caches a block this process wrote at {@code revision}. */
  void written(AllocationBlock block, Revision revision) {
    blocks.put(block.cidr(), new Cached(block, revision, false));
  }

  /** Caches a block this process created (fresh: nobody else has it yet). */
  void created(AllocationBlock block, Revision revision, String host) {
    blocks.put(block.cidr(), new Cached(block, revision, true));
    addAffine(host, block.cidr());
  }

  /** At most this many handles are kept from failed transactions (a plan normally takes each). */
  private static final int MAX_HANDLES_FOUND = 1024;

  /**
   * Records a handle's entry as a failed transaction found it at its revision ({@code null}:
   * absent), for the next assignment to that handle.
   */
  void handleFound(String handleId, @Nullable KeyValue entry) {
    if (entry == null) {
      handlesFound.remove(handleId);
      return;
    }
    if (handlesFound.size() >= MAX_HANDLES_FOUND) {
      handlesFound.clear(); // what is dropped is a guess; the guard catches it
    }
    handlesFound.put(handleId, entry);
  }

  /**
   * The handle's entry as the last failed transaction found it, or empty (assumed absent: a new
   * owner's handle, the common case); forgotten once taken.
   */
  Optional<KeyValue> takeHandle(String handleId) {
    return Optional.ofNullable(handlesFound.remove(handleId));
  }

  /** Forgets a block, so that the next use reads it. */
  void forget(Cidr cidr) {
    blocks.remove(cidr);
  }

  /** Forgets a block and removes it from every host's affine list. */
  void forgetEverywhere(Cidr cidr) {
    blocks.remove(cidr);
    affine.values().forEach(l -> l.remove(cidr));
  }

  /** The host's affine blocks as cached, or freshly listed the first time. */
  List<Cidr> affineBlocks(String host, int version) {
    List<Cidr> cached = affine.get(host + "|" + version);
    return cached != null ? cached : refreshAffine(host, version);
  }

  /** The host's affine blocks, freshly listed from their markers. */
  List<Cidr> refreshAffine(String host, int version) {
    List<Cidr> list = new CopyOnWriteArrayList<>();
    for (KeyValue kv : datastore.list(CalicoKeys.affinities(host, version)).entries()) {
      list.add(Cidr.fromKeySegment(CalicoKeys.lastSegment(kv.key())));
    }
    affine.put(host + "|" + version, list);
    return list;
  }

  /** Records that {@code cidr} is affine to {@code host}. */
  void addAffine(String host, Cidr cidr) {
    List<Cidr> l = affineList(host, cidr.version());
    if (!l.contains(cidr)) {
      l.add(cidr);
    }
  }

  private List<Cidr> affineList(String host, int version) {
    return affine.computeIfAbsent(host + "|" + version, k -> new CopyOnWriteArrayList<>());
  }

  /** Blocks in the allowed pools not affine to {@code host}, freshly listed and cached. */
  List<Cidr> othersBlocks(String host, int version, @Nullable Cidr pool) {
    List<Cidr> out = new ArrayList<>();
    for (KeyValue kv : datastore.list(CalicoKeys.blocks(version)).entries()) {
      Cached c = remember(kv);
      AllocationBlock b = c.block();
      if (b.affinityHost().filter(host::equals).isEmpty() && inPools(b.cidr(), version, pool)) {
        out.add(b.cidr());
      }
    }
    return out;
  }

  /** The CIDRs of every existing block of one version, freshly listed. */
  Set<Cidr> existingBlocks(int version) {
    Set<Cidr> existing = new HashSet<>();
    for (KeyValue kv : datastore.list(CalicoKeys.blocks(version)).entries()) {
      existing.add(Cidr.fromKeySegment(CalicoKeys.lastSegment(kv.key())));
    }
    return existing;
  }

  /** True if the block lies in {@code pool}, or (without one) in any IPAM-enabled pool. */
  boolean inPools(Cidr block, int version, @Nullable Cidr pool) {
    if (pool != null) {
      return pool.contains(block);
    }
    return pools(version).stream().anyMatch(p -> p.ipam() && p.cidr().contains(block));
  }

  /** The pools of one version, cached for the TTL. */
  List<IpPool> pools(int version) {
    Timed<List<IpPool>> c = poolCache.get(version);
    if (c != null && System.nanoTime() - c.at() < ttlNanos) {
      return c.value();
    }
    List<IpPool> read = pools.list(version);
    poolCache.put(version, new Timed<>(read, System.nanoTime()));
    return read;
  }

  /** The IPAM config ({@link IpamConfig#DEFAULT} when the key is missing), cached for the TTL. */
  IpamConfig config() {
    Timed<IpamConfig> c = configCache;
    if (c != null && System.nanoTime() - c.at() < ttlNanos) {
      return c.value();
    }
    IpamConfig read =
        datastore
            .get(CalicoKeys.IPAM_CONFIG)
            .map(kv -> BlockJson.readConfig(kv.value()))
            .orElse(IpamConfig.DEFAULT);
    configCache = new Timed<>(read, System.nanoTime());
    return read;
  }

  /** Forgets the cached IPAM config. */
  void forgetConfig() {
    configCache = null;
  }
}
