package io.github.calicoj.core.check;

import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.core.repository.WorkloadMarker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What one check saw of the checking host's dataplane, after it read the datastore: its cali links
 * (null if they could not be listed), its containers (null if the daemon could not be asked or no
 * endpoint needs it), and what each namespace workload's recorded path names now. A part that could
 * not be seen is named in {@link #notes()} and its checks are skipped, never taken for leaks.
 * Immutable.
 */
record HostView(
    @Nullable Map<String, Integer> links,
    @Nullable Map<String, Boolean> containers,
    Map<String, HostSide.NamespaceState> namespaces,
    List<String> notes) {

  HostView {
    links = links == null ? null : Map.copyOf(links);
    containers = containers == null ? null : Map.copyOf(containers);
    namespaces = Map.copyOf(namespaces);
    notes = List.copyOf(notes);
  }

  /** Looks at {@code host}'s side through {@code side}: one link dump, one container list. */
  static HostView observe(HostSide side, ClusterState state, String host) {
    List<String> notes = new ArrayList<>();
    Map<String, Integer> links = null;
    try {
      links = side.caliLinks();
    } catch (RuntimeException e) {
      notes.add(
          "The host side's links could not be listed ("
              + e.getMessage()
              + "): link checks skipped.");
    }
    Map<String, Boolean> containers = null;
    boolean docker = false;
    for (WorkloadEndpoint ep : state.endpoints()) {
      docker |= ep.hostname().equals(host) && ep.orchestratorId().equals(Finder.DOCKER);
    }
    if (docker) {
      try {
        containers = side.containers();
      } catch (RuntimeException e) {
        notes.add(
            "The Docker daemon could not be asked ("
                + e.getMessage()
                + "): Docker workloads not checked for being gone or linkless.");
      }
    }
    Map<String, HostSide.NamespaceState> namespaces = new HashMap<>();
    for (ClusterState.MarkerEntry m : state.markers().values()) {
      if (!m.host().equals(host) || !m.orchestrator().equals(Finder.NAMESPACE)) {
        continue;
      }
      WorkloadMarker marker = m.marker();
      WorkloadMarker.NamespaceRef ref = marker == null ? null : marker.namespace();
      if (marker == null) {
        notes.add(
            "Workload marker " + m.entry().key() + " is unreadable: its namespace not checked.");
      } else if (ref != null) {
        namespaces.computeIfAbsent(ref.path(), side::namespace);
      }
    }
    return new HostView(links, containers, namespaces, notes);
  }
}
