package io.github.calicoj.node.internal.lifecycle;

import static java.util.Objects.requireNonNull;

import io.github.calicoj.core.check.CheckOptions;
import io.github.calicoj.core.client.CalicoClient;
import io.github.calicoj.core.client.DockerEngine;
import io.github.calicoj.core.lifecycle.DockerFollower;
import io.github.calicoj.datastore.Datastore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's care of its host's workload state besides the dataplane: core's {@link
 * DockerFollower} (a container destroyed loses its endpoint, IPs and veth; a container restarted is
 * re-plumbed) and a periodic leak sweep (core's check in repair mode for this host, with the grace
 * period). Both act through one {@link CalicoClient}: the options' (borrowed) or one built here
 * from the agent's datastore, hostname and host namespace (owned, closed by {@link #close()}).
 *
 * <p>{@link #prepare} decides and builds without starting a thread; {@link #start()} starts the
 * follower's thread and the sweep's; {@link #close()} stops and joins both. Thread-safe.
 */
public final class Housekeeping implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Housekeeping.class);

  private final String hostname;
  private final @Nullable CalicoClient owned;
  private final @Nullable DockerFollower follower;
  private final @Nullable Sweeper sweeper;
  private final Object lock = new Object();
  private boolean started; // guarded by lock
  private boolean closed; // guarded by lock

  private Housekeeping(
      String hostname,
      @Nullable CalicoClient owned,
      @Nullable DockerFollower follower,
      @Nullable Sweeper sweeper) {
    this.hostname = hostname;
    this.owned = owned;
    this.follower = follower;
    this.sweeper = sweeper;
  }

  /**
   * Decides what runs and builds it, starting nothing: the follower if the options say so (in
   * {@link LifecycleOptions.DockerMode#AUTO}, if the daemon's unix socket exists now), the sweep if
   * its interval is not zero, and a client for them if the options have none.
   *
   * @param environment where {@code DOCKER_HOST} is read
   * @param timeout the bound on each Docker API call and on each step of {@link #close()}
   * @throws IllegalArgumentException if the follower is on and the daemon's address is not a unix
   *     socket
   */
  public static Housekeeping prepare(
      Datastore datastore,
      String hostname,
      @Nullable Path hostNamespace,
      LifecycleOptions options,
      Map<String, String> environment,
      Duration timeout) {
    requireNonNull(datastore, "datastore");
    requireNonNull(hostname, "hostname");
    requireNonNull(options, "options");
    requireNonNull(timeout, "timeout");
    String dockerHost = DockerHosts.resolve(options.dockerHost(), environment);
    boolean follow = follow(hostname, options.docker(), dockerHost);
    boolean sweep = !options.sweepInterval().isZero();
    if (!follow && !sweep) {
      LOG.info("{}: leak sweep off", hostname);
      return new Housekeeping(hostname, null, null, null);
    }
    CalicoClient owned = null;
    CalicoClient client = options.client();
    if (client == null) {
      CalicoClient.Builder b = CalicoClient.builder(datastore, hostname).dockerHost(dockerHost);
      if (hostNamespace != null) {
        b.hostNamespace(hostNamespace);
      }
      owned = b.build();
      client = owned;
    }
    try {
      DockerFollower follower = null;
      if (follow) {
        follower =
            DockerFollower.builder(client, new DockerEngine(dockerHost, timeout))
                .onAction(a -> logAction(hostname, a))
                .closeWait(timeout)
                .build();
      }
      Sweeper sweeper = null;
      if (sweep) {
        CalicoClient c = client;
        CheckOptions check =
            CheckOptions.builder()
                .repair(true)
                .grace(options.sweepGrace())
                .allHosts(false)
                .dataplane(true)
                .build();
        sweeper =
            new Sweeper(
                hostname,
                options.sweepInterval(),
                timeout,
                () -> c.checkIpam(check),
                options.onSweep());
        LOG.info(
            "{}: leak sweep every {}, repairing what is older than {}",
            hostname,
            text(options.sweepInterval()),
            text(options.sweepGrace()));
      } else {
        LOG.info("{}: leak sweep off", hostname);
      }
      return new Housekeeping(hostname, owned, follower, sweeper);
    } catch (RuntimeException e) {
      if (owned != null) {
        owned.close();
      }
      throw e;
    }
  }

  private static boolean follow(
      String hostname, LifecycleOptions.DockerMode mode, String dockerHost) {
    switch (mode) {
      case OFF -> {
        LOG.info("{}: Docker events not followed (turned off)", hostname);
        return false;
      }
      case ON -> {
        LOG.info("{}: following Docker events from {}", hostname, dockerHost);
        return true;
      }
      default -> {
        Optional<Path> socket = DockerHosts.socket(dockerHost);
        if (socket.isEmpty()) {
          LOG.info("{}: Docker events not followed: {} is not a unix socket", hostname, dockerHost);
          return false;
        }
        if (!Files.exists(socket.get())) {
          LOG.info("{}: Docker events not followed: no socket at {}", hostname, socket.get());
          return false;
        }
        LOG.info("{}: following Docker events from {}", hostname, dockerHost);
        return true;
      }
    }
  }

  private static void logAction(String hostname, DockerFollower.Action a) {
    String id = a.containerId().length() > 12 ? a.containerId().substring(0, 12) : a.containerId();
    if (a.kind() == DockerFollower.Action.Kind.FAILED) {
      LOG.debug("{}: container {} not brought in step yet", hostname, id); // the follower warned
    } else if (a.eventNanos() == 0) { // a reconcile's: usually a container found in step
      LOG.debug("{}: container {} reconciled ({})", hostname, id, a.kind());
    } else if (a.kind() == DockerFollower.Action.Kind.REMOVED) {
      LOG.info("{}: container {} destroyed: endpoint, IPs and veth removed", hostname, id);
    } else {
      LOG.info("{}: container {} started: its interface checked and re-plumbed", hostname, id);
    }
  }

  /** {@code d} in nanoseconds, at most {@link Long#MAX_VALUE} (about 292 years). */
  static long nanos(Duration d) {
    return d.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : d.toNanos();
  }

  /** A duration as the CLI takes it: {@code 500ms}, {@code 90s}, {@code 10m}, {@code 1h}. */
  static String text(Duration d) {
    long ms = d.toMillis();
    if (ms % 1000 != 0) {
      return ms + "ms";
    }
    long s = ms / 1000;
    if (s != 0 && s % 3600 == 0) {
      return s / 3600 + "h";
    }
    if (s != 0 && s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }

  /** Whether the Docker follower runs (or will, once started). */
  public boolean followsDocker() {
    return follower != null;
  }

  /** Whether sweeps are planned (or will be, once started). */
  public boolean sweeps() {
    return sweeper != null;
  }

  /**
   * Starts the follower (which reconciles this host's Docker endpoints first) and plans the sweeps.
   *
   * @throws IllegalStateException if started before or closed
   */
  public void start() {
    synchronized (lock) {
      if (closed || started) {
        throw new IllegalStateException(
            "Housekeeping of " + hostname + (closed ? " is closed" : " was already started"));
      }
      started = true;
      if (follower != null) {
        follower.start();
      }
      if (sweeper != null) {
        sweeper.start();
      }
    }
  }

  /**
   * Stops the follower and the sweeps and waits for their threads (a bounded time each), then
   * closes the client if it is owned. Idempotent; never throws.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (follower != null) {
      follower.close();
    }
    if (sweeper != null) {
      sweeper.close();
    }
    if (owned != null) {
      owned.close();
    }
  }
}
