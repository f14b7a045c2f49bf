package io.github.calicoj.node.internal.route;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableSortedSet;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.HostConfig;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.node.internal.model.Problem;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The host-gw routes kept up to date endpoint by endpoint: the same routes and problems as {@link
 * RouteRenderer} renders from a whole snapshot. Every source (a local endpoint, a block, a remote
 * endpoint) puts candidates under their destinations with a rank that is {@link RouteRenderer}'s
 * order (local endpoints by key, this host's blocks, other hosts' blocks by host, remote endpoints
 * by key); the best-ranked candidate is the route, and a different one ranked lower is a conflict.
 * Pools, host addresses and affinities are fixed for its life: when they change, build a new one.
 * Not thread-safe.
 */
public final class LiveRoutes {
  private static final Comparator<Rank> ORDER =
      Comparator.comparingInt(Rank::kind)
          .thenComparing(Rank::key)
          .thenComparing(Rank::block, Comparator.nullsFirst(Comparator.naturalOrder()))
          .thenComparingInt(Rank::index);

  private final String hostname;
  private final List<IpPool> pools;
  private final Map<String, HostConfig> hosts;
  private final Map<String, ImmutableSortedSet<Cidr>> affinities;
  private final Map<Cidr, TreeMap<Rank, Candidate>> candidates = new HashMap<>();
  private final Map<String, List<Candidate>> bySource = new HashMap<>();
  private final Map<String, List<Problem>> sourceProblems = new TreeMap<>();
  private final Map<Cidr, List<Problem>> conflicts = new HashMap<>();
  private final Map<Cidr, Route> routes = new HashMap<>();
  private final List<Problem> poolProblems = new ArrayList<>();
  private final Map<Cidr, Optional<Route>> before = new HashMap<>();

  /** Where a candidate stands: {@link RouteRenderer}'s order. */
  private record Rank(int kind, String key, @Nullable Cidr block, int index) {}

  /** A route a source wants, with its rank and its owner's description. */
  private record Candidate(Rank rank, Route route, String owner) {}

  /**
   * The block routes of {@code hostname}'s view: blackholes for its own blocks, routes via the
   * other hosts to theirs. Endpoints come with {@link #endpoint}.
   */
  public LiveRoutes(
      String hostname,
      Iterable<IpPool> pools,
      Map<String, HostConfig> hosts,
      Map<String, ImmutableSortedSet<Cidr>> affinities) {
    this.hostname = requireNonNull(hostname, "hostname");
    this.pools = new ArrayList<>();
    pools.forEach(this.pools::add);
    this.hosts = Map.copyOf(hosts);
    this.affinities = Map.copyOf(affinities);
    affinities.forEach(
        (host, blocks) -> {
          List<Candidate> mine = new ArrayList<>();
          List<Problem> problems = new ArrayList<>();
          for (Cidr b : blocks) {
            if (host.equals(hostname)) {
              mine.add(
                  new Candidate(new Rank(1, "", b, 0), Route.blackhole(b), "this host's block"));
            } else {
              InetAddress via = nextHop(host, b, problems);
              if (via != null) {
                mine.add(new Candidate(new Rank(2, host, b, 0), Route.via(b, via), "host " + host));
              }
            }
          }
          add("block " + host, mine, problems);
        });
    for (IpPool p : this.pools) {
      if (p.ipip()) {
        poolProblems.add(
            new Problem(
                "pool " + p.cidr(),
                "IP-in-IP is not supported yet: its routes go via the hosts' addresses directly,"
                    + " which needs the hosts on one L2 segment"));
      }
    }
  }

