package io.github.calicoj.node.internal.route;

import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.HostConfig;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.node.internal.model.Problem;
import io.github.calicoj.node.internal.model.Snapshot;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The host-gw routes of a snapshot (the routes Felix and BIRD's full mesh gave a host, without
 * BGP), one per destination; where two sources want the same destination, the first in this order
 * wins and the other is reported:
 *
 * <ol>
 *   <li>each active local endpoint's addresses through its interface;
 *   <li>a blackhole for each block affine to this host;
 *   <li>each block affine to another host, via that host's address of the block's family;
 *   <li>each address of another host's endpoint that lies in a pool but not in a block affine to
 *       that host (borrowed or static IPs), via that host's address.
 * </ol>
 *
 * IP-in-IP pools get the same routes (no tunnel yet), reported once per pool. Stateless and
 * thread-safe.
 */
public final class RouteRenderer {
  private RouteRenderer() {}

  /** The routes by destination; problems found are added to {@code problems}. */
  public static ImmutableSortedMap<Cidr, Route> render(Snapshot s, List<Problem> problems) {
    SortedMap<Cidr, Route> routes = new TreeMap<>();
    SortedMap<Cidr, String> owners = new TreeMap<>();
    for (WorkloadEndpoint ep : s.localEndpoints()) {
      if (ep.state().equals("active")) {
        for (Cidr net : ep.nets()) {
          add(
              routes,
              owners,
              Route.device(net, ep.name()),
              "endpoint " + ep.endpointId(),
              problems);
        }
      }
    }
    Set<Cidr> own = s.affinities().getOrDefault(s.hostname(), ImmutableSortedSet.of());
    for (Cidr block : own) {
      add(routes, owners, Route.blackhole(block), "this host's block", problems);
    }
    for (Map.Entry<String, ? extends Set<Cidr>> e : s.affinities().entrySet()) {
      if (e.getKey().equals(s.hostname())) {
        continue;
      }
      for (Cidr block : e.getValue()) {
        InetAddress via = nextHop(s, e.getKey(), block, problems);
        if (via != null) {
          add(routes, owners, Route.via(block, via), "host " + e.getKey(), problems);
        }
      }
    }
    for (WorkloadEndpoint ep : s.endpoints().values()) {
      if (ep.hostname().equals(s.hostname())) {
        continue;
      }
      Set<Cidr> blocks = s.affinities().getOrDefault(ep.hostname(), ImmutableSortedSet.of());
      for (Cidr net : ep.nets()) {
        if (inPool(s, net) && blocks.stream().noneMatch(b -> b.contains(net))) {
          InetAddress via = nextHop(s, ep.hostname(), net, problems);
          if (via != null) {
            add(routes, owners, Route.via(net, via), "endpoint " + ep.endpointId(), problems);
          }
        }
      }
    }
    for (IpPool p : s.pools().values()) {
      if (p.ipip()) {
        problems.add(
            new Problem(
                "pool " + p.cidr(),
                "IP-in-IP is not supported yet: its routes go via the hosts' addresses directly,"
                    + " which needs the hosts on one L2 segment"));
      }
    }
    return ImmutableSortedMap.copyOfSorted(routes);
  }

  private static void add(
      SortedMap<Cidr, Route> routes,
      SortedMap<Cidr, String> owners,
      Route r,
      String owner,
      List<Problem> problems) {
    Route first = routes.putIfAbsent(r.destination(), r);
    if (first == null) {
      owners.put(r.destination(), owner);
    } else if (!first.equals(r)) {
      problems.add(conflict(owners.get(r.destination()), first, owner, r));
    }
  }

  /** The problem of a route that a later source wants differently; the first one is kept. */
  static Problem conflict(@Nullable String firstOwner, Route first, String owner, Route r) {
    return new Problem(
        "route " + r.destination(),
        "wanted by "
            + firstOwner
            + " ("
            + first
            + ") and by "
            + owner
            + " ("
            + r
            + "); the first is kept");
  }

  private static @Nullable InetAddress nextHop(
      Snapshot s, String host, Cidr dest, List<Problem> problems) {
    return nextHop(s.hosts(), host, dest, problems);
  }

  /** {@code host}'s address of {@code dest}'s family, or null (with a problem) if it has none. */
  static @Nullable InetAddress nextHop(
      Map<String, HostConfig> hosts, String host, Cidr dest, List<Problem> problems) {
    HostConfig h = hosts.get(host);
    InetAddress via = h == null ? null : h.nextHop(dest.version()).orElse(null);
    if (via == null) {
      problems.add(
          new Problem(
              "host " + host,
              "has no IPv"
                  + dest.version()
                  + " address (ip_addr_v"
                  + dest.version()
                  + " or bird_ip): no route to "
                  + dest));
    }
    return via;
  }

  private static boolean inPool(Snapshot s, Cidr net) {
    return s.pools().keySet().stream().anyMatch(p -> p.contains(net));
  }
}
