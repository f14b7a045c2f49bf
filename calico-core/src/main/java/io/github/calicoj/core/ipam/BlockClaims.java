package io.github.calicoj.core.ipam;

import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import java.math.BigInteger;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Finds new blocks for a host. A new block is written, affine to the host and together with its
 * affinity marker, by the transaction that assigns its first address, guarded on the block's
 * absence (see {@link IpamChange}): two hosts can never both believe they own a block (the
 * reference wrote the marker first and could lose the race, libcalico#58), and an assignment that
 * is never committed leaves no claim behind. Thread-safe.
 */
final class BlockClaims {
  /** How many candidate blocks a new-block search looks at per pool. */
  private static final long MAX_CANDIDATES = 1 << 16;

  /** Addresses per block, as a shift. */
  private static final int BLOCK_BITS = 6;

  private final BlockCache cache;

  BlockClaims(BlockCache cache) {
    this.cache = cache;
  }

  /**
   * Finds a block that does not exist yet in the allowed pools (without writing anything). The
   * search starts at a host-dependent offset in each pool, so hosts rarely race for the same block;
   * a race is settled by the creating transaction's guard.
   */
  Optional<Cidr> findNew(String host, int version, @Nullable Cidr pool) {
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
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
