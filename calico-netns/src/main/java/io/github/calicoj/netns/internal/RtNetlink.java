package io.github.calicoj.netns.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.net.InetAddresses;
import io.github.calicoj.netns.CaliLinkConfig;
import io.github.calicoj.netns.InterfaceName;
import io.github.calicoj.netns.IpPrefix;
import io.github.calicoj.netns.Link;
import io.github.calicoj.netns.MacAddress;
import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.Netlink;
import io.github.calicoj.netns.NetnsException;
import io.github.calicoj.netns.NetnsSupport;
import io.github.calicoj.netns.OwnedRoute;
import io.github.calicoj.netns.Route;
import io.github.calicoj.netns.VethOptions;
import io.github.calicoj.netns.VethPeer;
import io.github.calicoj.netns.internal.msg.LinkMessage;
import io.github.calicoj.netns.internal.msg.NlMessage;
import io.github.calicoj.netns.internal.msg.Requests;
import io.github.calicoj.netns.internal.msg.RouteMessage;
import io.github.calicoj.netns.internal.msg.Rtnl;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * namespaces). Thread-safe.
 */
public final class RtNetlink implements Netlink {
  /** Interface groups calicoj may use for bulk deletes: 0x63610000-0x6361ffff ("ca"). */
  private static final int GROUP_BASE = 0x63610000;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final NetNs ns;
  private final Duration timeout;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** The socket being made in {@link #ns} by the switcher; null if made at open. */
  private final @Nullable CompletableFuture<NetlinkSocket> pending;

  private final Object init = new Object();
  private volatile @Nullable NetlinkSocket socket; // set once; guarded by init while null
  private boolean pendingClaimed; // guarded by init

  private RtNetlink(
      @Nullable NetlinkSocket socket,
      @Nullable CompletableFuture<NetlinkSocket> pending,
      NetNs ns,
      Duration timeout) {
    this.socket = socket;
    this.pending = pending;
    this.ns = ns;
    this.timeout = timeout;
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
    requireNonNull(host, "host");
    requireNonNull(peer, "peer");
    requireNonNull(peerNs, "peerNs");
    requireNonNull(options, "options");
    int nsFd = peerNs.fd();
    byte[] mac = options.hostMacAddress().map(MacAddress::bytes).orElse(null);
    List<NlMessage> replies =
        socket()
            .request(
                "RTM_NEWLINK",
                host + " type veth peer " + peer + " netns " + peerNs.path(),
                (buf, seq) ->
                    Requests.newVeth(
                        buf,
                        seq,
                        host.value(),
                        peer.value(),
                        nsFd,
                        mac,
                        options.mtu(),
                        options.group(),
                        options.hostUp()));
    for (NlMessage m : replies) { // the kernel's echo of the new host end
      if (m.type() == Rtnl.RTM_NEWLINK) {
        LinkMessage l = LinkMessage.parse(m.payload());
        if (l.name().equals(host.value())) {
          return toLink(l);
        }
      }
    }
    return link(host); // a kernel that does not echo RTM_NEWLINK
  }

  @Override
  public void moveToNamespace(InterfaceName link, NetNs target, InterfaceName newName) {
    requireNonNull(target, "target");
    requireNonNull(newName, "newName");
    int index = link(link).index();
    int nsFd = target.fd();
    socket()
        .request(
            "RTM_NEWLINK",
            link + " netns " + target.path() + " name " + newName,
            (buf, seq) -> Requests.moveLinkByIndex(buf, seq, index, nsFd, newName.value()));
  }

  @Override
  public void setUp(InterfaceName link) {
    setLinkUp(link, true);
  }

  @Override
  public void setDown(InterfaceName link) {
    setLinkUp(link, false);
  }

  private void setLinkUp(InterfaceName link, boolean up) {
    requireNonNull(link, "link");
    socket()
        .request(
            "RTM_NEWLINK",
            link + (up ? " up" : " down"),
            (buf, seq) -> Requests.setLinkUp(buf, seq, link.value(), up));
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
    requireNonNull(route, "route");
    socket().request(ownedRoutePart(route, Requests.REPLACE, deviceIndex(route)));
  }

  @Override
  public boolean deleteRoute(OwnedRoute route) {
    requireNonNull(route, "route");
    try {
      socket().request(ownedRoutePart(route, Requests.DELETE, 0));
      return true;
    } catch (NetnsException e) {
      if (e.isRouteNotFound()) {
        return false;
      }
      throw e;
    }
  }

  @Override
  public Map<OwnedRoute, NetnsException> replaceRoutes(Collection<OwnedRoute> routes) {
    List<OwnedRoute> rs = List.copyOf(routes);
    Map<InterfaceName, Integer> indexes = deviceIndexes(rs);
    Map<OwnedRoute, NetnsException> failures = new LinkedHashMap<>();
    List<OwnedRoute> sent = new ArrayList<>();
    List<NetlinkSocket.Part> parts = new ArrayList<>();
    for (OwnedRoute r : rs) {
      InterfaceName dev = r.device();
      int index = 0;
      if (dev != null) {
        Integer known = indexes.get(dev);
        if (known == null) {
          failures.put(
              r,
              Native.error("RTM_NEWROUTE", r.toString(), NetnsException.ENODEV, "no such device"));
          continue;
        }
        index = known;
      }
      sent.add(r);
      parts.add(ownedRoutePart(r, Requests.REPLACE, index));
    }
    collect(sent, socket().requestEach(parts), failures, false);
    return failures;
  }

  @Override
  public Map<OwnedRoute, NetnsException> deleteRoutes(Collection<OwnedRoute> routes) {
    List<OwnedRoute> rs = List.copyOf(routes);
    List<NetlinkSocket.Part> parts = new ArrayList<>(rs.size());
    for (OwnedRoute r : rs) {
      parts.add(ownedRoutePart(r, Requests.DELETE, 0));
    }
    Map<OwnedRoute, NetnsException> failures = new LinkedHashMap<>();
    collect(rs, socket().requestEach(parts), failures, true);
    return failures;
  }

  private static void collect(
      List<OwnedRoute> routes,
      @Nullable NetnsException[] outcomes,
      Map<OwnedRoute, NetnsException> failures,
      boolean absentIsFine) {
    for (int i = 0; i < outcomes.length; i++) {
      NetnsException e = outcomes[i];
      if (e != null && !(absentIsFine && e.isRouteNotFound())) {
        failures.put(routes.get(i), e);
      }
    }
  }

  /**
   * The indexes of the routes' devices that exist: looked up one by one for a few devices, from one
   * link dump for more.
   */
  private Map<InterfaceName, Integer> deviceIndexes(List<OwnedRoute> routes) {
    java.util.Set<InterfaceName> devices = new java.util.HashSet<>();
    routes.forEach(
        r -> {
          if (r.device() != null) {
            devices.add(r.device());
          }
        });
    Map<InterfaceName, Integer> out = new HashMap<>();
    if (devices.size() > 4) {
      links().forEach(l -> out.put(l.name(), l.index()));
    } else {
      for (InterfaceName d : devices) {
        findLink(d).ifPresent(l -> out.put(d, l.index()));
      }
    }
    return out;
  }

  /** The index of the route's device, or 0 if it names none. */
  private int deviceIndex(OwnedRoute route) {
    InterfaceName dev = route.device();
    return dev == null ? 0 : link(dev).index();
  }

  private static NetlinkSocket.Part ownedRoutePart(OwnedRoute r, int mode, int oifIndex) {
    InetAddress gateway = mode == Requests.DELETE ? null : r.gateway();
    int type = r.kind() == OwnedRoute.Kind.BLACKHOLE ? Rtnl.RTN_BLACKHOLE : Rtnl.RTN_UNICAST;
    return new NetlinkSocket.Part(
        mode == Requests.DELETE ? "RTM_DELROUTE" : "RTM_NEWROUTE",
        r.toString(),
        (buf, seq) ->
            Requests.protocolRoute(
                buf,
                seq,
                mode,
                r.destination().address(),
                r.destination().prefixLength(),
                type,
                gateway,
                oifIndex,
                r.protocol(),
                r.kind() == OwnedRoute.Kind.DEVICE));
  }

  @Override
  public List<OwnedRoute> ownedRoutes(int protocol) {
    checkArgument(
        protocol >= OwnedRoute.MIN_PROTOCOL && protocol <= 255,
        "Route protocol %s out of range %s..255",
        protocol,
        OwnedRoute.MIN_PROTOCOL);
    List<RouteMessage> mine = new ArrayList<>();
    for (NlMessage m :
        socket().request("RTM_GETROUTE", "dump", (buf, seq) -> Requests.dumpRoutes(buf, seq))) {
      if (m.type() != Rtnl.RTM_NEWROUTE) {
        continue;
      }
      RouteMessage r = RouteMessage.parse(m.payload());
      if (r.protocol() == protocol
          && r.table() == Rtnl.RT_TABLE_MAIN
          && !r.multipath()
          && (r.type() == Rtnl.RTN_UNICAST || r.type() == Rtnl.RTN_BLACKHOLE)
          && (r.family() == Rtnl.AF_INET || r.family() == Rtnl.AF_INET6)) {
        mine.add(r);
      }
    }
    Map<Integer, InterfaceName> names = new HashMap<>();
    if (mine.stream().anyMatch(r -> r.oif() > 0)) {
      links().forEach(l -> names.put(l.index(), l.name()));
    }
    List<OwnedRoute> out = new ArrayList<>();
    for (RouteMessage r : mine) {
      OwnedRoute route = toOwnedRoute(r, names);
      if (route != null) {
        out.add(route);
      }
    }
    out.sort(java.util.Comparator.comparing(OwnedRoute::toString));
    return List.copyOf(out);
  }

  /** The route, or null if its device went away between the two dumps. */
  private static @Nullable OwnedRoute toOwnedRoute(
      RouteMessage r, Map<Integer, InterfaceName> names) {
    boolean v4 = r.family() == Rtnl.AF_INET;
    byte[] dst = r.destination();
    IpPrefix destination =
        new IpPrefix(address(dst == null ? new byte[v4 ? 4 : 16] : dst), r.dstLen());
    if (r.type() == Rtnl.RTN_BLACKHOLE) {
      return OwnedRoute.blackhole(destination, r.protocol());
    }
    InterfaceName device = r.oif() > 0 ? names.get(r.oif()) : null;
    byte[] gw = r.gateway();
    if (gw != null) {
      return new OwnedRoute(destination, OwnedRoute.Kind.VIA, address(gw), device, r.protocol());
    }
    return device == null ? null : OwnedRoute.device(destination, device, r.protocol());
  }

  private static InetAddress address(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException("Bad address length " + bytes.length, e);
    }
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
    requireNonNull(name, "name");
    try {
      return Optional.of(link(name));
    } catch (NetnsException e) {
      if (e.isNotFound()) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public Link link(InterfaceName name) {
    requireNonNull(name, "name");
    List<NlMessage> replies =
        socket()
            .request(
                "RTM_GETLINK",
                name.value(),
                (buf, seq) -> Requests.getLink(buf, seq, name.value()));
    for (NlMessage m : replies) {
      if (m.type() == Rtnl.RTM_NEWLINK) {
        return toLink(LinkMessage.parse(m.payload()));
      }
    }
    throw Native.error("RTM_GETLINK", name.value(), NetnsException.ENODEV, "no RTM_NEWLINK reply");
  }

  @Override
  public Optional<VethPeer> peerOf(InterfaceName name) {
    Link l = link(name);
    if (!l.isVeth() || l.linkIndex() <= 0) {
      return Optional.empty();
    }
    int nsid = l.linkNetnsId();
    List<NlMessage> replies;
    try {
      replies =
          socket()
              .request(
                  "RTM_GETLINK",
                  "index " + l.linkIndex() + " link-netnsid " + nsid + " (peer of " + name + ")",
                  (buf, seq) -> Requests.getLinkByIndex(buf, seq, l.linkIndex(), nsid));
    } catch (NetnsException e) {
      if (e.isNotFound()) {
        return Optional.empty(); // the pair went away between the two requests
      }
      throw e;
    }
    for (NlMessage m : replies) {
      if (m.type() == Rtnl.RTM_NEWLINK) {
        LinkMessage peer = LinkMessage.parse(m.payload());
        return Optional.of(new VethPeer(peer.index(), InterfaceName.of(peer.name()), nsid));
      }
    }
    return Optional.empty();
  }

  @Override
  public OptionalInt namespaceId(NetNs other) {
    requireNonNull(other, "ns");
    int nsFd = other.fd();
    for (NlMessage m :
        socket()
            .request("RTM_GETNSID", other.path(), (buf, seq) -> Requests.getNsid(buf, seq, nsFd))) {
      if (m.type() == Rtnl.RTM_NEWNSID) {
        int id = m.nsid();
        return id < 0 ? OptionalInt.empty() : OptionalInt.of(id);
      }
    }
    return OptionalInt.empty();
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
    List<NlMessage> replies =
        socket().request("RTM_GETLINK", "dump", (buf, seq) -> Requests.dumpLinks(buf, seq));
    List<Link> links = new ArrayList<>();
    for (NlMessage m : replies) {
      if (m.type() == Rtnl.RTM_NEWLINK) {
        links.add(toLink(LinkMessage.parse(m.payload())));
      }
    }
    return List.copyOf(links);
  }

  @Override
  public void deleteLink(InterfaceName name) {
    requireNonNull(name, "name");
    socket()
        .request(
            "RTM_DELLINK", name.value(), (buf, seq) -> Requests.delLink(buf, seq, name.value()));
  }

  @Override
  public boolean deleteLinkIfExists(InterfaceName name) {
    try {
      deleteLink(name);
      return true;
    } catch (NetnsException e) {
      if (e.isNotFound()) {
        return false;
      }
      throw e;
    }
  }

  @Override
  public int deleteLinks(Collection<InterfaceName> names) {
    requireNonNull(names, "names");
    if (names.isEmpty()) {
      return 0;
    }
    int group = freeGroup();
    List<NetlinkSocket.Part> tags = new ArrayList<>(names.size());
    for (InterfaceName name : names) {
      tags.add(
          new NetlinkSocket.Part(
              "RTM_NEWLINK",
              name + " group " + group,
              (buf, seq) -> Requests.setLinkGroup(buf, seq, name.value(), group)));
    }
    int tagged = 0;
    NetnsException failure = null;
    for (NetnsException e : socket().requestEach(tags)) { // in as few datagrams as fit
      if (e == null) {
        tagged++;
      } else if (!e.isNotFound() && failure == null) {
        failure = e;
      }
    }
    if (tagged > 0) {
      // Also after a failure: what was tagged goes, rather than stay in calicoj's group.
      socket()
          .request(
              "RTM_DELLINK",
              "group " + group,
              (buf, seq) -> Requests.delLinkGroup(buf, seq, group));
    }
    if (failure != null) {
      throw failure;
    }
    return tagged;
  }

  /**
   * A group in calicoj's range that no link uses now (never group 0, which would be everything).
   */
  private int freeGroup() {
    for (int attempt = 0; attempt < 16; attempt++) {
      int group = GROUP_BASE + 1 + RANDOM.nextInt(0xfffe);
      int g = group;
      if (links().stream().noneMatch(l -> l.group() == g)) {
        return group;
      }
    }
    throw Native.error("bulk delete", "group", 0, "no free interface group in calicoj's range");
  }

  @Override
  public void configureCaliLink(Link caliLink, CaliLinkConfig config) {
    requireNonNull(caliLink, "link");
    requireNonNull(config, "config");
    socket().requestAll(caliLinkParts(caliLink, config));
    if (config.ipv6()) {
      ProcSys.write(ns, ipv6Settings(caliLink.name()));
    }
  }

  @Override
  public Map<InterfaceName, NetnsException> configureCaliLinks(Map<Link, CaliLinkConfig> links) {
    List<NetlinkSocket.Part> parts = new ArrayList<>();
    List<InterfaceName> owners = new ArrayList<>();
    Map<String, String> v6 = new LinkedHashMap<>();
    links.forEach(
        (l, config) -> {
          for (NetlinkSocket.Part p : caliLinkParts(l, config)) {
            parts.add(p);
            owners.add(l.name());
          }
          if (config.ipv6()) {
            v6.putAll(ipv6Settings(l.name()));
          }
        });
    Map<InterfaceName, NetnsException> failures = new LinkedHashMap<>();
    NetnsException[] outcomes = socket().requestEach(parts);
    for (int i = 0; i < outcomes.length; i++) {
      if (outcomes[i] != null) {
        failures.putIfAbsent(owners.get(i), outcomes[i]);
      }
    }
    if (!v6.isEmpty()) {
      try {
        ProcSys.write(ns, v6);
      } catch (NetnsException e) {
        // One write failed (its link went away, say): the others one link at a time.
        links.forEach(
            (l, config) -> {
              if (config.ipv6() && !failures.containsKey(l.name())) {
                try {
                  ProcSys.write(ns, ipv6Settings(l.name()));
                } catch (NetnsException e2) {
                  failures.put(l.name(), e2);
                }
              }
            });
      }
    }
    return failures;
  }

  private static Map<String, String> ipv6Settings(InterfaceName link) {
    Map<String, String> v6 = new LinkedHashMap<>();
    v6.put("net.ipv6.conf." + link + ".forwarding", "1");
    v6.put("net.ipv6.conf." + link + ".proxy_ndp", "1");
    return v6;
  }

  /** The netlink requests of {@link #configureCaliLink} for one link. */
  private static List<NetlinkSocket.Part> caliLinkParts(Link caliLink, CaliLinkConfig config) {
    int index = caliLink.index();
    InterfaceName link = caliLink.name();
    List<NetlinkSocket.Part> parts = new ArrayList<>();
    if (config.ipv4()) {
      parts.add(
          new NetlinkSocket.Part(
              "RTM_SETLINK",
              link + " ipv4 forwarding 1 proxy_arp 1",
              (buf, seq) ->
                  Requests.setInet4Conf(
                      buf,
                      seq,
                      index,
                      Rtnl.IPV4_DEVCONF_FORWARDING,
                      1,
                      Rtnl.IPV4_DEVCONF_PROXY_ARP,
                      1)));
      parts.add(
          new NetlinkSocket.Part(
              "RTM_SETNEIGHTBL",
              "arp_cache dev " + link + " proxy_delay 0",
              (buf, seq) -> Requests.setProxyDelay(buf, seq, Rtnl.AF_INET, "arp_cache", index, 0)));
    }
    for (InetAddress a : config.ipv6ProxyNeighbors()) {
      parts.add(
          new NetlinkSocket.Part(
              "RTM_NEWNEIGH",
              "proxy " + InetAddresses.toAddrString(a) + " dev " + link,
              (buf, seq) -> Requests.proxyNeighbor(buf, seq, true, index, a)));
    }
    return parts;
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

  private static Link toLink(LinkMessage m) {
    byte[] addr = m.address();
    MacAddress mac = addr != null && addr.length == 6 ? MacAddress.of(addr) : MacAddress.ZERO;
    return new Link(
        m.index(),
        InterfaceName.of(m.name()),
        mac,
        m.mtu(),
        m.up(),
        m.group(),
        m.kind(),
        m.link(),
        m.linkNetnsId());
  }
}
