package io.github.calicoj.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.WorkloadEndpoint;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reference's endpoint tables, from endpoints built here. */
class EndpointTableTest {
  private static WorkloadEndpoint ep(
      String host, String orchestrator, String workload, int n, List<String> profiles) {
    String id = String.format("%032x", n);
    return WorkloadEndpoint.builder()
        .hostname(host)
        .orchestratorId(orchestrator)
        .workloadId(workload)
        .endpointId(id)
        .name(WorkloadEndpoint.interfaceName(id))
        .mac("ee:ee:ee:ee:ee:0" + n)
        .profileIds(profiles)
        .addNet(Cidr.parse("10.0.0." + n + "/32"))
        .build();
  }

  private final List<WorkloadEndpoint> endpoints =
      List.of(
          ep("host-b", "docker", "w1", 1, List.of("P1")),
          ep("host-a", "namespace", "w2", 2, List.of()),
          ep("host-a", "docker", "w3", 3, List.of("P1", "P2")),
          ep("host-a", "docker", "w3", 4, List.of()),
          ep("host-a", "docker", "w5", 5, List.of()));

  @Test
  void summaryCountsWorkloadsAndEndpointsPerHostAndOrchestrator() {
    Table t =
        new Table("Hostname", "Orchestrator ID", "Number of Workloads", "Number of Endpoints");
    t.add("host-a", "docker", 2, 3);
    t.add("host-a", "namespace", 1, 1);
    t.add("host-b", "docker", 1, 1);
    assertThat(EndpointTable.summary(endpoints).toString()).isEqualTo(t.toString());
  }

  @Test
  void detailedHasOneRowPerEndpointSortedByHost() {
    String s = EndpointTable.detailed(endpoints).toString();
    assertThat(s.lines().filter(l -> l.startsWith("| host-")).map(l -> l.substring(2, 8)))
        .containsExactly("host-a", "host-a", "host-a", "host-a", "host-b");
    assertThat(s)
        .contains("| 10.0.0.3/32 | ee:ee:ee:ee:ee:03 | P1       | active |")
        .contains("|             |                   | P2       |        |");
  }

  @Test
  void byProfileListsMembersAndNoneForAProfileWithout() {
    Table t = new Table("Name", "Host", "Orchestrator ID", "Workload ID", "Endpoint ID", "State");
    t.add("P1", "host-a", "docker", "w3", String.format("%032x", 3), "active");
    t.add("P1", "host-b", "docker", "w1", String.format("%032x", 1), "active");
    t.add("P2", "host-a", "docker", "w3", String.format("%032x", 3), "active");
    t.add("P3", "None", "None", "None", "None", "None");
    assertThat(EndpointTable.byProfile(List.of("P3", "P2", "P1"), endpoints).toString())
        .isEqualTo(t.toString());
  }
}