  /** The endpoint stored at {@code key} is now {@code endpoint} (null: deleted or invalid). */
  public void endpoint(String key, @Nullable WorkloadEndpoint endpoint) {
    remove(key);
    if (endpoint == null) {
      return;
    }
    List<Candidate> mine = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    List<Cidr> nets = endpoint.nets();
    String owner = "endpoint " + endpoint.endpointId();
    if (endpoint.hostname().equals(hostname)) {
      if (endpoint.state().equals("active")) {
        for (int i = 0; i < nets.size(); i++) {
          Cidr net = nets.get(i);
          mine.add(
              new Candidate(new Rank(0, key, null, i), Route.device(net, endpoint.name()), owner));
        }
      }
    } else {
      Set<Cidr> blocks = affinities.getOrDefault(endpoint.hostname(), ImmutableSortedSet.of());
      for (int i = 0; i < nets.size(); i++) {
        Cidr net = nets.get(i);
        if (inPool(net) && blocks.stream().noneMatch(b -> b.contains(net))) {
          InetAddress via = nextHop(endpoint.hostname(), net, problems);
          if (via != null) {
            mine.add(new Candidate(new Rank(3, key, null, i), Route.via(net, via), owner));
          }
        }
      }
    }
    add(key, mine, problems);
  }

  /** Every route wanted now, by destination (a live view). */
  public Map<Cidr, Route> routes() {
    return java.util.Collections.unmodifiableMap(routes);
  }

  /** The problems: conflicts, hosts without an address, IP-in-IP pools. */
  public List<Problem> problems() {
    List<Problem> out = new ArrayList<>(poolProblems);
    sourceProblems.values().forEach(out::addAll);
    conflicts.values().forEach(out::addAll);
    return out;
  }

  /**
   * What changed since the last drain: routes to set (new or different) by destination, into {@code
   * set}, and destinations without a route now, into {@code removed}; then forgets it.
   */
  public void drain(Map<Cidr, Route> set, Set<Cidr> removed) {
    before.forEach(
        (d, was) -> {
          Route now = routes.get(d);
          if (now == null) {
            if (was.isPresent()) {
              removed.add(d);
            }
          } else if (!was.isPresent() || !was.get().equals(now)) {
            set.put(d, now);
          }
        });
    before.clear();
  }

  /** Counts the routes as they are now as applied. */
  public void markApplied() {
    before.clear();
  }

  private void add(String source, List<Candidate> mine, List<Problem> problems) {
    if (!problems.isEmpty()) {
      sourceProblems.put(source, problems);
    }
    if (mine.isEmpty()) {
      return;
    }
    bySource.put(source, mine);
    for (Candidate c : mine) {
      Cidr d = c.route().destination();
      candidates.computeIfAbsent(d, k -> new TreeMap<>(ORDER)).put(c.rank(), c);
      settle(d);
    }
  }

  private void remove(String source) {
    sourceProblems.remove(source);
    List<Candidate> old = bySource.remove(source);
    if (old == null) {
      return;
    }
    for (Candidate c : old) {
      Cidr d = c.route().destination();
      TreeMap<Rank, Candidate> at = requireNonNull(candidates.get(d));
      at.remove(c.rank());
      if (at.isEmpty()) {
        candidates.remove(d);
      }
      settle(d);
    }
  }

  /** Picks the best candidate of a destination and lists the conflicting others. */
  private void settle(Cidr d) {
    if (!before.containsKey(d)) {
      before.put(d, Optional.ofNullable(routes.get(d)));
    }
    conflicts.remove(d);
    TreeMap<Rank, Candidate> at = candidates.get(d);
    if (at == null) {
      routes.remove(d);
      return;
    }
    Candidate first = at.firstEntry().getValue();
    routes.put(d, first.route());
    List<Problem> found = new ArrayList<>();
    for (Candidate c : at.tailMap(first.rank(), false).values()) {
      if (!c.route().equals(first.route())) {
        found.add(RouteRenderer.conflict(first.owner(), first.route(), c.owner(), c.route()));
      }
    }
    if (!found.isEmpty()) {
      conflicts.put(d, found);
    }
  }

  private @Nullable InetAddress nextHop(String host, Cidr dest, List<Problem> problems) {
    return RouteRenderer.nextHop(hosts, host, dest, problems);
  }

  private boolean inPool(Cidr net) {
    for (IpPool p : pools) {
      if (p.cidr().contains(net)) {
        return true;
      }
    }
    return false;
  }
}
