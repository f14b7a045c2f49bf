package io.github.calicoj.core.client;

import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.core.repository.EndpointQuery;
import io.github.calicoj.core.repository.WorkloadEndpoints;
import io.github.calicoj.core.repository.WorkloadMarker;
import io.github.calicoj.netns.InterfaceName;
import io.github.calicoj.netns.Link;
import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.Netlink;
import io.github.calicoj.netns.NetnsException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and clears what a killed or half-applied command left: a cali pair in a workload that no
 * endpoint claims (a killed add's), and endpoints that are dead because their interfaces are gone
 * (an add rolled back while the datastore applied its write late, a restarted container). The
 * evidence is the kernel's: a cali link on the host side whose veth peer is in the workload, or its
 * absence. Thread-safe.
 */
final class WorkloadRepair {
  private static final Logger LOG = LoggerFactory.getLogger(WorkloadRepair.class);

  private final String hostname;
  private final WorkloadEndpoints endpoints;
  private final HostDataplane host;
  private final WorkloadResolver resolver;

  WorkloadRepair(
      String hostname, WorkloadEndpoints endpoints, HostDataplane host, WorkloadResolver resolver) {
    this.hostname = hostname;
    this.endpoints = endpoints;
    this.host = host;
    this.resolver = resolver;
  }

  /**
   * The host end of {@code link} if {@code link} is a veth whose peer is a {@code cali} link in the
   * host-side namespace that no endpoint of this host claims.
   */
  Optional<InterfaceName> leftoverPeer(Netlink inside, NetNs ns, Link link) {
    if (!link.isVeth()) {
      return Optional.empty();
    }
    return inside
        .peerOf(link.name())
        .map(p -> p.name())
        .filter(name -> name.toString().startsWith("cali"))
        .filter(name -> host.netlink().isVethPeer(name, ns, link.name()))
        .filter(this::unclaimed);
  }

  private boolean unclaimed(InterfaceName cali) {
    return endpoints.find(EndpointQuery.onHost(hostname)).stream()
        .noneMatch(ep -> ep.name().equals(cali.toString()));
  }

  /**
   * Deletes the cali pairs that killed adds left in the workload (see {@link #leftoverPeer}).
   * Nothing happens if the workload's namespace cannot be found: its interfaces went with it.
   *
   * @return how many pairs were deleted
   */
  int removeLeftovers(String workload) {
    ResolvedWorkload w;
    try {
      w = resolver.resolve(workload, false);
    } catch (RuntimeException e) {
      return 0;
    }
    return removeLeftovers(w);
  }

  /** {@link #removeLeftovers(String)} of a workload already resolved. */
  int removeLeftovers(ResolvedWorkload w) {
    String workload = w.typed();
    Path path = w.namespace();
    if (!path.toFile().exists()) {
      return 0;
    }
    int deleted = 0;
    try (NetNs ns = NetNs.open(path);
        Netlink inside = Netlink.openIn(ns)) {
      for (Link l : inside.links()) {
        Optional<InterfaceName> cali = leftoverPeer(inside, ns, l);
        if (cali.isPresent() && host.deleteLinkIfExists(cali.get())) {
          LOG.info("Deleted {}, left in {} without an endpoint", cali.get(), workload);
          deleted++;
        }
      }
    } catch (NetnsException e) {
      LOG.debug("No leftover check in {}: {}", workload, e.getMessage());
    }
    return deleted;
  }

  /**
   * True if every endpoint of the workload is dead: its cali link is not on this host, and no veth
   * of the workload (in {@code inside}'s namespace) has it as its peer. A path workload named by a
   * path that shares its id with the path it was added by is refused first.
   *
   * @throws io.github.calicoj.core.ConflictException ({@code WORKLOAD_MISMATCH}) for such a path
   */
  boolean allDead(ResolvedWorkload w, Netlink inside, List<WorkloadEndpoint> eps) {
    WorkloadResolver.checkSamePath(
        w.typed(),
        endpoints
            .marker(hostname, w.orchestratorId(), w.workloadId())
            .flatMap(kv -> WorkloadMarker.parse(kv.value())));
    for (WorkloadEndpoint ep : eps) {
      InterfaceName cali = InterfaceName.of(ep.name());
      if (host.hasLink(cali) || peerIn(inside, cali)) {
        return false;
      }
    }
    return true;
  }

  private static boolean peerIn(Netlink inside, InterfaceName cali) {
    for (Link l : inside.links()) {
      if (l.isVeth() && inside.peerOf(l.name()).filter(p -> p.name().equals(cali)).isPresent()) {
        return true;
      }
    }
    return false;
  }
}
