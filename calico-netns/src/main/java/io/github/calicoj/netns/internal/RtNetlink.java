package io.github.calicoj.netns.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.net.InetAddresses;
import io.github.calicoj.netns.CaliLinkConfig;
import io.github.calicoj.netns.InterfaceName;
import io.github.calicoj.netns.IpPrefix;
import io.github.calicoj.netns.Link;
import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.Netlink;
import io.github.calicoj.netns.NetnsException;
import io.github.calicoj.netns.NetnsSupport;
import io.github.calicoj.netns.OwnedRoute;
import io.github.calicoj.netns.Route;
import io.github.calicoj.netns.VethOptions;
import io.github.calicoj.netns.VethPeer;
import io.github.calicoj.netns.internal.msg.Requests;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The {@link Netlink} implementation: one {@link NetlinkSocket} plus an owned handle on the
 * socket's namespace (for the IPv6 settings that are {@code /proc/sys} files, and to compare
 * namespaces). It makes the requests on addresses and routes itself, and hands three families to
 * parts that share its socket: {@link LinkRequests} (creating, moving, finding and deleting links),
 * {@link OwnedRouteRequests} (routes marked with a protocol number) and {@link CaliLinkRequests}
 * (the host side of workload links). Thread-safe.
 */
public final class RtNetlink implements Netlink {
  private final NetNs ns;
  private final Duration timeout;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** The socket being made in {@link #ns} by the switcher; null if made at open. */
  private final @Nullable CompletableFuture<NetlinkSocket> pending;

  private final Object init = new Object();
  private volatile @Nullable NetlinkSocket socket; // set once; guarded by init while null
  private boolean pendingClaimed; // guarded by init

  private final LinkRequests links;
  private final OwnedRouteRequests routes;
  private final CaliLinkRequests caliLinks;

  private RtNetlink(
      @Nullable NetlinkSocket socket,
      @Nullable CompletableFuture<NetlinkSocket> pending,
      NetNs ns,
      Duration timeout) {
    this.socket = socket;
    this.pending = pending;
    this.ns = ns;
    this.timeout = timeout;
    this.links = new LinkRequests(this::socket);
    this.routes = new OwnedRouteRequests(this::socket, links);
    this.caliLinks = new CaliLinkRequests(this::socket, ns);
  }

  /** A socket in the calling thread's namespace. */
  public static RtNetlink openCurrent(Duration timeout) {
    NetnsSupport.ensureAvailable();
    NetNs here = NetNs.current();
    try {
      return new RtNetlink(
          NetlinkSocket.configure(NetlinkSocket.rawSocket(), timeout), null, here, timeout);
    } catch (RuntimeException e) {
      here.close();
      throw e;
    }
  }

  /**
   * A socket in {@code target}. The switcher thread makes it in the background (setns, socket,
   * setns back), so the caller's next steps, such as creating the veth on the host's socket, run
   * meanwhile; the first request here waits for it.
   */
  public static RtNetlink openIn(NetNs target, Duration timeout) {
    requireNonNull(target, "target");
    requireNonNull(timeout, "timeout");
    NetnsSupport.ensureAvailable();
    // Our own handle on the namespace, so the caller may close theirs while we live.
    NetNs own = target.duplicate();
    try {
      // The switcher binds and configures the socket too, once it is back home.
      CompletableFuture<NetlinkSocket> socket =
          Namespaces.submitToSwitcher(own.fd(), what(own), NetlinkSocket::rawSocket)
              .thenApply(fd -> NetlinkSocket.configure(fd, timeout));
      return new RtNetlink(null, socket, own, timeout);
    } catch (RuntimeException e) {
      own.close();
      throw e;
    }
  }

  private static String what(NetNs ns) {
    return "netns " + ns.path();
  }

  /** The socket, once the switcher has made it; throws what making it threw. */
  private NetlinkSocket socket() {
    NetlinkSocket s = socket;
    if (s != null) {
      return s;
    }
    synchronized (init) {
      if (closed.get()) {
        throw new IllegalStateException("Netlink socket is closed");
      }
      s = socket;
      if (s == null) {
        s =
            Namespaces.await(
                requireNonNull(pending),
                ns.fd(),
                what(ns),
                () -> NetlinkSocket.configure(NetlinkSocket.rawSocket(), timeout));
        pendingClaimed = true;
        socket = s;
      }
      return s;
    }
  }

  @Override
  public Link createVeth(
      InterfaceName host, InterfaceName peer, NetNs peerNs, VethOptions options) {
    return links.createVeth(host, peer, peerNs, options);
  }

  @Override
  public void moveToNamespace(InterfaceName link, NetNs target, InterfaceName newName) {
    links.moveToNamespace(link, target, newName);
  }

  @Override
  public void setUp(InterfaceName link) {
    links.setLinkUp(link, true);
  }

  @Override
  public void setDown(InterfaceName link) {
    links.setLinkUp(link, false);
  }

  @Override
  public void addAddress(InterfaceName link, IpPrefix address) {
    address(link, address, Requests.ADD);
  }

  @Override
  public void deleteAddress(InterfaceName link, IpPrefix address) {
    address(link, address, Requests.DELETE);
  }

  private void address(InterfaceName link, IpPrefix address, int mode) {
    requireNonNull(address, "address");
    socket().request(addressPart(link(link).index(), link, address, mode));
  }

  private static NetlinkSocket.Part addressPart(
      int index, InterfaceName link, IpPrefix address, int mode) {
    return new NetlinkSocket.Part(
        mode == Requests.DELETE ? "RTM_DELADDR" : "RTM_NEWADDR",
        address + " dev " + link,
        (buf, seq) ->
            Requests.address(buf, seq, mode, index, address.address(), address.prefixLength()));
  }

  @Override
  public void addRoute(Route route) {
    route(route, Requests.ADD);
  }

  @Override
  public void replaceRoute(Route route) {
    route(route, Requests.REPLACE);
  }

  @Override
  public void deleteRoute(Route route) {
    route(route, Requests.DELETE);
  }

  private void route(Route route, int mode) {
    requireNonNull(route, "route");
    socket().request(routePart(link(route.device()).index(), route, mode));
  }

  private static NetlinkSocket.Part routePart(int index, Route route, int mode) {
    return new NetlinkSocket.Part(
        mode == Requests.DELETE ? "RTM_DELROUTE" : "RTM_NEWROUTE",
        route.toString(),
        (buf, seq) ->
            Requests.route(
                buf,
                seq,
                mode,
                route.destination().address(),
                route.destination().prefixLength(),
                route.gateway(),
                index,
                route.linkScope()));
  }

  @Override
  public void configureInterface(Link link, List<IpPrefix> addresses, List<Route> routes) {
    requireNonNull(link, "link");
    List<IpPrefix> as = List.copyOf(addresses);
    List<Route> rs = List.copyOf(routes);
    for (Route r : rs) {
      checkArgument(r.device().equals(link.name()), "Route %s is not on %s", r, link.name());
    }
    InterfaceName name = link.name();
    List<NetlinkSocket.Part> parts = new ArrayList<>();
    parts.add(
        new NetlinkSocket.Part(
            "RTM_NEWLINK",
            name + " up",
            (buf, seq) -> Requests.setLinkUpByIndex(buf, seq, link.index())));
    for (IpPrefix a : as) {
      parts.add(addressPart(link.index(), name, a, Requests.REPLACE));
    }
    for (Route r : rs) {
      parts.add(routePart(link.index(), r, Requests.REPLACE));
    }
    socket().requestAll(parts);
  }

  @Override
  public void replaceRoute(OwnedRoute route) {
    routes.replaceRoute(route);
  }

  @Override
  public boolean deleteRoute(OwnedRoute route) {
    return routes.deleteRoute(route);
  }

  @Override
  public Map<OwnedRoute, NetnsException> replaceRoutes(Collection<OwnedRoute> routes) {
    return this.routes.replaceRoutes(routes);
  }

  @Override
  public Map<OwnedRoute, NetnsException> deleteRoutes(Collection<OwnedRoute> routes) {
    return this.routes.deleteRoutes(routes);
  }

  @Override
  public List<OwnedRoute> ownedRoutes(int protocol) {
    return routes.ownedRoutes(protocol);
  }

  @Override
  public void addProxyNeighbor(InterfaceName link, InetAddress address) {
    requireNonNull(address, "address");
    int index = link(link).index();
    socket()
        .request(
            "RTM_NEWNEIGH",
            "proxy " + InetAddresses.toAddrString(address) + " dev " + link,
            (buf, seq) -> Requests.proxyNeighbor(buf, seq, true, index, address));
  }

  @Override
  public Optional<Link> findLink(InterfaceName name) {
    return links.findLink(name);
  }

  @Override
  public Link link(InterfaceName name) {
    return links.link(name);
  }

  @Override
  public Optional<VethPeer> peerOf(InterfaceName name) {
    return links.peerOf(name);
  }

  @Override
  public OptionalInt namespaceId(NetNs other) {
    return links.namespaceId(other);
  }

  @Override
  public boolean isVethPeer(InterfaceName link, NetNs peerNs, InterfaceName peer) {
    requireNonNull(peerNs, "peerNs");
    requireNonNull(peer, "peer");
    Optional<VethPeer> found;
    try {
      found = peerOf(link); // first: it assigns the peer namespace an id if it had none
    } catch (NetnsException e) {
      if (e.isNotFound()) {
        return false;
      }
      throw e;
    }
    if (found.isEmpty() || !found.get().name().equals(peer)) {
      return false;
    }
    if (found.get().inSameNamespace()) {
      return peerNs.isSameAs(ns);
    }
    OptionalInt id = namespaceId(peerNs);
    return id.isPresent() && id.getAsInt() == found.get().namespaceId();
  }

  @Override
  public List<Link> links() {
    return links.links();
  }

  @Override
  public void deleteLink(InterfaceName name) {
    links.deleteLink(name);
  }

  @Override
  public boolean deleteLinkIfExists(InterfaceName name) {
    return links.deleteLinkIfExists(name);
  }

  @Override
  public int deleteLinks(Collection<InterfaceName> names) {
    return links.deleteLinks(names);
  }

  @Override
  public void configureCaliLink(Link caliLink, CaliLinkConfig config) {
    caliLinks.configureCaliLink(caliLink, config);
  }

  @Override
  public Map<InterfaceName, NetnsException> configureCaliLinks(Map<Link, CaliLinkConfig> links) {
    return caliLinks.configureCaliLinks(links);
  }

  /**
   * Closes the socket and our namespace handle. A socket still being made is closed when it
   * arrives; the namespace handle stays open until then, since the switcher uses it.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    NetlinkSocket s;
    boolean claimed;
    synchronized (init) {
      s = socket;
      claimed = pendingClaimed;
    }
    if (s != null) {
      s.close();
    }
    if (pending == null || claimed) {
      ns.close();
      return;
    }
    // The returned stage only repeats the socket's own outcome, which nobody is waiting for now.
    var unused =
        pending.whenComplete(
            (late, failure) -> {
              if (late != null) {
                late.close();
              }
              ns.close();
            });
  }

  @Override
  public String toString() {
    return "RtNetlink{" + ns + "}";
  }
}
