package io.github.calicoj.cni;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.client.IpRequest;
import io.github.calicoj.core.model.Cidr;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What addresses an ADD asks IPAM for, decided before anything is written: one address of each
 * family the container gets, IPv4 first. For each family, either a specific IP ({@code CNI_ARGS}
 * {@code IP=} or {@code runtimeConfig.ips}; it must lie in the family's configured pools, if any),
 * or the next free address from each configured pool in turn (the next is tried when one is full),
 * or from any pool. Requested IPs decide the families (at most one per family); without any, {@code
 * assign_ipv4} and {@code assign_ipv6} do. Immutable.
 *
 * @param families per family, the requests to try in order: the first that succeeds is the
 *     container's address of that family
 */
record AddressPlan(List<List<IpRequest>> families) {

  /** Copies the lists. */
  AddressPlan {
    families = families.stream().map(List::copyOf).toList();
    if (families.isEmpty() || families.size() > 2) {
      throw new IllegalArgumentException("one or two families, not " + families.size());
    }
  }

  /**
   * The plan for {@code conf} and {@code args}.
   *
   * @throws CniException ({@link CniCode#INVALID_CONFIG}) for no family, or two requested addresses
   *     of one family; ({@link CniCode#ADDRESS_UNAVAILABLE}) for a requested address outside the
   *     configured pools
   */
  static AddressPlan of(NetConf conf, CniArgs args) {
    Set<InetAddress> wanted = new LinkedHashSet<>(args.ips());
    wanted.addAll(conf.runtimeIps);
    IpamConf ipam = conf.ipam;
    List<List<IpRequest>> families = new ArrayList<>();
    if (!wanted.isEmpty()) {
      for (int version : new int[] {4, 6}) {
        List<InetAddress> ips =
            wanted.stream().filter(a -> (a instanceof Inet4Address) == (version == 4)).toList();
        if (ips.size() > 1) {
          throw new CniException(
              CniCode.INVALID_CONFIG,
              "More than one IPv"
                  + version
                  + " address requested ("
                  + String.join(", ", ips.stream().map(InetAddresses::toAddrString).toList())
                  + " from CNI_ARGS IP and runtimeConfig.ips)");
        }
        if (ips.size() == 1) {
          families.add(List.of(specific(ips.get(0), version, ipam)));
        }
      }
      return new AddressPlan(families);
    }
    if (!ipam.assignIpv4() && !ipam.assignIpv6()) {
      throw new CniException(
          CniCode.INVALID_CONFIG,
          "ipam.assign_ipv4 and ipam.assign_ipv6 are both false and no IP was requested");
    }
    if (ipam.assignIpv4()) {
      families.add(fromPools(ipam, 4));
    }
    if (ipam.assignIpv6()) {
      families.add(fromPools(ipam, 6));
    }
    return new AddressPlan(families);
  }

  private static IpRequest specific(InetAddress ip, int version, IpamConf ipam) {
    List<Cidr> pools = ipam.pools(version);
    if (!pools.isEmpty() && pools.stream().noneMatch(p -> p.contains(ip))) {
      throw new CniException(
          CniCode.ADDRESS_UNAVAILABLE,
          "Requested IP "
              + InetAddresses.toAddrString(ip)
              + " is not in ipam.ipv"
              + version
              + "_pools "
              + pools);
    }
    return new IpRequest.Specific(ip);
  }

  private static List<IpRequest> fromPools(IpamConf ipam, int version) {
    List<Cidr> pools = ipam.pools(version);
    if (pools.isEmpty()) {
      return List.of(new IpRequest.Auto(version));
    }
    List<IpRequest> out = new ArrayList<>();
    pools.forEach(p -> out.add(new IpRequest.FromPool(p)));
    return out;
  }
}
