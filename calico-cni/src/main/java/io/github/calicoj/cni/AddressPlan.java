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
 * What address an ADD asks IPAM for, decided before anything is written: a specific IP ({@code
 * CNI_ARGS} {@code IP=} or {@code runtimeConfig.ips}; it must lie in the family's configured pools,
 * if any), or the next free address of the one enabled family, from each configured pool in turn
 * (the next is tried when one is full), or from any pool. One family per container: both {@code
 * assign_ipv4} and {@code assign_ipv6} is refused, since the SDK adds a second family to a workload
 * it resolved itself only through a Docker name or a namespace path. Stateless.
 */
final class AddressPlan {
  private AddressPlan() {}

  /**
   * The requests to try in order: the first that succeeds is the container's address.
   *
   * @throws CniException ({@link CniCode#UNSUPPORTED_FIELD}) for two families; ({@link
   *     CniCode#INVALID_CONFIG}) for no family, or two requested addresses of one family; ({@link
   *     CniCode#ADDRESS_UNAVAILABLE}) for a requested address outside the configured pools
   */
  static List<IpRequest> of(NetConf conf, CniArgs args) {
    Set<InetAddress> wanted = new LinkedHashSet<>(args.ips());
    wanted.addAll(conf.runtimeIps);
    IpamConf ipam = conf.ipam;
    if (wanted.size() > 1) {
      long v4 = wanted.stream().filter(a -> a instanceof Inet4Address).count();
      String list = String.join(", ", wanted.stream().map(InetAddresses::toAddrString).toList());
      if (v4 > 0 && v4 < wanted.size()) {
        throw new CniException(
            CniCode.UNSUPPORTED_FIELD,
            "IPv4 and IPv6 addresses requested ("
                + list
                + "): this plugin gives a container one address family");
      }
      throw new CniException(
          CniCode.INVALID_CONFIG,
          "More than one address requested (" + list + " from CNI_ARGS IP and runtimeConfig.ips)");
    }
    if (wanted.size() == 1) {
      InetAddress ip = wanted.iterator().next();
      int version = ip instanceof Inet4Address ? 4 : 6;
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
      return List.of(new IpRequest.Specific(ip));
    }
    if (ipam.assignIpv4() && ipam.assignIpv6()) {
      throw new CniException(
          CniCode.UNSUPPORTED_FIELD,
          "ipam.assign_ipv4 and ipam.assign_ipv6 are both true: this plugin gives a container one"
              + " address family");
    }
    if (!ipam.assignIpv4() && !ipam.assignIpv6()) {
      throw new CniException(
          CniCode.INVALID_CONFIG,
          "ipam.assign_ipv4 and ipam.assign_ipv6 are both false and no IP was requested");
    }
    int version = ipam.assignIpv4() ? 4 : 6;
    List<Cidr> pools = ipam.pools(version);
    if (pools.isEmpty()) {
      return List.of(new IpRequest.Auto(version));
    }
    List<IpRequest> out = new ArrayList<>();
    pools.forEach(p -> out.add(new IpRequest.FromPool(p)));
    return out;
  }
}
