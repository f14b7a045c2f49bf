package io.github.calicoj.examples.cli;

import static io.github.calicoj.examples.cli.Messages.echo;
import static java.util.Objects.requireNonNull;

import io.github.calicoj.core.CalicoException;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.DatastoreException;
import io.github.calicoj.netns.NetnsException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@code calicoctl}: the reference CLI's container, profile, pool, node, endpoint, IPAM and status
 * commands on calicoj, with its arguments, defaults, messages and exit codes ({@code --help} lists
 * them, with the environment).
 *
 * <p>One parser reads the command line: the global options, then a command group of {@link
 * #COMMANDS}, whose {@link Args} read the rest by the group's own table of usage lines and options.
 * Help texts and usage errors are printed from that same table. It is written by hand, without a
 * parsing library: picocli's classes, compiled for Java 5, stay out of the launcher's
 * class-data-sharing archive and cost about 0.15 s of each run. There is no {@code @file}
 * expansion.
 */
public final class Calicoctl {
  /** What {@code --version} prints. */
  static final String VERSION = "calicoctl (calicoj) 0.1.0";

  /** The command groups, in the order {@code --help} lists them. */
  static final List<Command> COMMANDS =
      List.of(
          new ContainerCommand(),
          new ProfileCommand(),
          new PoolCommand(),
          new NodeCommand(),
          new EndpointCommand(),
          new IpamCommand(),
          new StatusCommand());

  private static final String USAGE =
      "[--host-netns=<PATH>] [--etcd-endpoints=<URLS>] [--debug] <command> [<args>...]";

  private static final List<Command.Option> GLOBAL_OPTIONS =
      List.of(
          new Command.Option(
              "--host-netns=<PATH>",
              "The veths' host-side namespace [default: CALICO_HOST_NETNS, else this one's]"),
          new Command.Option(
              "--etcd-endpoints=<URLS>", "etcd URLs, comma-separated [default: ETCD_ENDPOINTS]"),
          new Command.Option("--debug", "Print a failure's stack trace after its message"),
          new Command.Option("-h, --help", "Print this help (or a command's, after its name)"),
          new Command.Option("-V, --version", "Print the version"));

  private static final String ENVIRONMENT =
      """
      Environment (an empty variable counts as unset; a bad value is refused, exit code 1):
        ETCD_ENDPOINTS       etcd URLs, comma-separated [default: http://127.0.0.1:2379]
        ETCD_SCHEME          http or https, with ETCD_AUTHORITY (host:port), if no ETCD_ENDPOINTS
        ETCD_CA_CERT_FILE    The CA certificate that etcd's certificate must chain to
        ETCD_CERT_FILE       The client certificate for etcd; needs ETCD_KEY_FILE
        ETCD_KEY_FILE        Its private key (PKCS#8); needs ETCD_CERT_FILE
        ETCD_USERNAME        etcd user, with ETCD_PASSWORD
        CALICO_ETCD_TIMEOUT  Seconds each etcd request may take, above 0 and at most 3600 [default: 5]
        CALICOJ_ETCD_CLIENT  gateway (etcd's JSON gateway, fast to start) or jetcd [default: gateway]
        CALICO_DATA_ERA      A (next hops from the host's addresses) or B (169.254.1.1) [default: A]
        CALICO_HOST_NETNS    As --host-netns
        HOSTNAME             This host's name in Calico [default: the kernel's host name]
        DOCKER_HOST          The Docker daemon [default: unix:///var/run/docker.sock]
        CALICOJ_DEBUG        Any value: as --debug
      """;

  private static final String EXIT_CODES =
      """
      Exit codes:
        0  Done; also the reference's notices that leave nothing to do ("Profile P already
           exists.", "Failed find Calico data for C", "No profile specified.", ...)
        1  Failed: a refused argument or setting, a usage error (printed with the command's
           usage line), an error from etcd, Docker or the kernel
        2  A command that needs root run without it
        3  ipam check: findings remain (without --repair: anything found)
      """;

  private Calicoctl() {}

  /** Runs the CLI and exits with its exit code. */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err, System.in, System.getenv()));
  }

  /** True if this process runs as root (uid 0), as container commands need. */
  public static boolean runningAsRoot() {
    return Cli.isRoot();
  }

  /** Runs one command line; returns the exit code. Never throws. */
  public static int run(
      String[] args, PrintStream out, PrintStream err, InputStream in, Map<String, String> env) {
    return run(args, out, err, in, env, null);
  }

  /**
   * {@link #run(String[], PrintStream, PrintStream, InputStream, Map)} on {@code store} if it is
   * not null (borrowed, not closed), instead of the etcd that the settings name.
   */
  static int run(
      String[] args,
      PrintStream out,
      PrintStream err,
      InputStream in,
      Map<String, String> env,
      @Nullable Datastore store) {
    String debugVar = env.get("CALICOJ_DEBUG");
    boolean debug = debugVar != null && !debugVar.isBlank();
    Invocation call;
    try {
      call = parse(args);
    } catch (CliException e) {
      return report(e, out, err, debug);
    }
    switch (call.action()) {
      case HELP -> {
        Command c = call.command();
        out.println(c == null ? help() : c.help());
        return 0;
      }
      case VERSION -> {
        out.println(VERSION);
        return 0;
      }
      default -> {
        Command command = requireNonNull(call.command());
        try (Cli cli = new Cli(out, err, in, env, call.hostNetns(), call.etcdEndpoints(), store)) {
          return command.run(new Args(command, call.args()), cli);
        } catch (RuntimeException e) {
          return report(e, out, err, debug || call.debug());
        }
      }
    }
  }

  /** What a command line asks for. */
  enum Action {
    /** Run a command. */
    RUN,
    /** Print calicoctl's help, or a command's if there is one. */
    HELP,
    /** Print the version. */
    VERSION
  }

  /**
   * A parsed command line.
   *
   * @param command the command group (RUN; HELP of a group), or null (HELP of calicoctl, VERSION)
   * @param args the arguments after the group's name
   * @param hostNetns {@code --host-netns}
   * @param etcdEndpoints {@code --etcd-endpoints}
   * @param debug {@code --debug}
   */
  record Invocation(
      Action action,
      @Nullable Command command,
      List<String> args,
      @Nullable Path hostNetns,
      @Nullable String etcdEndpoints,
      boolean debug) {
    Invocation {
      args = List.copyOf(args);
    }
  }

  /**
   * Reads the global options and the command group's name; the group's arguments are read when it
   * runs. {@code -h}/{@code --help} anywhere before a {@code --} asks for help.
   *
   * @throws CliException a usage error
   */
  static Invocation parse(String[] argv) {
    List<String> args = List.of(argv);
    for (int n = 0; n < args.size(); n++) {
      if (!Messages.oneLine(args.get(n)).equals(args.get(n))) {
        // No name, address, path or rule has one; echoed, it would forge a line of the answer.
        throw usage("Argument " + (n + 1) + " has a control character: " + echo(args.get(n)) + ".");
      }
    }
    Path hostNetns = null;
    String endpoints = null;
    boolean debug = false;
    int i = 0;
    for (; i < args.size() && args.get(i).startsWith("-"); i++) {
      String a = args.get(i);
      switch (a) {
        case "-h", "--help" -> {
          return new Invocation(Action.HELP, null, List.of(), null, null, false);
        }
        case "-V", "--version" -> {
          return new Invocation(Action.VERSION, null, List.of(), null, null, false);
        }
        case "--debug" -> {
          debug = true;
          continue;
        }
        default -> {}
      }
      if (a.equals("--")) {
        i++;
        break;
      }
      int eq = a.indexOf('=');
      String name = eq < 0 ? a : a.substring(0, eq);
      if (!name.equals("--host-netns") && !name.equals("--etcd-endpoints")) {
        throw usage(
            name.equals("--debug")
                ? "--debug takes no value."
                : "Unknown option " + echo(name) + ".");
      }
      String value = eq >= 0 ? a.substring(eq + 1) : i + 1 < args.size() ? args.get(++i) : "";
      if (value.isEmpty()) {
        throw usage(name + " needs a value.");
      }
      if (name.equals("--host-netns") ? hostNetns != null : endpoints != null) {
        throw usage(name + " is given more than once.");
      }
      if (name.equals("--host-netns")) {
        hostNetns = Path.of(value);
      } else {
        endpoints = value;
      }
    }
    if (i >= args.size()) {
      throw usage("Missing <command>.");
    }
    Command command = command(args.get(i));
    if (command == null) {
      throw usage("Unknown command " + echo(args.get(i)) + ".");
    }
    List<String> rest = args.subList(i + 1, args.size());
    for (String r : rest) {
      if (r.equals("--")) {
        break;
      }
      if (r.equals("-h") || r.equals("--help")) {
        return new Invocation(Action.HELP, command, List.of(), null, null, false);
      }
    }
    return new Invocation(Action.RUN, command, rest, hostNetns, endpoints, debug);
  }

  /** Whether {@code name} ({@code --host-netns}) is a global option. */
  static boolean isGlobalOption(String name) {
    return name.equals("--host-netns") || name.equals("--etcd-endpoints") || name.equals("--debug");
  }

  private static @Nullable Command command(String name) {
    for (Command c : COMMANDS) {
      if (c.name().equals(name)) {
        return c;
      }
    }
    return null;
  }

  private static CliException usage(String message) {
    return CliException.usage(message, USAGE);
  }

  /** What {@code calicoctl --help} prints. */
  static String help() {
    StringBuilder b =
        new StringBuilder("Calico v1 container networking on the calicoj SDK.\n\nUsage:\n")
            .append("  calicoctl ")
            .append(USAGE)
            .append("\n  calicoctl <command> --help\n  calicoctl --version\n\nCommands:\n");
    for (Command c : COMMANDS) {
      b.append("  ").append(c.name()).append(" ".repeat(11 - c.name().length()));
      b.append(c.summary()).append('\n');
    }
    b.append("\nOptions:\n");
    for (Command.Option o : GLOBAL_OPTIONS) {
      b.append("  ").append(o.spec()).append(" ".repeat(25 - o.spec().length()));
      b.append(o.help()).append('\n');
    }
    return b.append('\n').append(ENVIRONMENT).append('\n').append(EXIT_CODES).toString().strip();
  }

  /**
   * Prints a failure as the reference does and returns its exit code: a {@link CliException} as it
   * says; a datastore error as "Error accessing etcd (...). Is etcd running?"; the SDK's other
   * errors as their message; each without Java class names, and with its stack trace on stderr if
   * {@code debug}.
   */
  private static int report(RuntimeException e, PrintStream out, PrintStream err, boolean debug) {
    if (e instanceof CliException c) {
      PrintStream to = c.toStderr ? err : out;
      to.println(Messages.clean(String.valueOf(c.getMessage())));
      if (c.usage != null) {
        to.println("Usage: calicoctl " + c.usage);
      }
      Throwable cause = c.getCause();
      if (debug && cause != null) {
        cause.printStackTrace(err);
      }
      return c.exitCode;
    }
    if (e instanceof DatastoreException) {
      out.println("Error accessing etcd (" + Messages.of(e) + ").  Is etcd running?");
    } else if (e instanceof IllegalArgumentException) {
      // A value the SDK refused, quoted from the input (stdin's JSON too): kept on one line.
      out.println(Messages.oneLine(Messages.of(e)));
    } else if (e instanceof CalicoException || e instanceof NetnsException) {
      out.println(Messages.of(e));
    } else {
      err.println(Messages.of(e));
    }
    if (debug) {
      e.printStackTrace(err);
    }
    return CliException.FAILED;
  }
}
