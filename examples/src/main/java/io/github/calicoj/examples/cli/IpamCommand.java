package io.github.calicoj.examples.cli;

import static io.github.calicoj.examples.cli.Messages.echo;

import io.github.calicoj.core.check.CheckOptions;
import io.github.calicoj.core.check.CheckReport;
import io.github.calicoj.core.ipam.AllocationBlock;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code calicoctl ipam}: release an address, show what it is assigned to, or check this host's (or
 * every host's) workloads and IPAM data for leaks and repair them.
 */
final class IpamCommand extends Command {
  private static final String RELEASE = "ipam release <IP>";
  private static final String INFO = "ipam info <IP>";
  private static final String CHECK =
      "ipam check [--repair] [--grace=<AGE>] [--all-hosts] [--datastore-only] [--output=json]";

  /** A grace period: seconds, or a number with s, m or h. */
  private static final Pattern AGE = Pattern.compile("([0-9]{1,9})([smh]?)");

  IpamCommand() {
    super(
        "ipam",
        "Release and inspect IP addresses; check for and repair leaks",
        List.of(RELEASE, INFO, CHECK),
        List.of(
            new Option("--repair", "Repair what the check finds, if old enough"),
            new Option(
                "--grace=<AGE>",
                "Repair nothing younger: seconds, or with s, m or h [default: 15m]"),
            new Option("--all-hosts", "Check the datastore for every host, not just this one"),
            new Option(
                "--datastore-only",
                "Leave out this host's kernel and Docker (needs no root); with --repair too"),
            new Option("--output=json", "Print the report as JSON")));
  }

  @Override
  String notes() {
    return """
        check finds endpoints whose workload or link is gone, addresses that no endpoint holds,
        endpoints whose address IPAM does not give them, markers, links and blocks that nothing
        owns, and handles that miscount. It exits 0 if nothing is left standing, 3 if findings
        remain (check without --repair: anything found). Without --datastore-only it needs root.""";
  }

  @Override
  int run(Args a, Cli cli) {
    String verb = a.next("release, info or check");
    switch (verb) {
      case "release" -> a.form(RELEASE);
      case "info" -> a.form(INFO);
      case "check" -> {
        a.form(CHECK);
        return check(a, cli);
      }
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

  private static int check(Args a, Cli cli) {
    boolean repair = a.flag("--repair");
    boolean allHosts = a.flag("--all-hosts");
    boolean datastoreOnly = a.flag("--datastore-only");
    String grace = a.option("--grace");
    String output = a.option("--output");
    a.done();
    if (output != null && !output.equals("json")) {
      throw new CliException("Unknown output format " + echo(output) + ": only json is known.");
    }
    CheckOptions.Builder options =
        CheckOptions.builder().repair(repair).allHosts(allHosts).dataplane(!datastoreOnly);
    if (grace != null) {
      options.grace(age(grace));
    }
    if (!datastoreOnly) {
      cli.enforceRoot();
    }
    CheckReport r = cli.client().checkIpam(options.build());
    cli.out.print(output != null ? r.json() : r.table());
    return r.unresolved().isEmpty() ? 0 : CliException.FINDINGS;
  }

  /** {@code --grace}: {@code 900}, {@code 900s}, {@code 15m}, {@code 1h}. */
  static Duration age(String text) {
    Matcher m = AGE.matcher(text);
    if (!m.matches()) {
      throw new CliException(
          "Invalid grace period "
              + echo(text)
              + ": give seconds, or a number with s, m or h (15m).");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofSeconds(n);
    };
  }
}
