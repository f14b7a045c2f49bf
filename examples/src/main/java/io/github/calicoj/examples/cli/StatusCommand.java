package io.github.calicoj.examples.cli;

import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.node.AgentReport;
import java.util.List;
import java.util.Locale;

/**
 * {@code calicoctl status}: this host's node agent ({@code bin/calico-node}) and its endpoints'
 * statuses, as the agent wrote them back to etcd. The reference printed the calico-node container's
 * state and BIRD's sessions; here the agent's status key (which lives on its lease, so it is there
 * only while an agent runs) says whether one is running.
 */
final class StatusCommand extends Command {
  private static final String STATUS = "status";

  StatusCommand() {
    super(
        "status",
        "Show this host's node agent and its endpoints' statuses",
        List.of(STATUS),
        List.of());
  }

  @Override
  int run(Args a, Cli cli) {
    a.form(STATUS);
    a.done();
    String host = cli.hostname();
    AgentReport report = AgentReport.read(cli.store(), host);
    AgentReport.Report s = report.status();
    if (s != null) {
      cli.print(
          String.format(
              Locale.ROOT,
              "calico-node is running on %s: last report %s, up %.0f s",
              host,
              s.time(),
              s.uptime()));
    } else {
      AgentReport.Report last = report.lastReported();
      cli.print(
          "calico-node is not running on "
              + host
              + (last == null ? "" : " (its last report: " + last.time() + ")"));
    }
    Table t = new Table("Orchestrator ID", "Workload ID", "Endpoint ID", "Interface", "Status");
    for (WorkloadEndpoint ep : cli.client().workloadEndpoints().list()) {
      if (!ep.hostname().equals(host)) {
        continue;
      }
      String key =
          CalicoKeys.endpoint(ep.hostname(), ep.orchestratorId(), ep.workloadId(), ep.endpointId())
              .path();
      t.add(
          ep.orchestratorId(),
          ep.workloadId(),
          ep.endpointId(),
          ep.name(),
          report.endpointStatus(key).orElse("unknown"));
    }
    cli.print(t.toString());
    return 0;
  }
}
