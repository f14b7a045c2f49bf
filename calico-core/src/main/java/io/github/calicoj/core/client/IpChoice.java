package io.github.calicoj.core.client;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.AlreadyExistsException;
import io.github.calicoj.core.CalicoException.Reason;
import io.github.calicoj.core.NotFoundException;
import io.github.calicoj.core.internal.Retry;
import io.github.calicoj.core.ipam.IpOwner;
import io.github.calicoj.core.ipam.Ipam;
import io.github.calicoj.core.ipam.IpamChange;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.repository.IpPools;
import java.net.InetAddress;
import java.util.Set;

/**
 * calicoctl's {@code get_ip_and_pool}: what an {@link IpRequest} means in IPAM terms, with the
 * reference's messages. A specific IP must lie in a configured pool (any pool, as the reference
 * checked) and be free; {@code ipv4}/{@code ipv6} take the next free address; a pool CIDR must name
 * a configured pool. Thread-safe.
 */
final class IpChoice {
  private final String hostname;
  private final IpPools pools;
  private final Ipam ipam;

  IpChoice(String hostname, IpPools pools, Ipam ipam) {
    this.hostname = hostname;
    this.pools = pools;
    this.ipam = ipam;
  }

  /**
   * Chooses the requested IP for {@code owner}, passing over {@code skip}, as a change to commit
   * with the caller's other writes.
   *
   * @throws NotFoundException ({@link Reason#POOL_NOT_FOUND}) for an IP in no pool, or a pool CIDR
   *     that is not configured
   * @throws AlreadyExistsException ({@link Reason#ADDRESS_ALREADY_ASSIGNED}) "IP address is already
   *     assigned in pool P."
   * @throws io.github.calicoj.core.CalicoException ({@link Reason#POOL_EXHAUSTED}) if nothing is
   *     free
   */
  IpamChange prepare(IpRequest request, IpOwner owner, Set<InetAddress> skip) {
    if (request instanceof IpRequest.Specific s) {
      InetAddress ip = s.address();
      IpPool pool =
          pools
              .poolFor(ip, false)
              .orElseThrow(
                  () ->
                      new NotFoundException(
                          Reason.POOL_NOT_FOUND,
                          InetAddresses.toAddrString(ip) + " is not in any configured pools"));
      try {
        return ipam.prepareAssign(ip, hostname, owner);
      } catch (AlreadyExistsException e) {
        throw new AlreadyExistsException(
            Reason.ADDRESS_ALREADY_ASSIGNED,
            "IP address is already assigned in pool " + pool.cidr() + ".",
            e);
      }
    }
    if (request instanceof IpRequest.FromPool p) {
      if (pools.find(p.pool()).isEmpty()) {
        throw new NotFoundException(
            Reason.POOL_NOT_FOUND,
            "Invalid CIDR specified for desired pool. No pool found for " + p.pool() + ".");
      }
      return ipam.prepareAutoAssignOne(p.version(), hostname, p.pool(), owner, skip);
    }
    return ipam.prepareAutoAssignOne(request.version(), hostname, owner, skip);
  }

  /** Assigns the requested IP at once, in a transaction of its own. */
  InetAddress assign(IpRequest request, IpOwner owner) {
    return Retry.cas(
        "assigning " + request,
        () -> {
          IpamChange c = prepare(request, owner, Set.of());
          return ipam.commit(c) ? c.addresses().get(0) : null;
        });
  }
}
