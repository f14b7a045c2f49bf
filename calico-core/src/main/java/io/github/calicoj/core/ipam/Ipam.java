package io.github.calicoj.core.ipam;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.AlreadyExistsException;
import io.github.calicoj.core.CalicoException;
import io.github.calicoj.core.CalicoException.Reason;
import io.github.calicoj.core.NotFoundException;
import io.github.calicoj.core.TxnPart;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.internal.Retry;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpamConfig;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.KeyValue;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Calico block IPAM over a {@link Datastore}: /26 (IPv4) and /122 (IPv6) blocks of 64 addresses,
 * each stored as one JSON document and affine to a host.
 *
 * <p><b>Consistency.</b> Every change to a block is one datastore transaction guarded on the
 * block's revision (and on the revisions of the handles it touches), retried on conflict up to 100
 * times. A new block and its host-affinity marker are written in one transaction that requires the
 * block to be absent ({@link BlockClaims}), so two hosts can never both believe they own a block.
 *
 * <p><b>Caching.</b> Blocks are cached with their revision ({@link BlockCache}): the common
 * auto-assign is one compare-and-set with no read; a stale cache shows up as a failed guard, whose
 * result carries the fresh block. A negative answer from the cache (address free, address taken,
 * block full) is confirmed by a read made in the same call before it counts. Pools and the IPAM
 * config are cached for {@link Builder#cacheTtl} (default 1 s).
 *
 * <p><b>Owners.</b> An allocation may carry an {@link IpOwner}: its handle counts the owner's
 * addresses, and a release by owner frees only what that owner holds, so an address freed and
 * assigned to someone else in between is never freed again.
 *
 * <p>It is the public face of block IPAM and stays one class of about 500 lines: a quarter of them
 * is the javadoc of its operations and more go to their convenience overloads, each a few steps
 * over the parts that do the work ({@link BlockCache}, {@link BlockClaims}, {@link ChangePlanner},
 * {@link BlockChange}).
 *
 * <p>Thread-safe; share one instance per datastore. Borrows the datastore.
 */
public final class Ipam {
  /** Attempts of each compare-and-set loop (pycalico's RETRIES). */
  public static final int MAX_RETRIES = Retry.MAX_ATTEMPTS;

  private final Datastore datastore;
  private final BlockCache cache;
  private final ChangePlanner planner;

  private Ipam(Builder b) {
    this.datastore = b.datastore;
    this.cache = new BlockCache(b.datastore, b.cacheTtl.toNanos());
    this.planner = new ChangePlanner(b.datastore, cache, new BlockClaims(cache));
  }

  /** IPAM on {@code datastore} with default settings. */
  public static Ipam on(Datastore datastore) {
    return builder(datastore).build();
  }

  /** A builder for IPAM on {@code datastore}. */
  public static Builder builder(Datastore datastore) {
    return new Builder(datastore);
  }

  /** The addresses {@link #autoAssign} got; each list may be shorter than asked. */
  public record Assigned(List<InetAddress> ipv4, List<InetAddress> ipv6) {
    /** Copies the lists. */
    public Assigned {
      ipv4 = List.copyOf(ipv4);
      ipv6 = List.copyOf(ipv6);
    }
  }

  // ------------------------------------------------------------------ assign

  /**
   * Assigns one specific address to {@code host}. If its block does not exist yet, the address must
   * lie in an IPAM-enabled pool, and the block is claimed for {@code host}.
   *
   * @throws NotFoundException ({@link Reason#POOL_NOT_FOUND}) "X is not in any configured pool"
   * @throws AlreadyExistsException ({@link Reason#ADDRESS_ALREADY_ASSIGNED}) if it is taken
   * @throws io.github.calicoj.core.ConflictException if the compare-and-set retries run out
   */
  public void assign(InetAddress ip, String host, IpOwner owner) {
    Retry.cas(
        "assigning " + text(ip),
        () -> commit(prepareAssign(ip, host, owner)) ? Boolean.TRUE : null);
  }

  /**
   * Chooses one specific address for {@code host} like {@link #assign}, but writes nothing about
   * it: the returned change joins the caller's own transaction. A block that does not exist yet is
   * created by the change, affine to {@code host} (with its affinity marker), as {@link #assign}
   * would; nothing is written if the change is never committed.
   *
   * @throws NotFoundException ({@link Reason#POOL_NOT_FOUND}) "X is not in any configured pool"
   * @throws AlreadyExistsException ({@link Reason#ADDRESS_ALREADY_ASSIGNED}) if it is taken
   *     (confirmed by a fresh read)
   */
  public IpamChange prepareAssign(InetAddress ip, String host, IpOwner owner) {
    requireNonNull(ip, "ip");
    requireNonNull(host, "host");
    requireNonNull(owner, "owner");
    Cidr cidr = AllocationBlock.blockFor(ip);
    boolean[] confirmed = {false}; // a "taken" answer counts only from a read made in this call
    return Retry.cas(
        "assigning " + text(ip),
        () -> {
          BlockCache.Cached cb = confirmed[0] ? cache.read(cidr) : cache.cachedOrRead(cidr);
          if (cb == null) {
            if (cache.pools(ip instanceof Inet4Address ? 4 : 6).stream()
                .noneMatch(p -> p.ipam() && p.cidr().contains(ip))) {
              throw new NotFoundException(
                  Reason.POOL_NOT_FOUND, text(ip) + " is not in any configured pool");
            }
            AllocationBlock empty = planner.newBlock(cidr, host);
            AllocationBlock updated = empty.assign(ip, owner.handleId(), owner.attributes(), host);
            return planner.change(
                empty, null, updated, List.of(ip), Set.of(), ChangePlanner.deltas(owner, 1));
          }
          AllocationBlock updated;
          try {
            updated = cb.block().assign(ip, owner.handleId(), owner.attributes(), host);
          } catch (AlreadyExistsException e) {
            if (!confirmed[0]) {
              confirmed[0] = true;
              return null;
            }
            throw e;
          }
          return planner.change(cb, updated, List.of(ip), Set.of(), ChangePlanner.deltas(owner, 1));
        });
  }

  /**
   * Chooses one address of {@code version} for {@code host}, the way {@link #autoAssignOne} would
   * (the host's affine blocks, then a newly claimed block, then other hosts' blocks), passing over
   * the addresses in {@code skip}, but writes nothing about it: the returned change joins the
   * caller's own transaction. A new block is created by the change itself, so a change that is
   * never committed leaves no claim.
   *
   * @throws CalicoException ({@link Reason#POOL_EXHAUSTED}) with {@link #autoAssignOne}'s message
   *     if no block has room
   */
  public IpamChange prepareAutoAssignOne(
      int version, String host, IpOwner owner, Set<InetAddress> skip) {
    return prepareAutoAssignOne(version, host, null, owner, skip);
  }

  /**
   * As {@link #prepareAutoAssignOne(int, String, IpOwner, Set)}, from {@code pool} only; a null
   * pool means any IPAM-enabled pool, which the overload without a pool says better.
   */
  public IpamChange prepareAutoAssignOne(
      int version, String host, @Nullable Cidr pool, IpOwner owner, Set<InetAddress> skip) {
    checkArgument(version == 4 || version == 6, "IP version must be 4 or 6: %s", version);
    requireNonNull(host, "host");
    requireNonNull(owner, "owner");
    IpamChange c = planner.planNext(version, 1, host, pool, owner, Set.copyOf(skip));
    if (c == null) {
      throw exhausted(version, pool);
    }
    return c;
  }

  /**
   * Assigns up to {@code v4} IPv4 and {@code v6} IPv6 addresses to {@code host}: from the host's
   * affine blocks first, then from newly claimed blocks (if the config allows), then from other
   * hosts' blocks (unless strict affinity).
   *
   * @param v4Pool restrict IPv4 to this pool (null = any IPAM-enabled pool)
   * @param v6Pool restrict IPv6 to this pool (null = any)
   * @return what was assigned; possibly less than asked
   */
  public Assigned autoAssign(
      int v4, int v6, String host, @Nullable Cidr v4Pool, @Nullable Cidr v6Pool, IpOwner owner) {
    checkArgument(v4 >= 0 && v6 >= 0, "Counts must not be negative: %s, %s", v4, v6);
    requireNonNull(host, "host");
    requireNonNull(owner, "owner");
    List<InetAddress> got4 = v4 == 0 ? List.of() : autoAssignFamily(4, v4, host, v4Pool, owner);
    List<InetAddress> got6 = v6 == 0 ? List.of() : autoAssignFamily(6, v6, host, v6Pool, owner);
    return new Assigned(got4, got6);
  }

  /**
   * Assigns one address of {@code version}, or fails with the reference's message.
   *
   * @throws CalicoException ({@link Reason#POOL_EXHAUSTED}) "Failed to allocate any IPs (requested
   *     1 IPv4s and 0 IPv6s). Pools are likely exhausted."
   */
  public InetAddress autoAssignOne(int version, String host, IpOwner owner) {
    return autoAssignOne(version, host, null, owner);
  }

  /**
   * As {@link #autoAssignOne(int, String, IpOwner)}, from {@code pool} only; a null pool means any
   * IPAM-enabled pool, which the overload without a pool says better.
   */
  public InetAddress autoAssignOne(int version, String host, @Nullable Cidr pool, IpOwner owner) {
    checkArgument(version == 4 || version == 6, "IP version must be 4 or 6: %s", version);
    Assigned a =
        autoAssign(
            version == 4 ? 1 : 0,
            version == 6 ? 1 : 0,
            host,
            version == 4 ? pool : null,
            version == 6 ? pool : null,
            owner);
    List<InetAddress> got = version == 4 ? a.ipv4() : a.ipv6();
    if (got.isEmpty()) {
      throw exhausted(version, pool);
    }
    return got.get(0);
  }

  private static CalicoException exhausted(int version, @Nullable Cidr pool) {
    return new CalicoException(
        Reason.POOL_EXHAUSTED,
        "Failed to allocate any IPs (requested "
            + (version == 4 ? 1 : 0)
            + " IPv4s and "
            + (version == 6 ? 1 : 0)
            + " IPv6s). Pools are likely exhausted."
            + (pool == null ? "" : " (pool " + pool + ")"));
  }

  private List<InetAddress> autoAssignFamily(
      int version, int count, String host, @Nullable Cidr pool, IpOwner owner) {
    List<InetAddress> got = new ArrayList<>();
    int conflicts = 0;
    while (got.size() < count) {
      IpamChange c = planner.planNext(version, count - got.size(), host, pool, owner, Set.of());
      if (c == null) {
        break; // no block has room: fewer than asked
      }
      if (commit(c)) {
        got.addAll(c.addresses());
      } else if (++conflicts == MAX_RETRIES) {
        throw Retry.exhausted("auto-assigning IPv" + version);
      }
    }
    return got;
  }

  // ------------------------------------------------------------------ release

  /**
   * Frees addresses, block by block with compare-and-set, decrementing their handles.
   *
   * @return the addresses that were already free (or in no block)
   */
  public Set<InetAddress> release(Collection<InetAddress> addresses) {
    requireNonNull(addresses, "addresses");
    Set<InetAddress> alreadyFree = new LinkedHashSet<>();
    for (Map.Entry<Cidr, Set<InetAddress>> e : byBlock(addresses).entrySet()) {
      alreadyFree.addAll(
          Retry.cas(
              "releasing from block " + e.getKey(),
              () -> {
                Map<InetAddress, @Nullable String> anyOwner = new LinkedHashMap<>();
                e.getValue().forEach(ip -> anyOwner.put(ip, null));
                Optional<IpamChange> c = planner.planRelease(e.getKey(), anyOwner);
                if (c.isEmpty()) {
                  return e.getValue(); // nothing of them is allocated (confirmed by a read)
                }
                return commit(c.get()) ? c.get().change().alreadyFree() : null;
              }));
    }
    return alreadyFree;
  }

  /**
   * Plans freeing addresses, as changes to join the caller's transaction (one per block that has
   * something to free). Each address is freed only if the handle given for it, or no handle, holds
   * it: an address freed and assigned to another owner meanwhile stays. A null handle frees the
   * address whoever holds it. Answers from the cache that nothing is to be freed are confirmed by a
   * fresh read.
   *
   * @param owners each address with the handle expected to hold it
   */
  public List<TxnPart> prepareRelease(Map<InetAddress, @Nullable String> owners) {
    requireNonNull(owners, "owners");
    Map<Cidr, Map<InetAddress, @Nullable String>> byBlock = new LinkedHashMap<>();
    owners.forEach(
        (ip, h) ->
            byBlock
                .computeIfAbsent(AllocationBlock.blockFor(ip), c -> new LinkedHashMap<>())
                .put(ip, h));
    List<TxnPart> out = new ArrayList<>();
    Map<String, Map<Cidr, Integer>> handleDeltas = new LinkedHashMap<>();
    for (Map.Entry<Cidr, Map<InetAddress, @Nullable String>> e : byBlock.entrySet()) {
      Optional<IpamChange> c = planner.planRelease(e.getKey(), e.getValue(), false);
      if (c.isPresent()) {
        out.add(c.get());
        c.get()
            .change()
            .handleDeltas()
            .forEach(
                (h, d) ->
                    handleDeltas.computeIfAbsent(h, k -> new LinkedHashMap<>()).put(e.getKey(), d));
      }
    }
    Map<String, Optional<KeyValue>> handles = planner.handles(handleDeltas.keySet());
    handleDeltas.forEach((h, d) -> out.add(new HandleChange(h, requireNonNull(handles.get(h)), d)));
    return out;
  }

  /**
   * Plans writing new versions of blocks exactly as they were read (each block's stored entry), as
   * parts to join the caller's transaction: each block's change guarded on the revision it was read
   * at, and each handle written once, its count in each block moved by the change in its
   * allocations there (a workload with addresses in two blocks, or of both families, has one). For
   * callers that examined those versions of the blocks themselves and must act on them alone, such
   * as a repair. Reads the touched handles; writes nothing.
   *
   * @param rewrites each block's stored entry, as read, and what to write over it
   * @return the parts: the blocks' changes ({@link IpamChange}s), then one per handle touched
   * @throws IllegalArgumentException if an entry is not the stored entry of its new block's block
   */
  public List<TxnPart> prepareRewrites(Map<KeyValue, AllocationBlock> rewrites) {
    requireNonNull(rewrites, "rewrites");
    List<TxnPart> out = new ArrayList<>();
    Map<String, Map<Cidr, Integer>> handleDeltas = new LinkedHashMap<>();
    rewrites.forEach(
        (base, updated) -> {
          BlockChange c = rewrite(base, updated);
          out.add(new IpamChange(c, Map.of(), cache)); // its handles go in the HandleChanges
          c.handleDeltas()
              .forEach(
                  (h, d) ->
                      handleDeltas
                          .computeIfAbsent(h, k -> new LinkedHashMap<>())
                          .put(updated.cidr(), d));
        });
    Map<String, Optional<KeyValue>> handles = planner.handles(handleDeltas.keySet());
    handleDeltas.forEach((h, d) -> out.add(new HandleChange(h, requireNonNull(handles.get(h)), d)));
    return out;
  }

  /** The change from the block as stored in {@code base} to {@code updated}, with its deltas. */
  private static BlockChange rewrite(KeyValue base, AllocationBlock updated) {
    requireNonNull(base, "base");
    requireNonNull(updated, "updated");
    AllocationBlock read = BlockJson.read(base.value());
    checkArgument(
        read.cidr().equals(updated.cidr()) && base.key().equals(CalicoKeys.block(read.cidr())),
        "%s is not the stored entry of block %s",
        base.key(),
        updated.cidr());
    Map<String, Integer> deltas = new HashMap<>(handleCounts(updated));
    handleCounts(read).forEach((h, n) -> deltas.merge(h, -n, Integer::sum));
    deltas.values().removeIf(n -> n == 0);
    List<InetAddress> assigned = new ArrayList<>();
    for (InetAddress ip : updated.allocatedAddresses()) {
      if (!read.isAllocated(ip)) {
        assigned.add(ip);
      }
    }
    return new BlockChange(read, base.revision(), updated, assigned, Set.of(), deltas);
  }

  /** How many addresses each handle holds in {@code block}. */
  private static Map<String, Integer> handleCounts(AllocationBlock block) {
    Map<String, Integer> counts = new HashMap<>();
    for (InetAddress ip : block.allocatedAddresses()) {
      block
          .attributesOf(ip)
          .map(AllocationBlock.Attribute::handleId)
          .ifPresent(h -> counts.merge(h, 1, Integer::sum));
    }
    return counts;
  }

  /**
   * Frees every address assigned with {@code handleId} and deletes the handle.
   *
   * @return how many addresses were freed (0 if the handle does not exist)
   */
  public int releaseByHandle(String handleId) {
    requireNonNull(handleId, "handleId");
    Optional<KeyValue> handle = datastore.get(CalicoKeys.handle(handleId));
    if (handle.isEmpty()) {
      return 0;
    }
    int freed = 0;
    for (Cidr cidr : BlockJson.readHandle(handle.get().value()).keySet()) {
      freed +=
          Retry.cas(
              "releasing handle " + handleId + " from block " + cidr,
              () -> {
                BlockCache.Cached cb = cache.read(cidr);
                if (cb == null) {
                  return 0;
                }
                AllocationBlock.Released r = cb.block().releaseByHandle(handleId);
                if (r.block().equals(cb.block())) {
                  return 0;
                }
                Map<String, Integer> decrements = new HashMap<>();
                r.handleCounts().forEach((h, n) -> decrements.put(h, -n));
                IpamChange c = planner.change(cb, r.block(), List.of(), Set.of(), decrements);
                return commit(c) ? c.change().freed() : null;
              });
    }
    return freed;
  }

  // ------------------------------------------------------------------ reads and config

  /** The attributes of an assigned address, or empty if it is free (fresh read). */
  public Optional<AllocationBlock.Attribute> attributesOf(InetAddress ip) {
    BlockCache.Cached cb = cache.read(AllocationBlock.blockFor(ip));
    return cb == null ? Optional.empty() : cb.block().attributesOf(ip);
  }

  /** True if the address is assigned (fresh read). */
  public boolean isAssigned(InetAddress ip) {
    BlockCache.Cached cb = cache.read(AllocationBlock.blockFor(ip));
    return cb != null && cb.block().isAllocated(ip);
  }

  /** The block with this CIDR, freshly read. */
  public Optional<AllocationBlock> block(Cidr cidr) {
    return Optional.ofNullable(cache.read(cidr)).map(BlockCache.Cached::block);
  }

  /** Every block of one IP version, freshly read. */
  public List<AllocationBlock> blocks(int version) {
    List<AllocationBlock> out = new ArrayList<>();
    for (KeyValue kv : datastore.list(CalicoKeys.blocks(version)).entries()) {
      out.add(BlockJson.read(kv.value()));
    }
    return out;
  }

  /** The IPAM config ({@link IpamConfig#DEFAULT} when the key is missing), cached briefly. */
  public IpamConfig config() {
    return cache.config();
  }

  /** Writes the IPAM config. */
  public void setConfig(IpamConfig config) {
    datastore.put(CalicoKeys.IPAM_CONFIG, BlockJson.config(requireNonNull(config, "config")));
    cache.forgetConfig();
  }

  /** Writes one change alone, in one transaction; false if a guard failed (cache refreshed). */
  public boolean commit(IpamChange change) {
    return TxnPart.commit(datastore, List.of(change)).succeeded();
  }

  // ------------------------------------------------------------------ internals

  private static Map<Cidr, Set<InetAddress>> byBlock(Collection<InetAddress> addresses) {
    Map<Cidr, Set<InetAddress>> byBlock = new LinkedHashMap<>();
    for (InetAddress ip : addresses) {
      byBlock.computeIfAbsent(AllocationBlock.blockFor(ip), c -> new LinkedHashSet<>()).add(ip);
    }
    return byBlock;
  }

  private static String text(InetAddress ip) {
    return InetAddresses.toAddrString(ip);
  }

  /** Settings for {@link Ipam}. Not thread-safe. */
  public static final class Builder {
    private final Datastore datastore;
    private Duration cacheTtl = Duration.ofSeconds(1);

    private Builder(Datastore datastore) {
      this.datastore = requireNonNull(datastore, "datastore");
    }

    /** How long pools and the IPAM config are cached. Default 1 s; zero disables caching. */
    public Builder cacheTtl(Duration ttl) {
      requireNonNull(ttl, "ttl");
      checkArgument(!ttl.isNegative(), "cacheTtl must not be negative: %s", ttl);
      this.cacheTtl = ttl;
      return this;
    }

    /** Builds the service. */
    public Ipam build() {
      return new Ipam(this);
    }
  }
}
