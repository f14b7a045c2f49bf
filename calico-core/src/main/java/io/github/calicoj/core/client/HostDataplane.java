package io.github.calicoj.core.client;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.NodeNotConfiguredException;
import io.github.calicoj.core.NotFoundException;
import io.github.calicoj.core.WireFormat;
import io.github.calicoj.core.repository.Hosts;
import io.github.calicoj.netns.CaliLinkConfig;
import io.github.calicoj.netns.InterfaceName;
import io.github.calicoj.netns.IpPrefix;
import io.github.calicoj.netns.Link;
import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.Netlink;
import io.github.calicoj.netns.NetnsException;
import io.github.calicoj.netns.Route;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The host's side of the workloads: the namespace the cali ends live in and a netlink socket in it
 * (opened on first use), the per-link settings Calico's node sets (proxy ARP and NDP, proxy delay,
 * forwarding), the /32 (/128) route to each workload, and this host's next hops (read from the
 * datastore, cached for a second). Thread-safe; owns its socket and namespace handle.
 */
final class HostDataplane implements AutoCloseable {
  /** Era B's IPv4 next hop, owned by nobody and answered by proxy ARP. */
  static final InetAddress LINK_LOCAL_V4 = InetAddresses.forString("169.254.1.1");

  /** Era B's IPv6 next hop: the link-local address the kernel derives from ee:ee:ee:ee:ee:ee. */
  static final InetAddress LINK_LOCAL_V6 = InetAddresses.forString("fe80::ecee:eeff:feee:eeee");

  /** How long this host's next hops are cached. */
  private static final long NEXT_HOP_TTL_NANOS = 1_000_000_000L;

  private final String hostname;
  private final WireFormat format;
  private final Hosts hosts;
  private final boolean routing;
  private final @Nullable Path namespacePath;

  private final Object lock = new Object();
  private @Nullable Netlink netlink; // guarded by lock; opened on first use
  private @Nullable NetNs namespace; // guarded by lock
  private NetNs.@Nullable Identity identity; // guarded by lock
  private boolean closed; // guarded by lock

  private volatile @Nullable Map<Integer, InetAddress> cachedHops;
  private volatile long cachedHopsAt;

  HostDataplane(
      String hostname, WireFormat format, Hosts hosts, boolean routing, @Nullable Path namespace) {
    this.hostname = hostname;
    this.format = format;
    this.hosts = hosts;
    this.routing = routing;
    this.namespacePath = namespace;
  }

  /** Whether this client programs the host side (routes, link settings). */
  boolean routing() {
    return routing;
  }

  /** The netlink socket in the host-side namespace. */
  Netlink netlink() {
    synchronized (lock) {
      open();
      return Objects.requireNonNull(netlink);
    }
  }

  /** The identity of the host-side namespace: the configured one, or the caller's at first use. */
  NetNs.Identity identity() {
    synchronized (lock) {
      open();
      return Objects.requireNonNull(identity);
    }
  }

  private void open() {
    if (closed) {
      throw new IllegalStateException("CalicoClient is closed");
    }
    if (netlink == null) {
      if (namespacePath != null) {
        namespace = NetNs.open(namespacePath);
        identity = namespace.identity();
        netlink = Netlink.openIn(namespace);
      } else {
        identity = NetNs.currentThreadIdentity();
        netlink = Netlink.open();
      }
    }
  }

  // ------------------------------------------------------------------ next hops

  /**
   * This host's next hop for {@code version}: in era B the link-local addresses, in era A the
   * host's BGP address of that family, read at most once a second.
   *
   * @throws NodeNotConfiguredException if the host has none of that family
   */
  InetAddress nextHop(int version) {
    if (format.era() == WireFormat.Era.LINK_LOCAL) {
      return version == 4 ? LINK_LOCAL_V4 : LINK_LOCAL_V6;
    }
    Map<Integer, InetAddress> hops = cachedHops;
    if (hops == null
        || System.nanoTime() - cachedHopsAt > NEXT_HOP_TTL_NANOS
        || !hops.containsKey(version)) {
      try {
        hops = hosts.nextHops(hostname);
      } catch (NotFoundException e) {
        throw new NodeNotConfiguredException(version);
      }
      cachedHops = hops;
      cachedHopsAt = System.nanoTime();
    }
    InetAddress hop = hops.get(version);
    if (hop == null) {
      throw new NodeNotConfiguredException(version);
    }
    return hop;
  }

  /** Forgets the cached next hops (after the node is configured). */
  void forgetNextHops() {
    cachedHops = null;
  }

  // ------------------------------------------------------------------ links and routes

  /**
   * Adds the route to a workload address through its cali link, unless a route to that address
   * exists ({@code ip route add}, never replace): before the address is committed it may still be
   * another workload's.
   *
   * @return false if a route to the address exists already
   */
  boolean addRouteUnlessTaken(InetAddress ip, InterfaceName cali) {
    try {
      netlink().addRoute(Route.toDevice(IpPrefix.host(ip), cali));
      return true;
    } catch (NetnsException e) {
      if (e.isAlreadyExists()) {
        return false;
      }
      throw e;
    }
  }

  /** Points the route to a workload address at its cali link ({@code ip route replace}). */
  void replaceRoute(InetAddress ip, InterfaceName cali) {
    netlink().replaceRoute(Route.toDevice(IpPrefix.host(ip), cali));
  }

  /** Deletes the route to a workload address through its cali link, if there is one. */
  void deleteRouteIfExists(InetAddress ip, InterfaceName cali) {
    try {
      netlink().deleteRoute(Route.toDevice(IpPrefix.host(ip), cali));
    } catch (NetnsException e) {
      if (!e.isNotFound()) {
        throw e;
      }
    }
  }

  /**
   * Sets what Calico's node sets on a cali link for a workload address: for IPv4 proxy ARP, no
   * proxy delay and forwarding; for IPv6 proxy NDP, forwarding and a proxy neighbour for the next
   * hop.
   */
  void configureLink(Link cali, InetAddress ip, InetAddress nextHop) {
    netlink()
        .configureCaliLink(
            cali,
            ip instanceof Inet4Address ? CaliLinkConfig.IPV4 : CaliLinkConfig.ipv6Only(nextHop));
  }

  /** True if the host side has this link. */
  boolean hasLink(InterfaceName name) {
    return netlink().exists(name);
  }

  /** Deletes a link (and so its veth peer and routes), if it exists. */
  boolean deleteLinkIfExists(InterfaceName name) {
    return netlink().deleteLinkIfExists(name);
  }

  /** Deletes links in one bulk kernel request. */
  int deleteLinks(Collection<InterfaceName> names) {
    return names.isEmpty() ? 0 : netlink().deleteLinks(names);
  }

  /** Releases the socket and the namespace handle. Idempotent. */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      if (netlink != null) {
        netlink.close();
      }
      if (namespace != null) {
        namespace.close();
      }
    }
  }
}
