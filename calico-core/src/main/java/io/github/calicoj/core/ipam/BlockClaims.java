package io.github.calicoj.core.ipam;

import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Guard;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.Transaction;
import io.github.calicoj.datastore.TxnResult;
import java.math.BigInteger;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Claims blocks for a host: a new empty block affine to the host is created together with its
 * affinity marker, in one transaction that requires the block to be absent, so two hosts can never
 * both believe they own a block (the reference wrote the marker first and could lose the race,
 * libcalico#58). Thread-safe.
 */
final class BlockClaims {
  /** How many candidate blocks a new-block search looks at per pool. */
  private static final long MAX_CANDIDATES = 1 << 16;

  /** Addresses per block, as a shift. */
  private static final int BLOCK_BITS = 6;

  private final Datastore datastore;
  private final BlockCache cache;

  BlockClaims(Datastore datastore, BlockCache cache) {
    this.datastore = datastore;
    this.cache = cache;
  }

  /**
   * Creates an empty block affine to {@code host} with its marker. False if the block exists (the
   * cache then holds it).
   */
  boolean claim(Cidr cidr, String host) {
    Key key = CalicoKeys.block(cidr);
    AllocationBlock empty = AllocationBlock.empty(cidr, host, cache.config().strictAffinity());
    TxnResult r =
        datastore.commit(
            Transaction.builder()
                .guard(Guard.absent(key))
                .put(key, BlockJson.write(empty))
                .put(CalicoKeys.affinity(host, cidr), "")
                .build());
    if (r.succeeded()) {
      cache.created(empty, r.revision(), host);
      return true;
    }
    r.current(key).ifPresent(cache::remember);
    return false;
  }

  /**
   * Finds a block that does not exist yet in the allowed pools and claims it. The search starts at
   * a host-dependent offset in each pool, so hosts rarely race for the same block. A block that
   * another process of this host claimed meanwhile counts as claimed.
   */
  Optional<Cidr> claimNew(String host, int version, @Nullable Cidr pool) {
    Set<Cidr> existing = cache.existingBlocks(version);
    int blockPrefix = IpPool.blockPrefix(version);
    for (IpPool p : cache.pools(version)) {
      if (!p.ipam() || p.disabled() || (pool != null && !pool.equals(p.cidr()))) {
        continue;
      }
      BigInteger total = p.cidr().size().shiftRight(BLOCK_BITS);
      long n = total.min(BigInteger.valueOf(MAX_CANDIDATES)).longValueExact();
      long start = Math.floorMod((long) host.hashCode(), n);
      BigInteger first = Cidr.toInteger(p.cidr().first());
      for (long i = 0; i < n; i++) {
        long index = (start + i) % n;
        Cidr candidate =
            new Cidr(
                Cidr.fromInteger(
                    first.add(BigInteger.valueOf(index).shiftLeft(BLOCK_BITS)), version == 4),
                blockPrefix);
        if (existing.contains(candidate)) {
          continue;
        }
        if (claim(candidate, host)) {
          return Optional.of(candidate);
        }
        BlockCache.Cached now = cache.cachedOrRead(candidate);
        if (now != null && now.block().affinityHost().filter(host::equals).isPresent()) {
          cache.addAffine(host, candidate);
          return Optional.of(candidate); // another process of ours won: fine
        }
        existing.add(candidate);
      }
    }
    return Optional.empty();
  }
}
