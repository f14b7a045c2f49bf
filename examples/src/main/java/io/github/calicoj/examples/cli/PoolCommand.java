package io.github.calicoj.examples.cli;

import static io.github.calicoj.examples.cli.Messages.echo;

import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import java.util.ArrayList;
import java.util.List;

/** {@code calicoctl pool}: the IP pools that addresses come from. */
final class PoolCommand extends Command {
  private static final String ADD = "pool add <CIDRS>... [--ipip] [--nat-outgoing]";
  private static final String REMOVE = "pool remove <CIDRS>...";
  private static final String RANGE =
      "pool range add <START_IP> <END_IP> [--ipip] [--nat-outgoing]";
  private static final String SHOW = "pool show [--ipv4 | --ipv6]";

  PoolCommand() {
    super(
        "pool",
        "Configure IP pools",
        List.of(ADD, REMOVE, RANGE, SHOW),
        List.of(
            new Option("--ipip", "Use IP-in-IP for traffic from this pool (IPv4 only)"),
            new Option("--nat-outgoing", "NAT traffic from this pool leaving the pools"),
            new Option("--ipv4", "Show only IPv4 pools"),
            new Option("--ipv6", "Show only IPv6 pools")));
  }

  @Override
  int run(Args a, Cli cli) {
    String verb = a.next("add, remove, range or show");
    switch (verb) {
      case "add" -> {
        a.form(ADD);
        boolean ipip = a.flag("--ipip");
        boolean nat = a.flag("--nat-outgoing");
        List<String> cidrs = a.rest();
        if (cidrs.isEmpty()) {
          throw a.usage("Missing <CIDRS>.");
        }
        List<IpPool> pools = new ArrayList<>();
        for (String c : cidrs) {
          pools.add(pool(c, ipip, nat));
        }
        cli.client().ipPools().addAll(pools);
      }
      case "remove" -> {
        a.form(REMOVE);
        List<String> cidrs = a.rest();
        if (cidrs.isEmpty()) {
          throw a.usage("Missing <CIDRS>.");
        }
        // Every CIDR is checked before any pool is removed: a bad one changes nothing.
        List<Cidr> pools = new ArrayList<>();
        for (String c : cidrs) {
          pools.add(Cidr.parseNormalized(c));
        }
        for (Cidr c : pools) {
          if (cli.client().ipPools().find(c).isEmpty()) {
            throw new CliException(c.normalized() + " is not a configured pool.");
          }
        }
        for (Cidr c : pools) {
          cli.client().ipPools().remove(c);
        }
      }
      case "range" -> {
        a.form(RANGE);
        String add = a.next("add");
        if (!add.equals("add")) {
          throw a.usage("Unknown pool range command " + echo(add) + ".");
        }
        String start = a.next("<START_IP>");
        String end = a.next("<END_IP>");
        boolean ipip = a.flag("--ipip");
        boolean nat = a.flag("--nat-outgoing");
        a.done();
        if (!Inputs.isIp(start)) {
          throw new CliException("Invalid START_IP specified.");
        }
        if (!Inputs.isIp(end)) {
          throw new CliException("Invalid END_IP specified.");
        }
        cli.client().ipPools().addRange(Inputs.ip(start), Inputs.ip(end), ipip, nat);
      }
      case "show" -> {
        a.form(SHOW);
        boolean v4 = a.flag("--ipv4");
        boolean v6 = a.flag("--ipv6");
        a.done();
        if (v4 && v6) {
          throw a.usage("--ipv4 and --ipv6 exclude each other.");
        }
        if (v4 || !v6) {
          Table t = new Table("IPv4 CIDR", "Options");
          for (IpPool p : cli.client().ipPools().list(4)) {
            List<String> o = new ArrayList<>();
            if (p.ipip()) {
              o.add("ipip");
            }
            if (p.masquerade()) {
              o.add("nat-outgoing");
            }
            t.add(p.cidr(), String.join(",", o));
          }
          cli.print(t.toString());
        }
        if (v6 || !v4) {
          Table t = new Table("IPv6 CIDR", "Options");
          for (IpPool p : cli.client().ipPools().list(6)) {
            t.add(p.cidr(), "");
          }
          cli.print(t.toString());
        }
      }
      default -> throw a.usage("Unknown pool command " + echo(verb) + ".");
    }
    return 0;
  }

  /** A pool to add, with the reference's messages for a bad CIDR or prefix length. */
  private static IpPool pool(String text, boolean ipip, boolean nat) {
    Cidr cidr;
    try {
      cidr = Cidr.parseNormalized(text);
    } catch (IllegalArgumentException e) {
      throw new CliException("Invalid CIDR specified " + echo(text));
    }
    IpPool pool;
    try {
      pool = IpPool.of(cidr);
    } catch (IllegalArgumentException e) {
      throw new CliException(
          "An IPv"
              + cidr.version()
              + " pool must have a prefix length of "
              + IpPool.blockPrefix(cidr.version())
              + " or lower.\nGiven: "
              + cidr
              + ".\nNo pools added.");
    }
    try {
      return pool.withOptions(ipip, nat);
    } catch (IllegalArgumentException e) {
      throw new CliException(Messages.of(e)); // "IP in IP not supported for IPv6 pools"
    }
  }
}
