package io.github.calicoj.examples.cli;

import io.github.calicoj.core.client.NodeConfig;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.List;

/**
 * {@code calicoctl node}: this host's next hops (its BGP addresses) and AS number, and the global
 * configuration Felix needs. Unlike the reference it starts no calico/node container.
 */
final class NodeCommand extends Command {
  private static final String NODE = "node [--ip=<IP>] [--ip6=<IP6>] [--as=<AS_NUM>]";

  NodeCommand() {
    super(
        "node",
        "Configure this host's addresses (the workloads' next hops) and AS number",
        List.of(NODE),
        List.of(
            new Option("--ip=<IP>", "This host's IPv4 address"),
            new Option("--ip6=<IP6>", "This host's IPv6 address"),
            new Option("--as=<AS_NUM>", "This host's AS number")));
  }

  @Override
  int run(Args a, Cli cli) {
    a.form(NODE);
    String ip = a.option("--ip");
    String ip6 = a.option("--ip6");
    String as = a.option("--as");
    a.done();
    Inet4Address v4 = null;
    Inet6Address v6 = null;
    if (ip != null) {
      if (!(Inputs.isIp(ip) && Inputs.ip(ip) instanceof Inet4Address a4)) {
        throw new CliException("Invalid IPv4 address specified with --ip argument.");
      }
      v4 = a4;
    }
    if (ip6 != null) {
      if (!(Inputs.isIp(ip6) && Inputs.ip(ip6) instanceof Inet6Address a6)) {
        throw new CliException("Invalid IPv6 address specified with --ip6 argument.");
      }
      v6 = a6;
    }
    cli.client().configureNode(new NodeConfig(v4, v6, as));
    cli.print(
        "Calico node configured for host "
            + cli.hostname()
            + " (IPv4 "
            + (ip == null ? "none" : ip)
            + ", IPv6 "
            + (ip6 == null ? "none" : ip6)
            + ")");
    return 0;
  }
}
