package io.github.calicoj.examples.cli;

import static io.github.calicoj.examples.cli.Messages.echo;

import io.github.calicoj.core.model.WorkloadEndpoint;
import java.util.List;

/** {@code calicoctl endpoint show}: the endpoints of every host. */
final class EndpointCommand extends Command {
  private static final String SHOW = "endpoint show [--detailed]";

  EndpointCommand() {
    super(
        "endpoint",
        "Show the endpoints of containers",
        List.of(SHOW),
        List.of(
            new Option(
                "--detailed",
                "One row per endpoint, not one per host and orchestrator with counts")));
  }

  @Override
  int run(Args a, Cli cli) {
    a.form(SHOW);
    String verb = a.next("show");
    boolean detailed = a.flag("--detailed");
    a.done();
    if (!verb.equals("show")) {
      throw a.usage("Unknown endpoint command " + echo(verb) + ".");
    }
    List<WorkloadEndpoint> endpoints = cli.client().workloadEndpoints().list();
    cli.print(
        (detailed ? EndpointTable.detailed(endpoints) : EndpointTable.summary(endpoints))
            .toString());
    return 0;
  }
}
