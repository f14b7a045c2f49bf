package io.github.calicoj.examples.cli;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.AlreadyExistsException;
import io.github.calicoj.core.CalicoException;
import io.github.calicoj.core.NotFoundException;
import io.github.calicoj.core.ProfileAlreadyInEndpointException;
import io.github.calicoj.core.ProfileNotInEndpointException;
import io.github.calicoj.core.WireFormat;
import io.github.calicoj.core.client.CalicoClient;
import io.github.calicoj.core.client.IpRequest;
import io.github.calicoj.core.client.NodeConfig;
import io.github.calicoj.core.codec.RulesJson;
import io.github.calicoj.core.ipam.AllocationBlock;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.model.Names;
import io.github.calicoj.core.model.PortRange;
import io.github.calicoj.core.model.Profile;
import io.github.calicoj.core.model.Rule;
import io.github.calicoj.core.model.Rules;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.datastore.DatastoreException;
import io.github.calicoj.netns.NetnsException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/**
 * {@code calicoctl}, the reference CLI's commands on calicoj (spec §7): same arguments, defaults,
 * messages and exit codes. Environment: {@code ETCD_ENDPOINTS} (default {@code
 * http://127.0.0.1:2379}; or {@code ETCD_SCHEME} + {@code ETCD_AUTHORITY}), {@code
 * ETCD_CA_CERT_FILE}, {@code ETCD_CERT_FILE}, {@code ETCD_KEY_FILE}, {@code ETCD_USERNAME}/{@code
 * ETCD_PASSWORD}, {@code HOSTNAME}, {@code DOCKER_HOST}, {@code CALICO_HOST_NETNS} (as {@code
 * --host-netns}), {@code CALICO_DATA_ERA} ({@code A} or {@code B}), {@code CALICOJ_ETCD_CLIENT}
 * ({@code gateway}, the default: etcd's JSON gateway, fast to start; or {@code jetcd}).
 */
@Command(
    name = "calicoctl",
    mixinStandardHelpOptions = true,
    version = "calicoctl (calicoj) 0.1.0",
    description = "Calico v1 container networking on the calicoj SDK.",
    subcommands = {
      Calicoctl.ContainerCmd.class,
      Calicoctl.ProfileCmd.class,
      Calicoctl.PoolCmd.class,
      Calicoctl.NodeCmd.class,
      Calicoctl.EndpointCmd.class,
      Calicoctl.IpamCmd.class
    })
public final class Calicoctl implements Callable<Integer> {
  @Option(
      names = "--host-netns",
      description = "Network namespace for the host ends of veths (default: this process's own).")
  @Nullable Path hostNetns;

  @Option(names = "--etcd-endpoints", description = "etcd URLs (overrides ETCD_ENDPOINTS).")
  @Nullable String etcdEndpoints;

  private final Cli cli;

  Calicoctl(Cli cli) {
    this.cli = cli;
  }

