package io.github.calicoj.examples.cli;

import io.github.calicoj.core.client.CalicoClient;
import io.github.calicoj.datastore.jetcd.EtcdDatastore;
import io.github.calicoj.node.CalicoNode;
import io.github.calicoj.node.NodeStatus;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code calico-node}: this host's node agent ({@link CalicoNode}) in the foreground, on etcd. It
 * reads the same environment as {@code calicoctl} ({@code ETCD_ENDPOINTS} and the TLS and
 * credential variables, {@code CALICO_ETCD_TIMEOUT}, {@code HOSTNAME}, {@code CALICO_HOST_NETNS},
 * {@code CALICO_DATA_ERA}, {@code DOCKER_HOST}) plus its own ({@code CALICO_DOCKER_EVENTS}, {@code
 * CALICO_SWEEP_INTERVAL}, {@code CALICO_SWEEP_GRACE}) and Felix's {@code FELIX_<PARAM>} overrides,
 * logs its progress, and stops cleanly on SIGTERM or SIGINT. The agent follows Docker's container
 * events and sweeps the host for leaks (see {@link CalicoNode.Builder#followDocker} and {@link
 * CalicoNode.Builder#sweepInterval}) through a {@link CalicoClient} made as calicoctl's is. Its
 * rules and routes stay in force after it exits, unless {@code --remove-on-exit} is given. Talks to
 * etcd with jetcd ({@link EtcdDatastore}), whose watch survives the loss of a member: the agent
 * runs for long.
 */
public final class CalicoNodeMain {
  static {
    // The CLI's simplelogger.properties keeps calicoctl quiet (warn); the agent logs its progress.
    // System properties win over that file; this runs before the first logger is made.
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(CalicoNodeMain.class);

  /** The agent's bound on each kernel call and on each step of its close. */
  private static final Duration CLOSE_STEP = Duration.ofSeconds(10);

  /** How long a stop signal waits for the agent to close before the JVM halts. */
  private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(90);

  static final String USAGE =
      """
      Usage: calico-node [--remove-on-exit] [--host-netns=<PATH>] [--etcd-endpoints=<URLS>]
                         [--no-docker-events] [--sweep-interval=<AGE>] [--sweep-grace=<AGE>]

      Runs this host's Calico node agent in the foreground: profiles enforced in the nftables table
      inet calico, host-gw routes to the other hosts' workloads, status written back to etcd. Stops
      on SIGTERM or SIGINT; its rules and routes stay in force unless --remove-on-exit is given.
      It also cleans up after workloads: with a Docker daemon it follows the container events (a
      destroyed container's endpoint, IPs and veth are removed; a restarted one is re-plumbed with
      the same IPs), and every sweep interval it repairs this host's leaks as
      calicoctl ipam check --repair --grace=<sweep grace> would, logging one line per sweep.

      Options:
        --remove-on-exit         Delete the agent's table and routes when it stops
        --host-netns=<PATH>      The host's network namespace [default: CALICO_HOST_NETNS, else this one]
        --etcd-endpoints=<URLS>  etcd URLs, comma-separated [default: ETCD_ENDPOINTS]
        --no-docker-events       Do not follow Docker's container events [default: follow them if the
                                 socket of DOCKER_HOST, else /var/run/docker.sock, exists;
                                 CALICO_DOCKER_EVENTS=auto, on or off]
        --sweep-interval=<AGE>   Time between leak sweeps: seconds, or a number with s, m or h; 0 turns
                                 them off [default: CALICO_SWEEP_INTERVAL, else 10m]
        --sweep-grace=<AGE>      Sweeps repair nothing younger [default: CALICO_SWEEP_GRACE, else 15m]
        -h, --help               Print this help

      Environment: as calicoctl's (see calicoctl --help), the CALICO_ variables above, and
      FELIX_<PARAM> overrides Felix configuration, such as FELIX_DEFAULTENDPOINTTOHOSTACTION=RETURN.
      CALICOJ_ETCD_CLIENT is ignored: the agent always uses jetcd, whose watch survives the loss
      of a member.
      Exit codes: 143 (SIGTERM) or 130 (SIGINT) after a clean stop; 0 for --help; 1 failed to start;
      2 not root, or a usage error.
      """;

  private CalicoNodeMain() {}

  /** Runs the agent until the process is told to stop. */
  public static void main(String[] args) {
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stop.countDown();
                  try {
                    stopped.await(SHUTDOWN_WAIT.toSeconds(), TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "calico-node-shutdown"));
    int code;
    try {
      code = run(args, System.getenv(), System.out, System.err, stop);
    } finally {
      stopped.countDown();
    }
    if (stop.getCount() > 0) { // not a signal: exit with the code (a signal's exit is the JVM's)
      System.exit(code);
    }
  }

  /**
   * Parses the arguments, starts the agent, waits until {@code stop} opens, and stops it; returns
   * the exit code.
   */
  static int run(
      String[] args,
      Map<String, String> env,
      PrintStream out,
      PrintStream err,
      CountDownLatch stop) {
    boolean remove = false;
    Path hostNetns = null;
    String endpoints = null;
    boolean noDockerEvents = false;
    String sweepInterval = null;
    String sweepGrace = null;
    for (String a : args) {
      if (a.equals("--remove-on-exit")) {
        remove = true;
      } else if (a.equals("--no-docker-events")) {
        noDockerEvents = true;
      } else if (a.startsWith("--sweep-interval=")) {
        sweepInterval = a.substring("--sweep-interval=".length());
      } else if (a.startsWith("--sweep-grace=")) {
        sweepGrace = a.substring("--sweep-grace=".length());
      } else if (a.startsWith("--host-netns=")) {
        hostNetns = Path.of(a.substring("--host-netns=".length()));
      } else if (a.startsWith("--etcd-endpoints=")) {
        endpoints = a.substring("--etcd-endpoints=".length());
      } else if (a.equals("-h") || a.equals("--help")) {
        out.print(USAGE);
        return 0;
      } else {
        err.println("Unknown argument " + Messages.echo(a) + ".");
        err.print(USAGE);
        return 2;
      }
    }
    Care care;
    try {
      care =
          new Care(
              noDockerEvents ? "off" : null,
              sweepInterval == null ? null : age("--sweep-interval", sweepInterval),
              sweepGrace == null ? null : age("--sweep-grace", sweepGrace));
    } catch (CliException e) {
      err.println(e.getMessage());
      return 2;
    }
    try {
      care = care.withEnvironment(env);
    } catch (CliException e) {
      err.println(e.getMessage());
      return 1;
    }
    if (!Cli.isRoot()) {
      err.println("calico-node must be run as root.");
      return 2;
    }
    Settings settings;
    String hostname;
    try (Cli cli = new Cli(out, err, System.in, env, hostNetns, endpoints, null)) {
      settings = cli.settings();
      hostname = cli.hostname();
    } catch (CliException e) {
      err.println(e.getMessage());
      return 1;
    }
    EtcdDatastore.Builder b = EtcdDatastore.builder();
    settings.applyTo(b);
    try (EtcdDatastore store = b.build();
        CalicoClient client = client(store, hostname, settings);
        CalicoNode node = build(store, client, settings, remove, care, env)) {
      node.start();
      LOG.info(
          "calico-node {} on {} ({}), host {}",
          Calicoctl.VERSION,
          settings.endpoints(),
          settings.hostNetns() == null ? "this namespace" : settings.hostNetns(),
          hostname);
      // Watch for a stop signal while waiting, so that close() gets the shutdown hook's whole wait.
      boolean inSync = false;
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!inSync && stop.getCount() > 0 && System.nanoTime() < end) {
        inSync = node.awaitInSync(Duration.ofSeconds(1));
      }
      if (inSync) {
        LOG.info("in sync: {}", node.status());
      } else {
        LOG.warn("not in sync yet, still trying: {}", node.status());
      }
      while (!stop.await(60, TimeUnit.SECONDS)) {
        NodeStatus s = node.status();
        if (s.state() != NodeStatus.State.IN_SYNC) {
          LOG.warn("{}", s);
        }
      }
      LOG.info("stopping{}", remove ? "; removing the table and routes" : "; rules stay in force");
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    } catch (RuntimeException e) {
      err.println("calico-node failed: " + e.getMessage());
      LOG.debug("failure", e);
      return 1;
    }
  }

  /** The client through which the agent's Docker follower and sweep act: calicoctl's settings. */
  private static CalicoClient client(EtcdDatastore store, String hostname, Settings settings) {
    CalicoClient.Builder b =
        CalicoClient.builder(store, hostname).wireFormat(settings.wireFormat());
    if (settings.hostNetns() != null) {
      b.hostNamespace(settings.hostNetns());
    }
    if (settings.dockerHost() != null) {
      b.dockerHost(settings.dockerHost());
    }
    return b.build();
  }

  private static CalicoNode build(
      EtcdDatastore store,
      CalicoClient client,
      Settings settings,
      boolean remove,
      Care care,
      Map<String, String> env) {
    CalicoNode.Builder b =
        CalicoNode.builder(store, client.hostname())
            .removeOnClose(remove)
            .felixConfig(CalicoNode.felixEnvironment(env))
            // Each kernel call and each step of close() within 10 s, so that a stop signal's
            // close (follower, sweep, loop, statuses) ends within the shutdown hook's wait.
            .timeout(CLOSE_STEP)
            .calicoClient(client);
    if (settings.hostNetns() != null) {
      b.hostNamespace(settings.hostNetns());
    }
    if (settings.dockerHost() != null) {
      b.dockerHost(settings.dockerHost());
    }
    if (care.dockerEvents() != null) {
      b.followDocker(care.dockerEvents().equals("on"));
    }
    if (care.sweepInterval() != null) {
      b.sweepInterval(care.sweepInterval());
    }
    if (care.sweepGrace() != null) {
      b.sweepGrace(care.sweepGrace());
    }
    return b.build();
  }

  /**
   * {@code --sweep-interval}, {@code --sweep-grace} and their variables: seconds, or a number with
   * s, m or h ({@code ipam check --grace}'s form).
   *
   * @throws CliException naming the option or variable and the value if it is not one
   */
  static Duration age(String name, String text) {
    try {
      return IpamCommand.age(text);
    } catch (CliException e) {
      throw new CliException(
          "Invalid "
              + name
              + " \""
              + Messages.echo(text)
              + "\": give seconds, or a number with s, m or h, such as 10m.");
    }
  }

  /**
   * The agent's housekeeping as the options and then the environment set it; null where neither did
   * (the agent's default).
   *
   * @param dockerEvents {@code on} or {@code off}; null for on if the daemon's socket exists
   * @param sweepInterval the time between leak sweeps, zero for none
   * @param sweepGrace what sweeps leave alone
   */
  record Care(
      @Nullable String dockerEvents,
      @Nullable Duration sweepInterval,
      @Nullable Duration sweepGrace) {

    /**
     * Fills what the options left unset from {@code CALICO_DOCKER_EVENTS}, {@code
     * CALICO_SWEEP_INTERVAL} and {@code CALICO_SWEEP_GRACE} (blank counts as unset).
     *
     * @throws CliException naming the variable and the value if one is refused
     */
    Care withEnvironment(Map<String, String> env) {
      String events = dockerEvents;
      if (events == null) {
        String v = blankIsNull(env.get("CALICO_DOCKER_EVENTS"));
        if (v != null) {
          String mode = v.toLowerCase(Locale.ROOT);
          if (!mode.equals("auto") && !mode.equals("on") && !mode.equals("off")) {
            throw new CliException(
                "CALICO_DOCKER_EVENTS must be auto, on or off; got \"" + Messages.echo(v) + "\".");
          }
          events = mode.equals("auto") ? null : mode;
        }
      }
      Duration interval = sweepInterval;
      String i = blankIsNull(env.get("CALICO_SWEEP_INTERVAL"));
      if (interval == null && i != null) {
        interval = age("CALICO_SWEEP_INTERVAL", i);
      }
      Duration grace = sweepGrace;
      String g = blankIsNull(env.get("CALICO_SWEEP_GRACE"));
      if (grace == null && g != null) {
        grace = age("CALICO_SWEEP_GRACE", g);
      }
      return new Care(events, interval, grace);
    }

    private static @Nullable String blankIsNull(@Nullable String v) {
      return v == null || v.isBlank() ? null : v.trim();
    }
  }
}
