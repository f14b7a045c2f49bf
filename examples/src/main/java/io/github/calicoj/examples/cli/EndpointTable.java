package io.github.calicoj.examples.cli;

import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.WorkloadEndpoint;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The reference's endpoint tables: per endpoint ({@code endpoint show --detailed}, {@code container
 * <C> endpoint show}), per host and orchestrator ({@code endpoint show}), and per profile ({@code
 * profile show --detailed}). Rows are sorted by host name, or by profile name, as the reference
 * sorts them. Stateless.
 */
public final class EndpointTable {
  private EndpointTable() {}

  /**
   * One row per endpoint: Hostname, Orchestrator ID, Workload ID, Endpoint ID, Addresses (one per
   * line), MAC, Profiles (one per line), State.
   */
  public static Table detailed(List<WorkloadEndpoint> endpoints) {
    Table t =
        new Table(
            "Hostname",
            "Orchestrator ID",
            "Workload ID",
            "Endpoint ID",
            "Addresses",
            "MAC",
            "Profiles",
            "State");
    for (WorkloadEndpoint ep : byHost(endpoints)) {
      List<String> addresses = new ArrayList<>();
      for (Cidr c : ep.nets()) {
        addresses.add(c.toString());
      }
      t.add(
          ep.hostname(),
          ep.orchestratorId(),
          ep.workloadId(),
          ep.endpointId(),
          String.join("\n", addresses),
          ep.mac() == null ? "" : ep.mac(),
          String.join("\n", ep.profileIds()),
          ep.state());
    }
    return t;
  }

  /**
   * One row per host and orchestrator: Hostname, Orchestrator ID, Number of Workloads, Number of
   * Endpoints.
   */
  public static Table summary(List<WorkloadEndpoint> endpoints) {
    Map<List<String>, List<WorkloadEndpoint>> byKey = new TreeMap<>(EndpointTable::compareKeys);
    for (WorkloadEndpoint ep : endpoints) {
      byKey
          .computeIfAbsent(List.of(ep.hostname(), ep.orchestratorId()), k -> new ArrayList<>())
          .add(ep);
    }
    Table t =
        new Table("Hostname", "Orchestrator ID", "Number of Workloads", "Number of Endpoints");
    for (Map.Entry<List<String>, List<WorkloadEndpoint>> e : byKey.entrySet()) {
      Set<String> workloads = new TreeSet<>();
      e.getValue().forEach(ep -> workloads.add(ep.workloadId()));
      t.add(e.getKey().get(0), e.getKey().get(1), workloads.size(), e.getValue().size());
    }
    return t;
  }

  /**
   * One row per profile and endpoint using it: Name, Host, Orchestrator ID, Workload ID, Endpoint
   * ID, State; a profile that no endpoint uses gets one row of "None".
   */
  public static Table byProfile(List<String> profiles, List<WorkloadEndpoint> endpoints) {
    Table t = new Table("Name", "Host", "Orchestrator ID", "Workload ID", "Endpoint ID", "State");
    List<WorkloadEndpoint> sorted = byHost(endpoints);
    for (String name : new TreeSet<>(profiles)) {
      boolean member = false;
      for (WorkloadEndpoint ep : sorted) {
        if (ep.profileIds().contains(name)) {
          member = true;
          t.add(
              name,
              ep.hostname(),
              ep.orchestratorId(),
              ep.workloadId(),
              ep.endpointId(),
              ep.state());
        }
      }
      if (!member) {
        t.add(name, "None", "None", "None", "None", "None");
      }
    }
    return t;
  }

  private static List<WorkloadEndpoint> byHost(List<WorkloadEndpoint> endpoints) {
    List<WorkloadEndpoint> sorted = new ArrayList<>(endpoints);
    sorted.sort(Comparator.comparing(WorkloadEndpoint::hostname)); // stable: key order within
    return sorted;
  }

  private static int compareKeys(List<String> a, List<String> b) {
    int c = a.get(0).compareTo(b.get(0));
    return c != 0 ? c : a.get(1).compareTo(b.get(1));
  }
}