  /** Runs the CLI and exits with its exit code. */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err, System.in, System.getenv()));
  }

  /** An exception's message, never null (the class name stands in for a missing one). */
  static String message(Throwable e) {
    String m = e.getMessage();
    return m != null ? m : e.getClass().getSimpleName();
  }

  /** True if this process runs as root (uid 0), as container commands need. */
  public static boolean runningAsRoot() {
    return Cli.isRoot();
  }

  /** Runs one command; returns the exit code. Never throws. */
  public static int run(
      String[] args, PrintStream out, PrintStream err, InputStream in, Map<String, String> env) {
    try (Cli cli = new Cli(out, err, in, env)) {
      Base direct = direct(args, cli);
      if (direct != null) {
        try {
          return direct.call();
        } catch (Exception e) {
          return handle(e, cli);
        }
      }
      CommandLine cmd = new CommandLine(new Calicoctl(cli), new Factory(cli));
      cmd.setOut(
          new java.io.PrintWriter(
              new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true));
      cmd.setErr(
          new java.io.PrintWriter(
              new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true));
      cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> handle(e, cli));
      return cmd.execute(args);
    }
  }

  /** The group commands by name, as the {@code subcommands} above declare them. */
  private static final Map<String, java.util.function.Supplier<Base>> GROUPS =
      Map.of(
          "container", ContainerCmd::new,
          "profile", ProfileCmd::new,
          "pool", PoolCmd::new,
          "node", NodeCmd::new,
          "endpoint", EndpointCmd::new,
          "ipam", IpamCmd::new);

  /**
   * The group command, set up as picocli would set it up, when {@code args} need nothing of
   * picocli's: only the global options before a group name, and no help, version, {@code --} or
   * {@code @file} argument anywhere. Picocli's classes then never load; they are compiled for Java
   * 5, which keeps them out of the class-data-sharing archive, and loading them costs about 0.15 s
   * of a run. Anything else returns null and goes through picocli, which also renders help and
   * usage errors. {@code CalicoctlDispatchTest} checks that both agree.
   */
  static @Nullable Base direct(String[] args, Cli cli) {
    for (String a : args) {
      if (a.equals("-h")
          || a.equals("--help")
          || a.equals("-V")
          || a.equals("--version")
          || a.equals("--")
          || a.startsWith("@")) {
        return null;
      }
    }
    @Nullable Path hostNetns = null;
    @Nullable String endpoints = null;
    int i = 0;
    java.util.Set<String> seen = new java.util.HashSet<>();
    while (i < args.length && args[i].startsWith("-")) {
      String a = args[i];
      String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
      if (!(name.equals("--host-netns") || name.equals("--etcd-endpoints")) || !seen.add(name)) {
        return null; // unknown, or repeated (picocli reports both)
      }
      String value;
      if (a.contains("=")) {
        value = a.substring(a.indexOf('=') + 1);
        i++;
      } else if (i + 1 < args.length) {
        value = args[i + 1];
        i += 2;
      } else {
        return null; // picocli reports the missing value
      }
      if (name.equals("--host-netns")) {
        hostNetns = Path.of(value);
      } else {
        endpoints = value;
      }
    }
    if (i >= args.length || !GROUPS.containsKey(args[i])) {
      return null;
    }
    Base group = GROUPS.get(args[i]).get();
    group.cli = cli;
    Calicoctl parent = new Calicoctl(cli);
    parent.hostNetns = hostNetns;
    parent.etcdEndpoints = endpoints;
    group.parent = parent;
    group.raw = new ArrayList<>(List.of(args).subList(i + 1, args.length));
    return group;
  }

  @Override
  public Integer call() {
    cli.err.println(
        "Usage: calicoctl (container|profile|pool|node|endpoint|ipam) ... ; see --help");
    return 1;
  }

  private static int handle(Exception e, Cli cli) {
    if (e instanceof CliException c) {
      (c.toStderr ? cli.err : cli.out).println(c.getMessage());
      return c.exitCode;
    }
    if (e instanceof DatastoreException d) {
      cli.out.println("Error accessing etcd (" + d.getMessage() + ").  Is etcd running?");
      return 1;
    }
    if (e instanceof CalicoException
        || e instanceof NetnsException
        || e instanceof IllegalArgumentException) {
      cli.out.println(message(e));
      return 1;
    }
    cli.err.println(e.getClass().getSimpleName() + ": " + message(e));
    if (cli.env.containsKey("CALICOJ_DEBUG")) {
      e.printStackTrace(cli.err);
    }
    return 1;
  }

  /** Gives every subcommand the shared {@link Cli} and the global options. */
  static final class Factory implements CommandLine.IFactory {
    private final Cli cli;

    Factory(Cli cli) {
      this.cli = cli;
    }

    @Override
    public <K> K create(Class<K> type) throws Exception {
      if (type == Calicoctl.class) {
        return type.cast(new Calicoctl(cli));
      }
      if (Base.class.isAssignableFrom(type)) {
        K k = type.getDeclaredConstructor().newInstance();
        ((Base) k).cli = cli;
        return k;
      }
      return CommandLine.defaultFactory().create(type);
    }
  }

  /** A group command: its arguments are parsed by hand, docopt-style. */
  abstract static class Base implements Callable<Integer> {
    @CommandLine.ParentCommand @Nullable Calicoctl parent;
    @Unmatched List<String> raw = new ArrayList<>();

    @SuppressWarnings("NullAway.Init") // set by the Factory (or direct()) right after construction
    Cli cli;

    @Override
    public Integer call() {
      if (parent != null) {
        cli.hostNetns = parent.hostNetns;
        cli.etcdEndpoints = parent.etcdEndpoints;
      }
      return run(new Args(raw));
    }

    abstract int run(Args a);

    CalicoClient calico() {
      return cli.client();
    }

    void print(String s) {
      cli.out.println(s);
    }
  }

  // =================================================================== container

  @Command(
      name = "container",
      description = {
        "container add <CONTAINER> <IP|ipv4|ipv6|CIDR> [--interface=eth1]",
        "container remove <CONTAINER>",
        "container <CONTAINER> ip (add|remove) <IP> [--interface=eth1]",
        "container <CONTAINER> endpoint show",
        "container <CONTAINER> profile (append|remove|set) [<PROFILES>...]"
      })
  static final class ContainerCmd extends Base {
    @Override
    int run(Args a) {
      String first = a.next("<CONTAINER> or add|remove");
      cli.enforceRoot();
      switch (first) {
        case "add" -> {
          String iface = a.optionOr("--interface", CalicoClient.DEFAULT_INTERFACE);
          String container = a.next("<CONTAINER>");
          String ip = a.next("<IP>");
          a.done();
          checkIpArgument(ip);
          WorkloadEndpoint ep = calico().addContainer(container, ip, iface);
          print("IP " + ep.nets().get(0).address().getHostAddress() + " added to " + container);
          return 0;
        }
        case "remove" -> {
          String container = a.next("<CONTAINER>");
          a.done();
          try {
            calico().removeContainer(container);
            print("Removed Calico from " + container);
          } catch (NotFoundException e) {
            print("Failed find Calico data for " + container);
          }
          return 0;
        }
        default -> {
          return containerSub(first, a);
        }
      }
    }

    private int containerSub(String container, Args a) {
      String what = a.next("ip|endpoint|profile");
      switch (what) {
        case "ip" -> {
          String verb = a.next("add|remove");
          String iface = a.optionOr("--interface", CalicoClient.DEFAULT_INTERFACE);
          String ip = a.next("<IP>");
          a.done();
          if (verb.equals("add")) {
            checkIpArgument(ip);
            try {
              calico().addIp(container, ip, iface);
            } catch (NotFoundException e) {
              if (message(e).startsWith("Container")) {
                throw new CliException(
                    "Failed to add IP address to container.\n"
                        + message(e).replace(" Use", "\nUse"),
                    1);
              }
              throw e;
            }
            print("IP " + ip + " added to " + container);
          } else if (verb.equals("remove")) {
            if (!InetAddresses.isInetAddress(ip)) {
              throw new CliException(IpRequest.INVALID, 1);
            }
            try {
              calico().removeIp(container, InetAddresses.forString(ip), iface);
            } catch (NotFoundException e) {
              if (message(e).startsWith("Container")) {
                throw new CliException("Container is unknown to Calico.", 1);
              }
              throw e;
            }
            print("IP " + ip + " removed from " + container);
          } else {
            throw Args.usage("Unknown ip command " + verb);
          }
          return 0;
        }
        case "endpoint" -> {
          String verb = a.next("show");
          a.done();
          if (!verb.equals("show")) {
            throw Args.usage("Unknown endpoint command " + verb);
          }
          Optional<WorkloadEndpoint> ep = calico().endpoint(container);
          if (ep.isEmpty()) {
            throw new CliException("Container " + container + " is unknown to Calico.", 1);
          }
          print(endpointTable(List.of(ep.get()), true).toString());
          return 0;
        }
        case "profile" -> {
          String verb = a.next("append|remove|set");
          List<String> profiles = a.rest();
          return profileMembership(container, verb, profiles);
        }
        default -> throw Args.usage("Unknown container command " + what);
      }
    }

    private int profileMembership(String container, String verb, List<String> profiles) {
      if (!verb.equals("set") && profiles.isEmpty()) {
        print("No profile specified.");
        return 0;
      }
      try {
        switch (verb) {
          case "append" -> {
            calico().appendProfiles(container, profiles);
            print("Profile(s) " + String.join(", ", profiles) + " appended.");
          }
          case "remove" -> {
            calico().removeProfiles(container, profiles);
            print("Profile(s) " + String.join(",", profiles) + " removed.");
          }
          case "set" -> {
            calico().setProfiles(container, profiles);
            print(
                profiles.isEmpty()
                    ? "Removed all profiles from endpoint."
                    : "Profile(s) set to " + String.join(", ", profiles) + ".");
          }
          default -> throw Args.usage("Unknown profile command " + verb);
        }
      } catch (ProfileAlreadyInEndpointException | ProfileNotInEndpointException e) {
        print(message(e));
        return 0;
      } catch (NotFoundException e) {
        if (message(e).startsWith("Endpoint")) {
          String head =
              switch (verb) {
                case "append" ->
                    "Failed to append profiles to endpoint.\nEndpoint "
                        + container
                        + " is unknown to Calico.\n";
                case "set" ->
                    "Failed to set profiles for endpoint.\nEndpoint could not be found.\n";
                default ->
                    "Failed to remove profiles from endpoint.\nEndpoint could not be found.\n";
              };
          throw new CliException(head, 1);
        }
        throw e;
      }
      return 0;
    }

    /** calicoctl's pre-check of {@code <IP>}: an IP, {@code ipv4|ipv6}, or a pool's CIDR. */
    private void checkIpArgument(String ip) {
      IpRequest r;
      try {
        r = IpRequest.parse(ip);
      } catch (IllegalArgumentException e) {
        throw new CliException(IpRequest.INVALID, 1);
      }
      if (r instanceof IpRequest.FromPool p && calico().ipPools().find(p.pool()).isEmpty()) {
        throw new CliException(
            "Invalid CIDR specified for desired pool. No pool found for " + p.pool() + ".", 1);
      }
    }
  }

  /** The reference's endpoint table; detailed adds addresses, MAC, profiles and state. */
  public static Table endpointTable(List<WorkloadEndpoint> eps, boolean detailed) {
    Table t =
        detailed
            ? new Table(
                "Hostname",
                "Orchestrator ID",
                "Workload ID",
                "Endpoint ID",
                "Addresses",
                "MAC",
                "Profiles",
                "State")
            : new Table("Hostname", "Orchestrator ID", "Workload ID", "Endpoint ID");
    for (WorkloadEndpoint ep : eps) {
      if (detailed) {
        List<String> addrs = new ArrayList<>();
        ep.nets().forEach(c -> addrs.add(c.toString()));
        t.add(
            ep.hostname(),
            ep.orchestratorId(),
            ep.workloadId(),
            ep.endpointId(),
            String.join("\n", addrs),
            ep.mac() == null ? "" : ep.mac(),
            String.join("\n", ep.profileIds()),
            ep.state());
      } else {
        t.add(ep.hostname(), ep.orchestratorId(), ep.workloadId(), ep.endpointId());
      }
    }
    return t;
  }

  // =================================================================== profile

  @Command(
      name = "profile",
      description = {
        "profile show [--detailed]",
        "profile add <PROFILE>",
        "profile remove <PROFILE> [--no-check]",
        "profile <PROFILE> tag show | tag (add|remove) <TAG>",
        "profile <PROFILE> rule add (inbound|outbound) [--at=N] (allow|deny) [...]",
        "profile <PROFILE> rule remove (inbound|outbound) (--at=N | <rule>)",
        "profile <PROFILE> rule show | rule json | rule update  (update reads JSON from stdin)"
      })
  static final class ProfileCmd extends Base {
    @Override
    int run(Args a) {
      String first = a.next("show|add|remove|<PROFILE>");
      switch (first) {
        case "show" -> {
          boolean detailed = a.flag("--detailed");
          a.done();
          List<String> names = calico().profiles().names();
          if (!detailed) {
            Table t = new Table("Name");
            names.forEach(t::add);
            print(t.toString());
          } else {
            Table t =
                new Table("Name", "Host", "Orchestrator ID", "Workload ID", "Endpoint ID", "State");
            List<WorkloadEndpoint> all = calico().workloadEndpoints().list();
            for (String n : names) {
              for (WorkloadEndpoint ep : all) {
                if (ep.profileIds().contains(n)) {
                  t.add(
                      n,
                      ep.hostname(),
                      ep.orchestratorId(),
                      ep.workloadId(),
                      ep.endpointId(),
                      ep.state());
                }
              }
            }
            print(t.toString());
          }
          return 0;
        }
        case "add" -> {
          String name = a.next("<PROFILE>");
          a.done();
          checkName(name);
          try {
            calico().profiles().create(name);
            print("Created profile " + name);
          } catch (AlreadyExistsException e) {
            print("Profile " + name + " already exists.");
          }
          return 0;
        }
        case "remove" -> {
          boolean noCheck = a.flag("--no-check");
          String name = a.next("<PROFILE>");
          a.done();
          checkName(name);
          try {
            calico().profiles().remove(name, noCheck);
          } catch (NotFoundException e) {
            print(message(e));
            return 0;
          }
          print("Deleted profile " + name);
          return 0;
        }
        default -> {
          return profileSub(first, a);
        }
      }
    }

    private static void checkName(String name) {
      if (!Names.isValidId(name)) {
        throw new CliException(Names.PROFILE_NAME_RULE, 1);
      }
    }

    private int profileSub(String name, Args a) {
      checkName(name);
      String what = a.next("tag|rule");
      if (!calico().profiles().exists(name)) {
        throw new CliException("Profile " + name + " not found.", 1);
      }
      if (what.equals("tag")) {
        String verb = a.next("show|add|remove");
        switch (verb) {
          case "show" -> {
            a.done();
            calico().profiles().require(name).tags().forEach(this::print);
          }
          case "add" -> {
            String tag = a.next("<TAG>");
            a.done();
            if (!Names.isValidId(tag)) {
              throw new CliException(Names.TAG_RULE, 1);
            }
            calico().profiles().addTag(name, tag);
            print("Tag " + tag + " added to profile " + name);
          }
          case "remove" -> {
            String tag = a.next("<TAG>");
            a.done();
            try {
              calico().profiles().removeTag(name, tag);
            } catch (NotFoundException e) {
              throw new CliException(message(e), 1);
            }
            print("Tag " + tag + " removed from profile " + name);
          }
          default -> throw Args.usage("Unknown tag command " + verb);
        }
        return 0;
      }
      if (!what.equals("rule")) {
        throw Args.usage("Unknown profile command " + what);
      }
      String verb = a.next("add|remove|show|json|update");
      switch (verb) {
        case "show" -> {
          a.done();
          Rules rules = calico().profiles().require(name).rules();
          print("Inbound rules:");
          for (int i = 0; i < rules.inbound().size(); i++) {
            print(String.format(" %3d %s", i + 1, rules.inbound().get(i).pprint()));
          }
          print("Outbound rules:");
          for (int i = 0; i < rules.outbound().size(); i++) {
            print(String.format(" %3d %s", i + 1, rules.outbound().get(i).pprint()));
          }
        }
        case "json" -> {
          a.done();
          Profile p = calico().profiles().require(name);
          print(RulesJson.write(name, p.rules(), WireFormat.ERA_A.withExtendedRules(true)));
        }
        case "update" -> {
          a.done();
          String json;
          try {
            json = new String(cli.in.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new CliException("Cannot read rules from stdin: " + message(e), 1);
          }
          Optional<String> id = RulesJson.id(json);
          if (id.isPresent() && !id.get().equals(name)) {
            throw new CliException(
                "Rules JSON \"id\"=" + id.get() + " doesn't match profile name " + name + ".", 1);
          }
          calico().profiles().updateRules(name, RulesJson.read(json));
          print("Successfully updated rules on profile " + name);
        }
        case "add", "remove" -> {
          String direction = a.next("inbound|outbound");
          if (!direction.equals("inbound") && !direction.equals("outbound")) {
            throw Args.usage("Expected inbound or outbound, got " + direction);
          }
          boolean inbound = direction.equals("inbound");
          String at = a.option("--at", null);
          Integer position = null;
          if (at != null) {
            try {
              position = Integer.parseInt(at);
            } catch (NumberFormatException e) {
              throw new CliException("Invalid --at position: " + at, 1);
            }
          }
          if (verb.equals("remove") && position != null) {
            a.done();
            try {
              calico().profiles().removeRule(name, inbound, position);
            } catch (IllegalArgumentException e) {
              print(message(e));
            }
            return 0;
          }
          Rule rule = RuleParser.parse(a.rest());
          if (verb.equals("add")) {
            if (!calico().profiles().addRule(name, inbound, rule, position)) {
              print("Rule already present, skipping.");
            }
          } else {
            try {
              calico().profiles().removeRule(name, inbound, rule);
            } catch (NotFoundException e) {
              throw new CliException("Rule not found.", 1);
            }
          }
        }
        default -> throw Args.usage("Unknown rule command " + verb);
      }
      return 0;
    }
  }

  // =================================================================== pool

  @Command(
      name = "pool",
      description = {
        "pool add <CIDRS>... [--ipip] [--nat-outgoing]",
        "pool remove <CIDRS>...",
        "pool range add <START_IP> <END_IP> [--ipip] [--nat-outgoing]",
        "pool show [--ipv4 | --ipv6]"
      })
  static final class PoolCmd extends Base {
    @Override
    int run(Args a) {
      String verb = a.next("add|remove|range|show");
      boolean ipip = a.flag("--ipip");
      boolean nat = a.flag("--nat-outgoing");
      switch (verb) {
        case "add" -> {
          List<IpPool> pools = new ArrayList<>();
          for (String c : a.rest()) {
            Cidr cidr;
            try {
              cidr = Cidr.parseNormalized(c);
            } catch (IllegalArgumentException e) {
              throw new CliException("Invalid CIDR specified " + c, 1);
            }
            try {
              pools.add(IpPool.of(cidr).withOptions(ipip, nat));
            } catch (IllegalArgumentException e) {
              int max = IpPool.blockPrefix(cidr.version());
              throw new CliException(
                  message(e).startsWith("IP in IP")
                      ? message(e)
                      : "An IPv"
                          + cidr.version()
                          + " pool must have a prefix length of "
                          + max
                          + " or lower.\nGiven: "
                          + cidr
                          + ".\nNo pools added.",
                  1);
            }
          }
          if (pools.isEmpty()) {
            throw Args.usage("Missing <CIDRS>.");
          }
          calico().ipPools().addAll(pools);
        }
        case "remove" -> {
          for (String c : a.rest()) {
            calico().ipPools().remove(Cidr.parseNormalized(c));
          }
        }
        case "range" -> {
          String add = a.next("add");
          if (!add.equals("add")) {
            throw Args.usage("Unknown pool range command " + add);
          }
          String start = a.next("<START_IP>");
          String end = a.next("<END_IP>");
          a.done();
          if (!InetAddresses.isInetAddress(start)) {
            throw new CliException("Invalid START_IP specified.", 1);
          }
          if (!InetAddresses.isInetAddress(end)) {
            throw new CliException("Invalid END_IP specified.", 1);
          }
          calico()
              .ipPools()
              .addRange(InetAddresses.forString(start), InetAddresses.forString(end), ipip, nat);
        }
        case "show" -> {
          boolean v4 = a.flag("--ipv4");
          boolean v6 = a.flag("--ipv6");
          a.done();
          if (v4 || !v6) {
            Table t = new Table("IPv4 CIDR", "Options");
            for (IpPool p : calico().ipPools().list(4)) {
              List<String> o = new ArrayList<>();
              if (p.ipip()) {
                o.add("ipip");
              }
              if (p.masquerade()) {
                o.add("nat-outgoing");
              }
              t.add(p.cidr(), String.join(",", o));
            }
            print(t.toString());
          }
          if (v6 || !v4) {
            Table t = new Table("IPv6 CIDR", "Options");
            for (IpPool p : calico().ipPools().list(6)) {
              t.add(p.cidr(), "");
            }
            print(t.toString());
          }
        }
        default -> throw Args.usage("Unknown pool command " + verb);
      }
      return 0;
    }
  }

  // =================================================================== node

  @Command(
      name = "node",
      description = {
        "node [--ip=<IP>] [--ip6=<IP6>] [--as=<AS_NUM>]",
        "  Sets this host's next hops (BGP addresses) and ensures the global config; starts nothing."
      })
  static final class NodeCmd extends Base {
    @Override
    int run(Args a) {
      String ip = a.option("--ip", null);
      String ip6 = a.option("--ip6", null);
      String as = a.option("--as", null);
      a.done();
      Inet4Address v4 = null;
      Inet6Address v6 = null;
      if (ip != null) {
        if (!InetAddresses.isInetAddress(ip)
            || !(InetAddresses.forString(ip) instanceof Inet4Address)) {
          throw new CliException("Invalid IPv4 address specified with --ip argument.", 1);
        }
        v4 = (Inet4Address) InetAddresses.forString(ip);
      }
      if (ip6 != null) {
        if (!InetAddresses.isInetAddress(ip6)
            || !(InetAddresses.forString(ip6) instanceof Inet6Address)) {
          throw new CliException("Invalid IPv6 address specified with --ip6 argument.", 1);
        }
        v6 = (Inet6Address) InetAddresses.forString(ip6);
      }
      calico().configureNode(new NodeConfig(v4, v6, as));
      print(
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

  // =================================================================== endpoint

  @Command(
      name = "endpoint",
      description = {"endpoint show [--detailed]"})
  static final class EndpointCmd extends Base {
    @Override
    int run(Args a) {
      String verb = a.next("show");
      boolean detailed = a.flag("--detailed");
      a.done();
      if (!verb.equals("show")) {
        throw Args.usage("Unknown endpoint command " + verb);
      }
      print(endpointTable(calico().workloadEndpoints().list(), detailed).toString());
      return 0;
    }
  }

  // =================================================================== ipam

  @Command(
      name = "ipam",
      description = {"ipam release <IP>", "ipam info <IP>"})
  static final class IpamCmd extends Base {
    @Override
    int run(Args a) {
      String verb = a.next("release|info");
      String ip = a.next("<IP>");
      a.done();
      if (!InetAddresses.isInetAddress(ip)) {
        throw new CliException("Invalid IP address specified.", 1);
      }
      InetAddress addr = InetAddresses.forString(ip);
      switch (verb) {
        case "release" -> {
          boolean wasFree = !calico().ipam().release(List.of(addr)).isEmpty();
          print(wasFree ? "Failed to release address" : "Address successfully released");
        }
        case "info" -> {
          Optional<AllocationBlock.Attribute> attrs = calico().ipam().attributesOf(addr);
          if (attrs.isEmpty()) {
            print("IP " + ip + " is not currently assigned");
          } else if (attrs.get().handleId() == null && attrs.get().secondary().isEmpty()) {
            print("No attributes defined for " + ip);
          } else {
            print("IP: " + ip);
            if (attrs.get().handleId() != null) {
              print("Handle: " + attrs.get().handleId());
            }
            attrs.get().secondary().forEach((k, v) -> print(k + ": " + v));
          }
        }
        default -> throw Args.usage("Unknown ipam command " + verb);
      }
      return 0;
    }
  }

  /** {@code (allow|deny) [(tcp|udp) [from ...] [to ...] | icmp [type N [code N]] ...]}. */
  static final class RuleParser {
    private RuleParser() {}

    static Rule parse(List<String> words) {
      if (words.isEmpty()) {
        throw Args.usage("Missing (allow|deny).");
      }
      String action = words.get(0).toLowerCase(Locale.ROOT);
      if (!action.equals("allow") && !action.equals("deny")) {
        throw Args.usage("Expected allow or deny, got " + words.get(0));
      }
      Rule.Builder b = Rule.builder(action);
      int i = 1;
      String protocol = null;
      if (i < words.size() && List.of("tcp", "udp", "icmp", "icmpv6").contains(words.get(i))) {
        protocol = words.get(i++);
        b.protocol(protocol);
      }
      if (protocol != null
          && protocol.startsWith("icmp")
          && i < words.size()
          && words.get(i).equals("type")) {
        b.icmpType(intArg(words, ++i));
        i++;
        if (i < words.size() && words.get(i).equals("code")) {
          b.icmpCode(intArg(words, ++i));
          i++;
        }
      }
      while (i < words.size()) {
        String side = words.get(i++);
        if (!side.equals("from") && !side.equals("to")) {
          throw Args.usage("Unexpected " + side + " in rule");
        }
        boolean from = side.equals("from");
        while (i < words.size() && List.of("ports", "tag", "cidr").contains(words.get(i))) {
          String kind = words.get(i++);
          if (i >= words.size()) {
            throw Args.usage("Missing value after " + kind);
          }
          String v = words.get(i++);
          switch (kind) {
            case "ports" -> {
              if (protocol == null || !(protocol.equals("tcp") || protocol.equals("udp"))) {
                throw new CliException(
                    "Ports are not valid with protocol "
                        + (protocol == null ? "None" : "'" + protocol + "'"),
                    1);
              }
              if (!v.matches("^(\\d+([:-]\\d+)?)(,\\d+([:-]\\d+)?)*$")) {
                throw new CliException(
                    "Ports: '"
                        + v
                        + "' are invalid; expecting a comma-separated list of ports and port ranges.",
                    1);
              }
              List<PortRange> ports = new ArrayList<>();
              for (String p : v.split(",", -1)) {
                try {
                  ports.add(PortRange.parse(p));
                } catch (IllegalArgumentException e) {
                  throw new CliException(message(e), 1);
                }
              }
              if (from) {
                b.srcPorts(ports);
              } else {
                b.dstPorts(ports);
              }
            }
            case "tag" -> {
              if (!Names.isValidId(v)) {
                throw new CliException(Names.TAG_RULE, 1);
              }
              if (from) {
                b.srcTag(v);
              } else {
                b.dstTag(v);
              }
            }
            default -> {
              Cidr c;
              try {
                c = Cidr.parse(v);
              } catch (IllegalArgumentException e) {
                throw new CliException("Invalid CIDR specified.", 1);
              }
              if (from) {
                b.srcNet(c);
              } else {
                b.dstNet(c);
              }
            }
          }
        }
      }
      try {
        return b.build();
      } catch (IllegalArgumentException e) {
        throw new CliException(message(e), 1);
      }
    }

    private static int intArg(List<String> words, int i) {
      try {
        int v = Integer.parseInt(words.get(i));
        if (v < 0 || v > 255) {
          throw new NumberFormatException();
        }
        return v;
      } catch (IndexOutOfBoundsException | NumberFormatException e) {
        throw new CliException("Invalid ICMP type or ICMP code specified.", 1);
      }
    }
  }
}
