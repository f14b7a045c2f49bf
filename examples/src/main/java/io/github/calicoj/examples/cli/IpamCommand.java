package io.github.calicoj.examples.cli;

import static io.github.calicoj.examples.cli.Messages.echo;

import io.github.calicoj.core.ipam.AllocationBlock;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/** {@code calicoctl ipam}: release an address, or show what it is assigned to. */
final class IpamCommand extends Command {
  private static final String RELEASE = "ipam release <IP>";
  private static final String INFO = "ipam info <IP>";

  IpamCommand() {
    super("ipam", "Release and inspect IP addresses", List.of(RELEASE, INFO), List.of());
  }

  @Override
  int run(Args a, Cli cli) {
    String verb = a.next("release or info");
    switch (verb) {
      case "release" -> a.form(RELEASE);
      case "info" -> a.form(INFO);
      default -> throw a.usage("Unknown ipam command " + echo(verb) + ".");
    }
    String ip = a.next("<IP>");
    a.done();
    if (!Inputs.isIp(ip)) {
      throw new CliException("Invalid IP address specified.");
    }
    InetAddress addr = Inputs.ip(ip);
    if (verb.equals("release")) {
      if (!cli.client().ipam().release(List.of(addr)).isEmpty()) {
        throw new CliException("Failed to release address"); // it was not assigned: exit 1
      }
      cli.print("Address successfully released");
      return 0;
    }
    Optional<AllocationBlock.Attribute> attrs = cli.client().ipam().attributesOf(addr);
    if (attrs.isEmpty()) {
      cli.print("IP " + ip + " is not currently assigned");
    } else if (attrs.get().handleId() == null && attrs.get().secondary().isEmpty()) {
      cli.print("No attributes defined for " + ip);
    } else {
      cli.print("IP: " + ip);
      if (attrs.get().handleId() != null) {
        cli.print("Handle: " + attrs.get().handleId());
      }
      attrs.get().secondary().forEach((k, v) -> cli.print(k + ": " + v));
    }
    return 0;
  }
}
