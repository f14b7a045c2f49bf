package io.github.calicoj.netns;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

/**
 * What {@link Netlink#configureCaliLink} sets on the host end of a workload's veth, per address
 * family, as Calico does:
 *
 * <ul>
 *   <li>IPv4: {@code forwarding} 1, {@code proxy_arp} 1 (the host answers ARP for the workload's
 *       gateway, 169.254.1.1 or the host's own address) and the neighbour table's {@code
 *       proxy_delay} 0 (no random delay before those answers);
 *   <li>IPv6: {@code forwarding} 1, {@code proxy_ndp} 1, and a proxy-NDP entry for each address in
 *       {@link #ipv6ProxyNeighbors()} (the workload's gateway).
 * </ul>
 *
 * Immutable.
 *
 * @param ipv4 whether to set the IPv4 part
 * @param ipv6 whether to set the IPv6 part
 * @param ipv6ProxyNeighbors IPv6 addresses to answer neighbour solicitations for; empty unless
 *     {@code ipv6}
 */
public record CaliLinkConfig(boolean ipv4, boolean ipv6, List<InetAddress> ipv6ProxyNeighbors) {

  /** The IPv4 part alone. */
  public static final CaliLinkConfig IPV4 = new CaliLinkConfig(true, false, List.of());

  /** Validates and copies. */
  public CaliLinkConfig {
    ipv6ProxyNeighbors = List.copyOf(requireNonNull(ipv6ProxyNeighbors, "ipv6ProxyNeighbors"));
    checkArgument(ipv4 || ipv6, "Configure at least one address family");
    checkArgument(
        ipv6 || ipv6ProxyNeighbors.isEmpty(),
        "IPv6 proxy neighbours without IPv6: %s",
        ipv6ProxyNeighbors);
    for (InetAddress a : ipv6ProxyNeighbors) {
      checkArgument(a instanceof Inet6Address, "Not an IPv6 proxy neighbour: %s", a);
    }
  }

  /** The IPv6 part alone, with proxy-NDP entries for {@code proxyNeighbors}. */
  public static CaliLinkConfig ipv6Only(InetAddress... proxyNeighbors) {
    return new CaliLinkConfig(false, true, List.of(proxyNeighbors));
  }

  /** This configuration plus the IPv6 part, with proxy-NDP entries for {@code proxyNeighbors}. */
  public CaliLinkConfig withIpv6(InetAddress... proxyNeighbors) {
    return new CaliLinkConfig(ipv4, true, List.of(proxyNeighbors));
  }
}
