package io.github.calicoj.netns.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.github.calicoj.netns.InterfaceName;
import io.github.calicoj.netns.IpPrefix;
import io.github.calicoj.netns.NetnsException;
import io.github.calicoj.netns.OwnedRoute;
import io.github.calicoj.netns.internal.msg.NlMessage;
import io.github.calicoj.netns.internal.msg.Requests;
import io.github.calicoj.netns.internal.msg.RouteMessage;
import io.github.calicoj.netns.internal.msg.Rtnl;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * {@link RtNetlink}'s requests on the routes a routing protocol number marks as its own ({@link
 * OwnedRoute}): replace and delete, one or many per call, and the dump of one protocol's routes.
 * Thread-safe (its socket is).
 */
final class OwnedRouteRequests {
  private final Supplier<NetlinkSocket> socket;
  private final LinkRequests links;

  /** Requests on {@code socket}'s socket; {@code links} resolves the routes' devices. */
  OwnedRouteRequests(Supplier<NetlinkSocket> socket, LinkRequests links) {
    this.socket = socket;
    this.links = links;
  }

  private NetlinkSocket socket() {
    return socket.get();
  }

  public void replaceRoute(OwnedRoute route) {
    requireNonNull(route, "route");
    socket().request(ownedRoutePart(route, Requests.REPLACE, deviceIndex(route)));
  }

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
    Set<InterfaceName> devices = new HashSet<>();
    routes.forEach(
        r -> {
          if (r.device() != null) {
            devices.add(r.device());
          }
        });
    Map<InterfaceName, Integer> out = new HashMap<>();
    if (devices.size() > 4) {
      links.links().forEach(l -> out.put(l.name(), l.index()));
    } else {
      for (InterfaceName d : devices) {
        links.findLink(d).ifPresent(l -> out.put(d, l.index()));
      }
    }
    return out;
  }

  /** The index of the route's device, or 0 if it names none. */
  private int deviceIndex(OwnedRoute route) {
    InterfaceName dev = route.device();
    return dev == null ? 0 : links.link(dev).index();
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
      links.links().forEach(l -> names.put(l.index(), l.name()));
    }
    List<OwnedRoute> out = new ArrayList<>();
    for (RouteMessage r : mine) {
      OwnedRoute route = toOwnedRoute(r, names);
      if (route != null) {
        out.add(route);
      }
    }
    out.sort(Comparator.comparing(OwnedRoute::toString));
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
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("Bad address length " + bytes.length, e);
    }
  }
}
