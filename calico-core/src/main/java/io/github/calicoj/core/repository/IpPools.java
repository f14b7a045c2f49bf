package io.github.calicoj.core.repository;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.github.calicoj.core.CalicoException.Reason;
import io.github.calicoj.core.ConflictException;
import io.github.calicoj.core.NotFoundException;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.codec.PoolJson;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * IP pools in the datastore: add (idempotent, with the overlap checks of calicoctl 0.18), remove,
 * list, range add, and the pool for an address. Thread-safe; borrows the datastore.
 */
public final class IpPools {
  private final Datastore datastore;

  /** Pools in {@code datastore}. */
  public IpPools(Datastore datastore) {
    this.datastore = requireNonNull(datastore, "datastore");
  }

  /**
   * Adds (or overwrites, if the CIDR is identical) one pool. An IP-in-IP pool also sets {@code
   * /calico/v1/config/IpInIpEnabled} to {@code true}.
   *
   * @throws ConflictException ({@link Reason#POOL_OVERLAP}) "Cannot add IP pool X - pool overlaps
   *     with an existing pool Y"
   */
  public IpPool add(IpPool pool) {
    return addAll(List.of(pool)).get(0);
  }

  /**
   * Adds pools after checking all of them against the existing pools and each other; nothing is
   * written if any check fails.
   *
   * @throws ConflictException ({@link Reason#POOL_OVERLAP}) on an overlap (identical CIDRs are an
   *     update, not an overlap)
   */
  public List<IpPool> addAll(List<IpPool> pools) {
    List<IpPool> existing = list();
    for (int i = 0; i < pools.size(); i++) {
      IpPool p = requireNonNull(pools.get(i), "pool");
      for (IpPool e : existing) {
        if (!e.cidr().equals(p.cidr()) && e.cidr().overlaps(p.cidr())) {
          throw new ConflictException(
              Reason.POOL_OVERLAP,
              "Cannot add IP pool "
                  + p.cidr()
                  + " - pool overlaps with an existing pool "
                  + e.cidr());
        }
      }
      for (int j = 0; j < i; j++) {
        IpPool other = pools.get(j);
        if (!other.cidr().equals(p.cidr()) && other.cidr().overlaps(p.cidr())) {
          throw new ConflictException(
              Reason.POOL_OVERLAP,
              "Cannot add IP pool "
                  + p.cidr()
                  + " - pool overlaps with another new pool "
                  + other.cidr());
        }
      }
    }
    for (IpPool p : pools) {
      datastore.put(CalicoKeys.pool(p.cidr()), PoolJson.write(p));
      if (p.ipip()) {
        datastore.put(Key.of(CalicoKeys.CONFIG.path() + "IpInIpEnabled"), "true");
      }
    }
    return List.copyOf(pools);
  }

  /**
   * Deletes the pool with exactly this CIDR (normalized).
   *
   * @throws NotFoundException "X is not a configured pool."
   */
  public void remove(Cidr cidr) {
    Cidr c = cidr.normalized();
    if (!datastore.delete(CalicoKeys.pool(c))) {
      throw new NotFoundException(Reason.POOL_NOT_FOUND, c + " is not a configured pool.");
    }
  }

  /** The pools of one IP version, in key order. */
  public List<IpPool> list(int version) {
    checkArgument(version == 4 || version == 6, "IP version must be 4 or 6: %s", version);
    List<IpPool> out = new ArrayList<>();
    for (KeyValue kv : datastore.list(CalicoKeys.pools(version)).entries()) {
      out.add(PoolJson.read(kv.value()));
    }
    return List.copyOf(out);
  }

  /** Every pool, IPv4 first. */
  public List<IpPool> list() {
    List<IpPool> all = new ArrayList<>(list(4));
    all.addAll(list(6));
    return List.copyOf(all);
  }

  /** The pool with exactly this CIDR (after normalization). */
  public Optional<IpPool> find(Cidr cidr) {
    Cidr c = cidr.normalized();
    return datastore.get(CalicoKeys.pool(c)).map(kv -> PoolJson.read(kv.value()));
  }

  /** The first pool containing {@code ip}; with {@code ipamOnly}, only IPAM-enabled pools. */
  public Optional<IpPool> poolFor(InetAddress ip, boolean ipamOnly) {
    int version = ip instanceof Inet4Address ? 4 : 6;
    return list(version).stream()
        .filter(p -> p.cidr().contains(ip) && (!ipamOnly || p.ipam()))
        .findFirst();
  }

  /**
   * Adds the range {@code start..end} as the smallest list of CIDR pools ({@code pool range add}).
   *
   * @throws IllegalArgumentException for the reference's argument errors
   * @throws ConflictException ({@link Reason#POOL_OVERLAP}) "Cannot add range - range conflicts
   *     with pool X"
   */
  public List<IpPool> addRange(
      InetAddress start, InetAddress end, boolean ipip, boolean masquerade) {
    requireNonNull(start, "start");
    requireNonNull(end, "end");
    checkArgument(
        (start instanceof Inet4Address) == (end instanceof Inet4Address),
        "START_IP and END_IP must be the same ip version");
    BigInteger s = Cidr.toInteger(start);
    BigInteger e = Cidr.toInteger(end);
    checkArgument(s.compareTo(e) < 0, "START_IP must be a smaller ip address than END_IP");
    boolean v4 = start instanceof Inet4Address;
    for (IpPool p : list(v4 ? 4 : 6)) {
      BigInteger pf = Cidr.toInteger(p.cidr().first());
      BigInteger pl = Cidr.toInteger(p.cidr().last());
      boolean inside = pf.compareTo(s) >= 0 && pl.compareTo(e) <= 0;
      if (inside || p.cidr().contains(start) || p.cidr().contains(end)) {
        throw new ConflictException(
            Reason.POOL_OVERLAP, "Cannot add range - range conflicts with pool " + p.cidr());
      }
    }
    List<IpPool> pools = new ArrayList<>();
    for (Cidr c : rangeToCidrs(s, e, v4)) {
      pools.add(IpPool.of(c).withOptions(ipip, masquerade));
    }
    return addAll(pools);
  }

  /** netaddr's {@code iprange_to_cidrs}: the fewest CIDRs covering exactly [start, end]. */
  static List<Cidr> rangeToCidrs(BigInteger start, BigInteger end, boolean v4) {
    int bits = v4 ? 32 : 128;
    List<Cidr> out = new ArrayList<>();
    BigInteger cur = start;
    while (cur.compareTo(end) <= 0) {
      int size = cur.signum() == 0 ? bits : Math.min(bits, cur.getLowestSetBit());
      while (size > 0
          && cur.add(BigInteger.ONE.shiftLeft(size)).subtract(BigInteger.ONE).compareTo(end) > 0) {
        size--;
      }
      out.add(new Cidr(Cidr.fromInteger(cur, v4), bits - size));
      cur = cur.add(BigInteger.ONE.shiftLeft(size));
    }
    return out;
  }
}
