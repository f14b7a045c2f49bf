package io.github.calicoj.core.check;

import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.core.repository.WorkloadEndpoints;
import io.github.calicoj.core.repository.WorkloadMarker;
import io.github.calicoj.netns.NetNs;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The {@link Finder} part that needs the checking host's dataplane: endpoints whose workload is
 * gone (a Docker container not in the daemon's list; a namespace path missing, or naming another
 * namespace than its marker records), endpoints without their cali link (except a stopped
 * container's, whose link comes back when it starts), and cali links no endpoint names. Stateless.
 */
final class DataplaneFindings {
  private DataplaneFindings() {}

  static void deadEndpoints(Finder f, HostView view) {
    Map<String, Integer> links = view.links();
    Map<String, Boolean> containers = view.containers();
    for (Map.Entry<Finder.Workload, List<WorkloadEndpoint>> e : f.byWorkload.entrySet()) {
      Finder.Workload w = e.getKey();
      List<WorkloadEndpoint> eps = e.getValue();
      if (!w.host().equals(f.host)) {
        continue;
      }
      Map<String, String> details = new TreeMap<>();
      String gone = goneReason(f, w, view, details);
      if (gone != null) {
        f.add(
            new Draft(FindingKind.WORKLOAD_GONE, f.host, w.name(), w.name())
                .evidence(gone)
                .details(details)
                .detail("workload", w.name())
                .detail(
                    "endpoints",
                    String.join(",", eps.stream().map(WorkloadEndpoint::endpointId).toList()))
                .fingerprint(Finder.ids(eps))
                .target(new Target.Endpoints(eps, true))
                .confirm(eps.stream().map(Finder::unchanged).toList()));
        eps.forEach(ep -> f.dead.add(WorkloadEndpoints.keyOf(ep)));
        continue;
      }
      boolean stopped =
          w.orchestrator().equals(Finder.DOCKER)
              && (containers == null || !Boolean.TRUE.equals(containers.get(w.workload())));
      if (links == null || stopped) {
        continue; // no link to expect, or no way to tell
      }
      List<WorkloadEndpoint> linkless =
          eps.stream().filter(ep -> !links.containsKey(ep.name())).toList();
      Target.Endpoints removal = new Target.Endpoints(linkless, linkless.size() == eps.size());
      String live = liveWorkload(f, w, view);
      Target target = live == null ? removal : new Target.Restore(live, removal);
      for (WorkloadEndpoint ep : linkless) {
        f.add(
            new Draft(
                    FindingKind.ENDPOINT_WITHOUT_LINK,
                    f.host,
                    ep.endpointId(),
                    w.name() + "/" + ep.endpointId())
                .evidence(
                    "endpoint of "
                        + w.name()
                        + " has no link "
                        + ep.name()
                        + " in the host side's namespace")
                .detail("endpoint", WorkloadEndpoints.keyOf(ep).path())
                .detail("link", ep.name())
                .detail("workload", w.name())
                .fingerprint(Finder.ids(List.of(ep)))
                .target(target)
                .confirm(List.of(Finder.unchanged(ep))));
        f.dead.add(WorkloadEndpoints.keyOf(ep));
      }
    }
  }

  /**
   * The workload as {@code restoreContainer} takes it if it is known to be alive (a running
   * container; a namespace path that names the namespace the workload was added for), else null.
   */
  private static @Nullable String liveWorkload(Finder f, Finder.Workload w, HostView view) {
    if (w.orchestrator().equals(Finder.DOCKER)) {
      Map<String, Boolean> containers = view.containers();
      return containers != null && Boolean.TRUE.equals(containers.get(w.workload()))
          ? w.workload()
          : null;
    }
    if (!w.orchestrator().equals(Finder.NAMESPACE)) {
      return null;
    }
    WorkloadMarker.NamespaceRef ref = namespaceOf(f, w);
    HostSide.NamespaceState now = ref == null ? null : view.namespaces().get(ref.path());
    NetNs.Identity id = now == null ? null : now.identity();
    return ref != null
            && now != null
            && now.status() == HostSide.NamespaceState.Status.PRESENT
            && id != null
            && id.dev() == ref.device()
            && id.ino() == ref.inode()
        ? ref.path()
        : null;
  }

  /** The namespace a workload's marker records it was added for, or null if unknown. */
  private static WorkloadMarker.@Nullable NamespaceRef namespaceOf(Finder f, Finder.Workload w) {
    ClusterState.MarkerEntry m =
        f.state.markers().get(WorkloadMarker.key(w.host(), w.orchestrator(), w.workload()));
    WorkloadMarker marker = m == null ? null : m.marker();
    return marker == null ? null : marker.namespace();
  }

  /** Why the workload is gone, or null if it is not (or cannot be told). */
  private static @Nullable String goneReason(
      Finder f, Finder.Workload w, HostView view, Map<String, String> details) {
    if (w.orchestrator().equals(Finder.DOCKER)) {
      Map<String, Boolean> containers = view.containers();
      details.put("container", w.workload());
      if (containers != null && !containers.containsKey(w.workload())) {
        String shortId = w.workload().length() > 12 ? w.workload().substring(0, 12) : w.workload();
        return "container " + shortId + " does not exist (not in the Docker daemon's list)";
      }
      return null;
    }
    if (!w.orchestrator().equals(Finder.NAMESPACE)) {
      return null;
    }
    WorkloadMarker.NamespaceRef ref = namespaceOf(f, w);
    HostSide.NamespaceState now = ref == null ? null : view.namespaces().get(ref.path());
    if (ref == null || now == null) {
      return null; // the path it was added by is not known
    }
    details.put("netns", ref.path());
    return switch (now.status()) {
      case MISSING -> "netns path " + ref.path() + " is missing";
      case NOT_A_NAMESPACE -> "netns path " + ref.path() + " is no longer a network namespace";
      case UNREADABLE -> {
        f.note("Namespace " + ref.path() + " could not be checked: " + now.detail());
        yield null;
      }
      case PRESENT -> {
        NetNs.Identity id = now.identity();
        yield id != null && (id.dev() != ref.device() || id.ino() != ref.inode())
            ? "netns path "
                + ref.path()
                + " now names namespace "
                + id
                + ", not "
                + ref.device()
                + ":"
                + ref.inode()
                + " that the workload was added for"
            : null;
      }
    };
  }

  static void linksWithoutEndpoint(Finder f, Map<String, Integer> links) {
    Set<String> claimed = new HashSet<>();
    for (WorkloadEndpoint ep : f.state.endpoints()) {
      if (ep.hostname().equals(f.host)) {
        claimed.add(ep.name());
      }
    }
    for (ClusterState.OddEndpoint o : f.state.oddEndpoints()) {
      if (o.host().equals(f.host)) {
        if (o.name() == null) {
          f.note("Links not checked: endpoint " + o.key() + " has no readable interface name.");
          return;
        }
        claimed.add(o.name());
      }
    }
    for (Map.Entry<String, Integer> l : new TreeMap<>(links).entrySet()) {
      if (!claimed.contains(l.getKey())) {
        f.add(
            new Draft(FindingKind.LINK_WITHOUT_ENDPOINT, f.host, l.getKey(), l.getKey())
                .evidence(
                    "cali veth "
                        + l.getKey()
                        + " (index "
                        + l.getValue()
                        + ") in the host side's namespace, but no endpoint of "
                        + f.host
                        + " names it")
                .detail("link", l.getKey())
                .fingerprint(l.getKey() + "@" + l.getValue())
                .target(new Target.Link(l.getKey(), l.getValue())));
      }
    }
  }
}
