package io.github.calicoj.examples.cli;

import io.github.calicoj.datastore.jetcd.EtcdDatastore;
import io.github.calicoj.node.CalicoNode;
import io.github.calicoj.node.NodeStatus;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code calico-node}: this host's node agent ({@link CalicoNode}) in the foreground, on etcd. It
 * reads the same environment as {@code calicoctl} ({@code ETCD_ENDPOINTS} and the TLS and
 * credential variables, {@code CALICO_ETCD_TIMEOUT}, {@code HOSTNAME}, {@code CALICO_HOST_NETNS})
 * plus Felix's {@code FELIX_<PARAM>} overrides, logs its progress, and stops cleanly on SIGTERM or
 * SIGINT. Its rules and routes stay in force after it exits, unless {@code --remove-on-exit} is
 * given. Talks to etcd with jetcd ({@link EtcdDatastore}), whose watch survives the loss of a
 * member: the agent runs for long.
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

  static final String USAGE =
      """
      Usage: calico-node [--remove-on-exit] [--host-netns=<PATH>] [--etcd-endpoints=<URLS>]

      Runs this host's Calico node agent in the foreground: profiles enforced in the nftables table
      inet calico, host-gw routes to the other hosts' workloads, status written back to etcd. Stops
      on SIGTERM or SIGINT; its rules and routes stay in force unless --remove-on-exit is given.

      Options:
        --remove-on-exit         Delete the agent's table and routes when it stops
        --host-netns=<PATH>      The host's network namespace [default: CALICO_HOST_NETNS, else this one]
        --etcd-endpoints=<URLS>  etcd URLs, comma-separated [default: ETCD_ENDPOINTS]
        -h, --help               Print this help

      Environment: as calicoctl's (see calicoctl --help), and FELIX_<PARAM> overrides Felix
      configuration, such as FELIX_DEFAULTENDPOINTTOHOSTACTION=RETURN.
      Exit codes: 0 stopped cleanly; 1 failed to start; 2 not root, or a usage error.
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
                    stopped.await(60, TimeUnit.SECONDS);
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
    for (String a : args) {
      if (a.equals("--remove-on-exit")) {
        remove = true;
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
        CalicoNode node = build(store, hostname, settings.hostNetns(), remove, env)) {
      node.start();
      LOG.info(
          "calico-node {} on {} ({}), host {}",
          Calicoctl.VERSION,
          settings.endpoints(),
          settings.hostNetns() == null ? "this namespace" : settings.hostNetns(),
          hostname);
      if (node.awaitInSync(Duration.ofSeconds(60))) {
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

  private static CalicoNode build(
      EtcdDatastore store,
      String hostname,
      @Nullable Path hostNetns,
      boolean remove,
      Map<String, String> env) {
    CalicoNode.Builder b =
        CalicoNode.builder(store, hostname)
            .removeOnClose(remove)
            .felixConfig(CalicoNode.felixEnvironment(env));
    if (hostNetns != null) {
      b.hostNamespace(hostNetns);
    }
    return b.build();
  }
}
