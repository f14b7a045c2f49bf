package io.github.calicoj.node.internal.agent;

import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.netns.InterfaceName;
import io.github.calicoj.netns.IpPrefix;
import io.github.calicoj.netns.NetnsException;
import io.github.calicoj.netns.OwnedRoute;
import io.github.calicoj.node.internal.dataplane.Dataplane;
import io.github.calicoj.node.internal.route.Route;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the agent's routes in the kernel equal to the wanted ones: applies each change as it comes
 * ({@link #apply}) and, from time to time and after a resync, compares with the kernel's own list
 * of routes of the agent's protocol ({@link #reconcile}), re-creating what is missing (such as a
 * workload route someone deleted) and deleting what is not wanted. A route the kernel refuses (its
 * device does not exist yet, its gateway is unreachable) is remembered, logged once, and tried
 * again at the next reconcile; it never stops the other routes. Not thread-safe: the agent's loop
 * owns it.
 */
final class RouteSync {
  private static final Logger LOG = LoggerFactory.getLogger(RouteSync.class);

  private final Dataplane dataplane;
  private final int protocol;
  private final String hostname;
  private final Map<Cidr, OwnedRoute> wanted = new HashMap<>();
  private final Map<Cidr, NetnsException> refused = new HashMap<>();

  RouteSync(Dataplane dataplane, int protocol, String hostname) {
    this.dataplane = dataplane;
    this.protocol = protocol;
    this.hostname = hostname;
  }

  /** The agent's route for a wanted route. */
  OwnedRoute owned(Route r) {
    Cidr d = r.destination();
    IpPrefix dest = new IpPrefix(d.address(), d.prefixLength());
    return switch (r.kind()) {
      case VIA -> OwnedRoute.via(dest, java.util.Objects.requireNonNull(r.gateway()), protocol);
      case DEVICE ->
          OwnedRoute.device(
              dest, InterfaceName.of(java.util.Objects.requireNonNull(r.device())), protocol);
      case BLACKHOLE -> OwnedRoute.blackhole(dest, protocol);
    };
  }

  /** Applies one change: routes that are new or changed, and destinations that lost theirs. */
  void apply(Map<Cidr, Route> set, Collection<Cidr> removed) {
    List<OwnedRoute> delete = new ArrayList<>();
    for (Cidr d : removed) {
      OwnedRoute old = wanted.remove(d);
      refused.remove(d);
      if (old != null) {
        delete.add(old);
      }
    }
    List<OwnedRoute> replace = new ArrayList<>();
    set.forEach(
        (d, r) -> {
          OwnedRoute o = owned(r);
          wanted.put(d, o);
          replace.add(o);
        });
    report(dataplane.deleteRoutes(delete), false);
    settle(replace, dataplane.replaceRoutes(replace));
  }

  /**
   * Makes the kernel's routes of the agent's protocol equal to {@code all}: one route dump, then
   * the routes that are missing or different are replaced and the ones not wanted are deleted.
   */
  void reconcile(Map<Cidr, Route> all) {
    wanted.clear();
    all.forEach((d, r) -> wanted.put(d, owned(r)));
    refused.keySet().retainAll(wanted.keySet());
    Map<IpPrefix, OwnedRoute> listed = new HashMap<>();
    for (OwnedRoute r : dataplane.routes()) {
      listed.put(r.destination(), r);
    }
    List<OwnedRoute> replace = new ArrayList<>();
    Set<IpPrefix> keep = new HashSet<>();
    for (OwnedRoute w : wanted.values()) {
      keep.add(w.destination());
      OwnedRoute l = listed.get(w.destination());
      if (l == null || !w.matches(l)) {
        replace.add(w);
      }
    }
    List<OwnedRoute> delete = new ArrayList<>();
    listed.forEach(
        (d, r) -> {
          if (!keep.contains(d)) {
            delete.add(r);
          }
        });
    if (!replace.isEmpty() || !delete.isEmpty()) {
      LOG.debug(
          "{}: reconcile re-creates {} routes and deletes {}",
          hostname,
          replace.size(),
          delete.size());
    }
    report(dataplane.deleteRoutes(delete), false);
    settle(replace, dataplane.replaceRoutes(replace));
  }

  /** Deletes every route of the agent's protocol (when the agent is told to clean up). */
  void removeAll() {
    List<OwnedRoute> mine = dataplane.routes();
    report(dataplane.deleteRoutes(mine), false);
    wanted.clear();
    refused.clear();
  }

  /** Why the kernel refused the route to {@code destination} last time, if it did. */
  Optional<NetnsException> refusal(Cidr destination) {
    return Optional.ofNullable(refused.get(destination));
  }

  /** How many wanted routes the kernel refused. */
  int refusedCount() {
    return refused.size();
  }

  private void settle(List<OwnedRoute> tried, Map<OwnedRoute, NetnsException> failures) {
    for (OwnedRoute r : tried) {
      Cidr d = cidr(r.destination());
      NetnsException e = failures.get(r);
      NetnsException before = e == null ? refused.remove(d) : refused.put(d, e);
      if (e != null && (before == null || before.errno() != e.errno())) {
        LOG.warn(
            "{}: route {} refused, retried at the next reconcile: {}", hostname, r, e.getMessage());
      } else if (e == null && before != null) {
        LOG.info("{}: route {} in place now", hostname, r);
      }
    }
  }

  private void report(Map<OwnedRoute, NetnsException> failures, boolean replacing) {
    failures.forEach(
        (r, e) ->
            LOG.warn(
                "{}: could not {} route {}: {}",
                hostname,
                replacing ? "replace" : "delete",
                r,
                e.getMessage()));
  }

  private static Cidr cidr(IpPrefix p) {
    return new Cidr(p.address(), p.prefixLength());
  }

  @Override
  public String toString() {
    return "RouteSync{" + wanted.size() + " wanted, " + refused.size() + " refused}";
  }

  /** The wanted route to a destination, if any (for tests). */
  @Nullable OwnedRoute wantedRoute(Cidr destination) {
    return wanted.get(destination);
  }
}
