package io.github.calicoj.core.ipam;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.ConflictException;
import io.github.calicoj.core.IpPools;
import io.github.calicoj.core.internal.CalicoJson;
import io.github.calicoj.core.internal.Keys;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.model.IpamConfig;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Guard;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Revision;
import io.github.calicoj.datastore.Transaction;
import io.github.calicoj.datastore.TxnOp;
import io.github.calicoj.datastore.TxnResult;
import java.math.BigInteger;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calico block IPAM (spec §5) over a {@link Datastore}.
 *
 * <p><b>Consistency.</b> Every change to a block is one datastore transaction guarded on the
 * block's revision (and on the revisions of any handles it touches), retried on conflict up to 100
 * times. A new block and its host-affinity marker are written in one transaction that requires the
 * block to be absent, so two hosts can never both believe they own a block.
 *
 * <p><b>Caching.</b> Blocks are cached with their revision: the common auto-assign is one
 * compare-and-set with no read; a stale cache shows up as a failed guard, whose result carries the
 * fresh block. A negative answer from the cache (address free, address taken) is confirmed by a
 * read made in the same call before it counts; a block the cache holds as full is skipped by
 * auto-assign, and read again before the pool is reported exhausted. Pools and the IPAM config are
 * cached for {@link Builder#cacheTtl} (default 1 s).
 *
 * <p>Thread-safe; share one instance per datastore. Borrows the datastore.
 */
public final class Ipam {
  private static final Logger LOG = LoggerFactory.getLogger(Ipam.class);

  /** pycalico's RETRIES. */
  public static final int MAX_RETRIES = 100;

  /** How many candidate blocks a new-block search looks at per pool. */
  private static final long MAX_CANDIDATES = 1 << 16;

  private final Datastore datastore;
  private final IpPools pools;
  private final long ttlNanos;

  private record CachedBlock(AllocationBlock block, Revision revision, boolean fresh) {}

  private record Timed<T>(T value, long at) {}

  private final Map<Cidr, CachedBlock> blocks = new ConcurrentHashMap<>();
  private final Map<String, List<Cidr>> affine = new ConcurrentHashMap<>();
  private final Map<Integer, Timed<List<IpPool>>> poolCache = new ConcurrentHashMap<>();
  private volatile @Nullable Timed<IpamConfig> configCache;

  private Ipam(Builder b) {
    this.datastore = b.datastore;
    this.pools = new IpPools(b.datastore);
    this.ttlNanos = b.cacheTtl.toNanos();
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
   * Assigns one specific address to {@code host} (spec §5.5). If its block does not exist yet, the
   * address must lie in an IPAM-enabled pool, and the block is claimed for {@code host}.
   *
   * @throws PoolNotFoundException "X is not in any configured pool"
   * @throws AlreadyAssignedException if the address is taken
   * @throws ConflictException if the compare-and-set retries run out
   */
  public void assign(
      InetAddress ip, String host, @Nullable String handleId, Map<String, String> secondary) {
    for (int attempt = 0; attempt < MAX_RETRIES; attempt++) {
      if (prepareAssign(ip, host, handleId, secondary).commit()) {
        return;
      }
    }
    throw new ConflictException("Hit max retries assigning " + text(ip));
  }

  /**
   * Chooses one specific address for {@code host} like {@link #assign}, but writes nothing about
   * it: the returned {@link Pending} joins the caller's own transaction. A block that does not
   * exist yet is claimed (written) first, as {@link #assign} would.
   *
   * @throws PoolNotFoundException "X is not in any configured pool"
   * @throws AlreadyAssignedException if the address is taken (confirmed by a fresh read)
   */
  public Pending prepareAssign(
      InetAddress ip, String host, @Nullable String handleId, Map<String, String> secondary) {
    requireNonNull(ip, "ip");
    requireNonNull(host, "host");
    requireNonNull(secondary, "secondary");
    Cidr cidr = AllocationBlock.blockFor(ip);
    boolean confirmed = false; // a "taken" answer counts only from a read made in this call
    for (int attempt = 0; attempt < MAX_RETRIES; attempt++) {
      CachedBlock cb = cachedOrRead(cidr);
      if (cb == null) {
        if (pools.poolFor(ip, true).isEmpty()) {
          throw new PoolNotFoundException(text(ip) + " is not in any configured pool");
        }
        claim(cidr, host);
        continue;
      }
      AllocationBlock updated;
      try {
        updated = cb.block().assign(ip, handleId, secondary, host);
      } catch (AlreadyAssignedException e) {
        if (!confirmed) {
          blocks.remove(cidr); // confirm with a fresh read
          confirmed = true;
          continue;
        }
        throw e;
      }
      return new Pending(
          cb, updated, List.of(ip), handleId == null ? Map.of() : Map.of(handleId, 1));
    }
    throw new ConflictException("Hit max retries assigning " + text(ip));
  }

  /**
   * Chooses one address of {@code version} for {@code host} the way {@link #autoAssignOne} would
   * (the host's affine blocks, then a newly claimed block, then other hosts' blocks), but writes
   * nothing about it: the returned {@link Pending} joins the caller's own transaction. Claiming a
   * new block is written at once, as in {@link #autoAssign}.
   *
   * @throws IpPoolExhaustedException with {@link #autoAssignOne}'s message if no block has room
   */
  public Pending prepareAutoAssignOne(int version, String host, @Nullable Cidr pool) {
    checkArgument(version == 4 || version == 6, "IP version must be 4 or 6: %s", version);
    requireNonNull(host, "host");
    Pending p = planNext(version, 1, host, pool, null, Map.of());
    if (p == null) {
      throw exhausted(version, pool);
    }
    return p;
  }

  /**
   * Assigns up to {@code v4} IPv4 and {@code v6} IPv6 addresses to {@code host} (spec §5.6): from
   * the host's affine blocks first, then from newly claimed blocks (if the config allows), then
   * from other hosts' blocks (unless strict affinity).
   *
   * @param v4Pool restrict IPv4 to this pool (null = any IPAM-enabled pool)
   * @param v6Pool restrict IPv6 to this pool (null = any)
   * @return what was assigned; possibly less than asked
   */
  public Assigned autoAssign(
      int v4,
      int v6,
      String host,
      @Nullable Cidr v4Pool,
      @Nullable Cidr v6Pool,
      @Nullable String handleId,
      Map<String, String> secondary) {
    checkArgument(v4 >= 0 && v6 >= 0, "Counts must not be negative: %s, %s", v4, v6);
    requireNonNull(host, "host");
    requireNonNull(secondary, "secondary");
    List<InetAddress> got4 =
        v4 == 0 ? List.of() : autoAssignFamily(4, v4, host, v4Pool, handleId, secondary);
    List<InetAddress> got6 =
        v6 == 0 ? List.of() : autoAssignFamily(6, v6, host, v6Pool, handleId, secondary);
    return new Assigned(got4, got6);
  }

  /**
   * Assigns one address of {@code version}, or fails with the reference's message.
   *
   * @throws IpPoolExhaustedException "Failed to allocate any IPs (requested 1 IPv4s and 0 IPv6s).
   *     Pools are likely exhausted."
   */
  public InetAddress autoAssignOne(int version, String host, @Nullable Cidr pool) {
    checkArgument(version == 4 || version == 6, "IP version must be 4 or 6: %s", version);
    Assigned a =
        autoAssign(
            version == 4 ? 1 : 0,
            version == 6 ? 1 : 0,
            host,
            version == 4 ? pool : null,
            version == 6 ? pool : null,
            null,
            Map.of());
    List<InetAddress> got = version == 4 ? a.ipv4() : a.ipv6();
    if (got.isEmpty()) {
      throw exhausted(version, pool);
    }
    return got.get(0);
  }

  private static IpPoolExhaustedException exhausted(int version, @Nullable Cidr pool) {
    return new IpPoolExhaustedException(
        "Failed to allocate any IPs (requested "
            + (version == 4 ? 1 : 0)
            + " IPv4s and "
            + (version == 6 ? 1 : 0)
            + " IPv6s). Pools are likely exhausted."
            + (pool == null ? "" : " (pool " + pool + ")"));
  }

  private List<InetAddress> autoAssignFamily(
      int version,
      int count,
      String host,
      @Nullable Cidr pool,
      @Nullable String handleId,
      Map<String, String> secondary) {
    List<InetAddress> got = new ArrayList<>();
    int conflicts = 0;
    while (got.size() < count) {
      Pending p = planNext(version, count - got.size(), host, pool, handleId, secondary);
      if (p == null) {
        break; // no block has room: fewer than asked
      }
      if (p.commit()) {
        got.addAll(p.addresses());
      } else if (++conflicts == MAX_RETRIES) {
        throw new ConflictException("Hit max retries auto-assigning IPv" + version);
      }
    }
    return got;
  }

  /**
   * Plans up to {@code want} addresses from the first block, in the search order of spec §5.6, that
   * has room: the host's affine blocks (from the cache, then freshly listed), then a newly claimed
   * block (if the config allows; the claim is written at once), then other hosts' blocks (unless
   * strict affinity). Null if none has room.
   */
  private @Nullable Pending planNext(
      int version,
      int want,
      String host,
      @Nullable Cidr pool,
      @Nullable String handleId,
      Map<String, String> secondary) {
    for (boolean refreshed : new boolean[] {false, true}) {
      for (Cidr cidr : refreshed ? refreshAffine(host, version) : affineBlocks(host, version)) {
        if (pool == null || pool.contains(cidr)) {
          Pending p = planInBlock(cidr, want, host, true, handleId, secondary, refreshed);
          if (p != null) {
            return p;
          }
        }
      }
    }
    IpamConfig config = config();
    while (config.autoAllocateBlocks()) {
      Optional<Cidr> claimed = claimNewBlock(host, version, pool);
      if (claimed.isEmpty()) {
        break;
      }
      Pending p = planInBlock(claimed.get(), want, host, true, handleId, secondary, false);
      if (p != null) {
        return p;
      }
    }
    if (!config.strictAffinity()) {
      for (Cidr cidr : othersBlocks(host, version, pool)) {
        Pending p = planInBlock(cidr, want, host, false, handleId, secondary, false);
        if (p != null) {
          return p;
        }
      }
    }
    return null;
  }

  /** Blocks in the allowed pools that are not affine to {@code host}, freshly listed and cached. */
  private List<Cidr> othersBlocks(String host, int version, @Nullable Cidr pool) {
    List<Cidr> out = new ArrayList<>();
    for (KeyValue kv : datastore.list(Keys.blocks(version)).entries()) {
      AllocationBlock b = CalicoJson.readBlock(kv.value());
      if (b.affinityHost().filter(host::equals).isEmpty() && inPools(b.cidr(), version, pool)) {
        blocks.put(b.cidr(), new CachedBlock(b, kv.revision(), true));
        out.add(b.cidr());
      }
    }
    return out;
  }

  /**
   * Up to {@code want} addresses from one block, planned on the cached block; null if the block
   * (freshly read) has none for us.
   */
  private @Nullable Pending planInBlock(
      Cidr cidr,
      int want,
      String host,
      boolean affinityCheck,
      @Nullable String handleId,
      Map<String, String> secondary,
      boolean confirmFull) {
    boolean confirmed = false;
    for (int attempt = 0; attempt < MAX_RETRIES; attempt++) {
      CachedBlock cb = cachedOrRead(cidr);
      if (cb == null) {
        forgetAffine(cidr);
        return null;
      }
      AllocationBlock.AutoAssigned r =
          cb.block().autoAssign(want, handleId, secondary, host, affinityCheck);
      if (r.addresses().isEmpty()) {
        // "Full" from a block we derived from our own write, or (when asked to confirm) from any
        // read not made in this call, is confirmed by a fresh read. A block once read full is
        // otherwise trusted, which keeps the common case of passing full blocks free of reads.
        if (confirmFull ? !confirmed : !cb.fresh()) {
          blocks.remove(cidr);
          confirmed = true;
          continue;
        }
        return null;
      }
      return new Pending(
          cb,
          r.block(),
          r.addresses(),
          handleId == null ? Map.of() : Map.of(handleId, r.addresses().size()));
    }
    throw new ConflictException("Hit max retries reading block " + cidr);
  }

  // ------------------------------------------------------------------ release

  /**
   * Frees addresses (spec §5.7), block by block with compare-and-set, decrementing their handles.
   *
   * @return the addresses that were already free (or in no block)
   */
  public Set<InetAddress> release(Collection<InetAddress> addresses) {
    requireNonNull(addresses, "addresses");
    Map<Cidr, Set<InetAddress>> byBlock = new LinkedHashMap<>();
    for (InetAddress ip : addresses) {
      byBlock.computeIfAbsent(AllocationBlock.blockFor(ip), c -> new LinkedHashSet<>()).add(ip);
    }
    Set<InetAddress> alreadyFree = new LinkedHashSet<>();
    for (Map.Entry<Cidr, Set<InetAddress>> e : byBlock.entrySet()) {
      alreadyFree.addAll(releaseInBlock(e.getKey(), null, e.getValue()).alreadyFree());
    }
    return alreadyFree;
  }

  /** What one block's release did: the addresses that were already free, and how many it freed. */
  private record BlockRelease(Set<InetAddress> alreadyFree, int freed) {}

  /** Frees {@code ips} (or, with a handle, every address of that handle) in one block. */
  private BlockRelease releaseInBlock(Cidr cidr, @Nullable String handleId, Set<InetAddress> ips) {
    boolean confirmed = false; // "already free" counts only from a read made in this call
    for (int attempt = 0; attempt < MAX_RETRIES; attempt++) {
      CachedBlock cb = cachedOrRead(cidr);
      if (cb == null) {
        return new BlockRelease(ips, 0); // no block (a fresh read): nothing of it is allocated
      }
      AllocationBlock.Released r =
          handleId != null ? cb.block().releaseByHandle(handleId) : cb.block().release(ips);
      boolean nothingToDo = r.block().equals(cb.block());
      if ((nothingToDo || !r.alreadyFree().isEmpty()) && !confirmed) {
        blocks.remove(cidr); // a negative answer from the cache: confirm with a fresh read
        confirmed = true;
        continue;
      }
      if (nothingToDo) {
        return new BlockRelease(r.alreadyFree(), 0);
      }
      Map<String, Integer> decrements = new HashMap<>();
      r.handleCounts().forEach((h, n) -> decrements.put(h, -n));
      if (new Pending(cb, r.block(), List.of(), decrements).commit()) {
        return new BlockRelease(r.alreadyFree(), r.block().freeCount() - cb.block().freeCount());
      }
    }
    throw new ConflictException("Hit max retries releasing from block " + cidr);
  }

  /**
   * Frees every address assigned with {@code handleId} and deletes the handle.
   *
   * @return how many addresses were freed (0 if the handle does not exist)
   */
  public int releaseByHandle(String handleId) {
    requireNonNull(handleId, "handleId");
    Optional<KeyValue> handle = datastore.get(Keys.handle(handleId));
    if (handle.isEmpty()) {
      return 0;
    }
    int freed = 0;
    for (Cidr cidr : CalicoJson.readHandle(handle.get().value()).keySet()) {
      freed += releaseInBlock(cidr, handleId, Set.of()).freed();
    }
    return freed;
  }

  /** The attributes of an assigned address, or empty if it is free. */
  public Optional<AllocationBlock.Attribute> attributesOf(InetAddress ip) {
    CachedBlock cb = read(AllocationBlock.blockFor(ip));
    return cb == null ? Optional.empty() : cb.block().attributesOf(ip);
  }

  /** True if the address is assigned (fresh read). */
  public boolean isAssigned(InetAddress ip) {
    CachedBlock cb = read(AllocationBlock.blockFor(ip));
    return cb != null && cb.block().isAllocated(ip);
  }

  /** The block with this CIDR, freshly read. */
  public Optional<AllocationBlock> block(Cidr cidr) {
    return Optional.ofNullable(read(cidr)).map(CachedBlock::block);
  }

  /** Every block of one IP version, freshly read. */
  public List<AllocationBlock> blocks(int version) {
    List<AllocationBlock> out = new ArrayList<>();
    for (KeyValue kv : datastore.list(Keys.blocks(version)).entries()) {
      out.add(CalicoJson.readBlock(kv.value()));
    }
    return out;
  }

  // ------------------------------------------------------------------ config

  /** The IPAM config ({@link IpamConfig#DEFAULT} when the key is missing), cached briefly. */
  public IpamConfig config() {
    Timed<IpamConfig> c = configCache;
    if (c != null && System.nanoTime() - c.at() < ttlNanos) {
      return c.value();
    }
    IpamConfig read =
        datastore
            .get(Keys.IPAM_CONFIG)
            .map(kv -> CalicoJson.readIpamConfig(kv.value()))
            .orElse(IpamConfig.DEFAULT);
    configCache = new Timed<>(read, System.nanoTime());
    return read;
  }

  /** Writes the IPAM config. */
  public void setConfig(IpamConfig config) {
    datastore.put(Keys.IPAM_CONFIG, CalicoJson.ipamConfig(requireNonNull(config, "config")));
    configCache = null;
  }

  // ------------------------------------------------------------------ internals

  /**
   * A change to one block, planned on its cached copy and not yet written: the block at its cached
   * revision, plus the count changes of the handles it touches (each guarded on its revision or
   * absence). Either {@link #commit} it alone, or {@link #addTo add it to} a larger transaction and
   * {@link #settle} that transaction's result, so that the addresses are assigned atomically with
   * the caller's other writes (an endpoint, say).
   *
   * <p>Not thread-safe; use it once, from one thread.
   */
  public final class Pending {
    private final CachedBlock base;
    private final AllocationBlock updated;
    private final List<InetAddress> addresses;
    private final Key key;
    private final List<Guard> guards = new ArrayList<>();
    private final List<TxnOp> ops = new ArrayList<>();

    private Pending(
        CachedBlock base,
        AllocationBlock updated,
        List<InetAddress> addresses,
        Map<String, Integer> handles) {
      this.base = base;
      this.updated = updated;
      this.addresses = List.copyOf(addresses);
      this.key = Keys.block(updated.cidr());
      guards.add(Guard.atRevision(key, base.revision()));
      for (Map.Entry<String, Integer> h : handles.entrySet()) {
        Key hk = Keys.handle(h.getKey());
        Optional<KeyValue> current = datastore.get(hk);
        Map<Cidr, Integer> counts =
            new LinkedHashMap<>(
                current.map(kv -> CalicoJson.readHandle(kv.value())).orElse(Map.of()));
        int n = counts.getOrDefault(updated.cidr(), 0) + h.getValue();
        if (n < 0) {
          LOG.warn(
              "Handle {} would drop below zero in block {}; clamping", h.getKey(), updated.cidr());
          n = 0;
        }
        if (n == 0) {
          counts.remove(updated.cidr());
        } else {
          counts.put(updated.cidr(), n);
        }
        guards.add(current.map(kv -> Guard.atRevision(hk, kv.revision())).orElse(Guard.absent(hk)));
        ops.add(
            counts.isEmpty()
                ? TxnOp.delete(hk)
                : TxnOp.put(hk, CalicoJson.handle(h.getKey(), counts)));
      }
    }

    /** The addresses this change assigns (empty for a release). */
    public List<InetAddress> addresses() {
      return addresses;
    }

    /** The CIDR of the block it changes. */
    public Cidr block() {
      return updated.cidr();
    }

    /**
     * Adds this change's guards and writes to {@code txn}. The block's JSON is written here, not
     * when the change is planned, so a caller may do it on the thread that commits.
     */
    public void addTo(Transaction.Builder txn) {
      guards.forEach(txn::guard);
      txn.put(key, CalicoJson.block(updated));
      ops.forEach(txn::op);
    }

    /**
     * Records the outcome of a transaction this change was {@link #addTo added to}, keeping the
     * block cache current either way.
     *
     * @return true if the transaction succeeded; false if it failed (on this change's guards or the
     *     caller's), in which case nothing was assigned and a fresh {@code prepare...} is needed
     */
    public boolean settle(TxnResult r) {
      if (r.succeeded()) {
        blocks.put(updated.cidr(), new CachedBlock(updated, r.revision(), false));
        return true;
      }
      Optional<KeyValue> fresh = r.current(key);
      if (fresh.isEmpty()) {
        blocks.remove(updated.cidr());
      } else if (!fresh.get().revision().equals(base.revision())) {
        blocks.put(
            updated.cidr(),
            new CachedBlock(
                CalicoJson.readBlock(fresh.get().value()), fresh.get().revision(), true));
      }
      return false;
    }

    /** Writes this change alone, in one transaction; false if a guard failed (cache refreshed). */
    public boolean commit() {
      Transaction.Builder txn = Transaction.builder();
      addTo(txn);
      return settle(datastore.commit(txn.build()));
    }
  }

  /**
   * Creates an empty block affine to {@code host} together with its affinity marker, in one
   * transaction that requires the block to be absent. Returns false if the block exists (the cache
   * then holds it).
   */
  private boolean claim(Cidr cidr, String host) {
    Key key = Keys.block(cidr);
    AllocationBlock empty = AllocationBlock.empty(cidr, host, config().strictAffinity());
    TxnResult r =
        datastore.commit(
            Transaction.builder()
                .guard(Guard.absent(key))
                .put(key, CalicoJson.block(empty))
                .put(Keys.affinity(host, cidr), "")
                .build());
    if (r.succeeded()) {
      blocks.put(cidr, new CachedBlock(empty, r.revision(), true));
      affine
          .computeIfAbsent(host + "|" + cidr.version(), k -> new CopyOnWriteArrayList<>())
          .add(cidr);
      return true;
    }
    r.current(key)
        .ifPresent(
            kv ->
                blocks.put(
                    cidr, new CachedBlock(CalicoJson.readBlock(kv.value()), kv.revision(), true)));
    return false;
  }

  /**
   * Finds a block that does not exist yet in the allowed pools and claims it. The search starts at
   * a host-dependent offset in each pool, so hosts rarely race for the same block.
   */
  private Optional<Cidr> claimNewBlock(String host, int version, @Nullable Cidr pool) {
    Set<Cidr> existing = new HashSet<>();
    for (KeyValue kv : datastore.list(Keys.blocks(version)).entries()) {
      existing.add(Cidr.fromKeySegment(Keys.lastSegment(kv.key())));
    }
    int blockPrefix = IpPool.blockPrefix(version);
    for (IpPool p : pools(version)) {
      if (!p.ipam() || p.disabled() || (pool != null && !pool.equals(p.cidr()))) {
        continue;
      }
      BigInteger total = p.cidr().size().shiftRight(6); // 64 addresses per block
      long n = total.min(BigInteger.valueOf(MAX_CANDIDATES)).longValueExact();
      long start = Math.floorMod((long) host.hashCode(), n);
      BigInteger first = Cidr.toInteger(p.cidr().first());
      for (long i = 0; i < n; i++) {
        long index = (start + i) % n;
        Cidr candidate =
            new Cidr(
                Cidr.fromInteger(first.add(BigInteger.valueOf(index).shiftLeft(6)), version == 4),
                blockPrefix);
        if (existing.contains(candidate)) {
          continue;
        }
        if (claim(candidate, host)) {
          return Optional.of(candidate);
        }
        CachedBlock now = blocks.get(candidate);
        if (now != null && now.block().affinityHost().filter(host::equals).isPresent()) {
          affine
              .computeIfAbsent(host + "|" + version, k -> new CopyOnWriteArrayList<>())
              .add(candidate);
          return Optional.of(candidate); // another process of ours won: fine
        }
        existing.add(candidate);
      }
    }
    return Optional.empty();
  }

  private boolean inPools(Cidr block, int version, @Nullable Cidr pool) {
    if (pool != null) {
      return pool.contains(block);
    }
    return pools(version).stream().anyMatch(p -> p.ipam() && p.cidr().contains(block));
  }

  private List<IpPool> pools(int version) {
    Timed<List<IpPool>> c = poolCache.get(version);
    if (c != null && System.nanoTime() - c.at() < ttlNanos) {
      return c.value();
    }
    List<IpPool> read = pools.list(version);
    poolCache.put(version, new Timed<>(read, System.nanoTime()));
    return read;
  }

  private List<Cidr> affineBlocks(String host, int version) {
    List<Cidr> cached = affine.get(host + "|" + version);
    return cached != null ? cached : refreshAffine(host, version);
  }

  private List<Cidr> refreshAffine(String host, int version) {
    List<Cidr> list = new CopyOnWriteArrayList<>();
    for (KeyValue kv : datastore.list(Keys.affinities(host, version)).entries()) {
      list.add(Cidr.fromKeySegment(Keys.lastSegment(kv.key())));
    }
    affine.put(host + "|" + version, list);
    return list;
  }

  private void forgetAffine(Cidr cidr) {
    affine.values().forEach(l -> l.remove(cidr));
  }

  private @Nullable CachedBlock cachedOrRead(Cidr cidr) {
    CachedBlock cb = blocks.get(cidr);
    return cb != null ? cb : read(cidr);
  }

  private @Nullable CachedBlock read(Cidr cidr) {
    Optional<KeyValue> kv = datastore.get(Keys.block(cidr));
    if (kv.isEmpty()) {
      blocks.remove(cidr);
      return null;
    }
    CachedBlock cb =
        new CachedBlock(CalicoJson.readBlock(kv.get().value()), kv.get().revision(), true);
    blocks.put(cidr, cb);
    return cb;
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
