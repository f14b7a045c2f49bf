package io.github.calicoj.node.internal.agent;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.DatastoreException;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Lease;
import io.github.calicoj.datastore.LeaseExpiredException;
import io.github.calicoj.netns.NetNs;
import io.github.calicoj.node.CalicoNode;
import io.github.calicoj.node.NodeStatus;
import io.github.calicoj.node.internal.dataplane.Dataplane;
import io.github.calicoj.node.internal.dataplane.KernelDataplane;
import io.github.calicoj.node.internal.lifecycle.Housekeeping;
import io.github.calicoj.node.internal.lifecycle.LifecycleOptions;
import io.github.calicoj.node.internal.model.FelixConfig;
import io.github.calicoj.node.internal.status.StatusKeys;
import io.github.calicoj.node.internal.status.StatusWriter;
import io.github.calicoj.node.internal.track.DesiredTracker;
import io.github.calicoj.node.internal.track.IncrementalTracker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link CalicoNode} implementation: owns the dataplane handles, the status writer, the loop's
 * thread and the housekeeping (Docker follower, leak sweep), and starts and stops them in order.
 * Thread-safe.
 */
public final class NodeAgent implements CalicoNode {
  private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);

  /** The Felix parameters the agent reads. */
  public static final List<String> KNOWN_PARAMETERS =
      List.of(
          "InterfacePrefix",
          "DefaultEndpointToHostAction",
          "IpInIpEnabled",
          "IpInIpMtu",
          "IpInIpTunnelAddr",
          "IptablesMarkMask",
          "ReportingIntervalSecs",
          "ReportingTTLSecs",
          "EndpointReportingEnabled",
          "EndpointReportingDelaySecs",
          "FelixHostname");

  /**
   * Everything the builder collected.
   *
   * @param datastore the borrowed datastore
   * @param hostname this host
   * @param hostNamespace the host namespace's path, or null for the caller's
   * @param statusInterval the host status interval, or null for {@code ReportingIntervalSecs}
   * @param statusTtl the lease's TTL, or null for {@code ReportingTTLSecs}
   * @param removeOnClose delete the table and routes at close
   * @param lifecycle the Docker follower and the leak sweep
   * @param felixConfig Felix configuration overrides
   * @param routeProtocol the routes' protocol number
   * @param timeout the bound on kernel calls and on each closing step
   * @param reconcileInterval how often routes and links are compared with the kernel
   * @param minBackoff the first wait before a resync after a failure
   * @param maxBackoff the longest such wait
   */
  public record Settings(
      Datastore datastore,
      String hostname,
      @Nullable Path hostNamespace,
      @Nullable Duration statusInterval,
      @Nullable Duration statusTtl,
      boolean removeOnClose,
      LifecycleOptions lifecycle,
      Map<String, String> felixConfig,
      int routeProtocol,
      Duration timeout,
      Duration reconcileInterval,
      Duration minBackoff,
      Duration maxBackoff) {

    /** Rejects nulls and copies the overrides. */
    public Settings {
      requireNonNull(datastore, "datastore");
      requireNonNull(hostname, "hostname");
      requireNonNull(lifecycle, "lifecycle");
      felixConfig = Map.copyOf(felixConfig);
      requireNonNull(timeout, "timeout");
      requireNonNull(reconcileInterval, "reconcileInterval");
      requireNonNull(minBackoff, "minBackoff");
      requireNonNull(maxBackoff, "maxBackoff");
    }
  }

  private final Settings settings;
  private final Function<NetNs, Dataplane> dataplaneFactory;
  private final AtomicLong markers = new AtomicLong();
  private final Object lifecycle = new Object();
  // Guarded by lifecycle.
  private boolean started;
  private boolean closed;
  private @Nullable Dataplane dataplane;
  private @Nullable StatusWriter status;
  private @Nullable AgentLoop loop;
  private @Nullable Thread thread;
  private @Nullable Housekeeping housekeeping;

  /** An agent on the real kernel. */
  public NodeAgent(Settings settings) {
    this(settings, ns -> KernelDataplane.open(ns, settings.timeout(), settings.routeProtocol()));
  }

  /** An agent on the dataplane {@code factory} opens in the host namespace (tests: a fake). */
  public NodeAgent(Settings settings, Function<NetNs, Dataplane> factory) {
    this.settings = requireNonNull(settings, "settings");
    this.dataplaneFactory = requireNonNull(factory, "factory");
  }

  @Override
  public String hostname() {
    return settings.hostname();
  }

  @Override
  public void start() {
    synchronized (lifecycle) {
      checkState(!closed, "The agent of %s is closed", settings.hostname());
      checkState(!started, "The agent of %s was already started", settings.hostname());
      Path path = settings.hostNamespace();
      // Decided before anything starts: a refused Docker address leaves the agent as it was.
      Housekeeping care =
          Housekeeping.prepare(
              settings.datastore(),
              settings.hostname(),
              path,
              settings.lifecycle(),
              System.getenv(),
              settings.timeout());
      started = true;
      Dataplane dp;
      try (NetNs ns = path == null ? NetNs.current() : NetNs.open(path)) {
        dp = dataplaneFactory.apply(ns);
      } catch (RuntimeException e) {
        care.close();
        throw e;
      }
      Duration ttl =
          settings.statusTtl() != null
              ? requireNonNull(settings.statusTtl())
              : Duration.ofSeconds(FelixConfig.DEFAULTS.reportingTtlSecs());
      StatusWriter writer =
          new StatusWriter(settings.datastore(), settings.hostname(), ttl, settings.timeout());
      DesiredTracker tracker = new IncrementalTracker(settings.hostname(), settings.felixConfig());
      AgentLoop l = new AgentLoop(settings, tracker, dp, writer);
      Thread t = new Thread(l, "calico-node-" + settings.hostname());
      t.setDaemon(true);
      dataplane = dp;
      status = writer;
      loop = l;
      thread = t;
      housekeeping = care;
      writer.start();
      t.start();
      care.start();
      LOG.info(
          "{}: agent started in {} (route protocol {})",
          settings.hostname(),
          path == null ? "this namespace" : path,
          settings.routeProtocol());
    }
  }

  @Override
  public boolean awaitInSync(Duration timeout) {
    requireNonNull(timeout, "timeout");
    checkArgument(!timeout.isNegative(), "timeout must not be negative: %s", timeout);
    AgentLoop l;
    StatusWriter w;
    synchronized (lifecycle) {
      checkState(started && !closed, "The agent of %s is not running", settings.hostname());
      l = requireNonNull(loop);
      w = requireNonNull(status);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
        Optional<Lease> lease = w.awaitLease(left);
        if (lease.isEmpty()) {
          return false;
        }
        KeyValue marker;
        try {
          marker =
              settings
                  .datastore()
                  .put(
                      StatusKeys.syncMarker(settings.hostname()),
                      Long.toString(markers.incrementAndGet()),
                      lease.get());
        } catch (LeaseExpiredException | IllegalStateException e) {
          w.leaseRefused(lease.get());
          continue; // the writer grants a new one
        } catch (DatastoreException e) {
          LOG.debug("{}: sync marker not written: {}", settings.hostname(), e.toString());
          return false;
        }
        left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
        return l.awaitApplied(marker.revision(), left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public NodeStatus status() {
    AgentLoop l;
    synchronized (lifecycle) {
      if (closed) {
        return new NodeStatus(NodeStatus.State.CLOSED, 0, 0, 0, 0, null);
      }
      if (!started) {
        return new NodeStatus(NodeStatus.State.NEW, 0, 0, 0, 0, null);
      }
      l = requireNonNull(loop);
    }
    return l.status();
  }

  @Override
  public void close() {
    AgentLoop l;
    Thread t;
    StatusWriter w;
    Dataplane dp;
    Housekeeping care;
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      care = housekeeping;
      l = loop;
      t = thread;
      w = status;
      dp = dataplane;
    }
    if (care != null) {
      care.close(); // first: the follower and the sweep write to the datastore
    }
    if (l != null && t != null) {
      l.stop();
      t.interrupt();
      join(t);
    }
    if (w != null) {
      w.close();
    }
    if (dp != null) {
      if (settings.removeOnClose() && l != null) {
        try {
          dp.deleteTable();
          l.removeRoutes();
          LOG.info("{}: table and routes removed", settings.hostname());
        } catch (RuntimeException e) {
          LOG.warn(
              "{}: could not remove the table and routes: {}", settings.hostname(), e.toString());
        }
      }
      dp.close();
    }
    LOG.info("{}: agent stopped", settings.hostname());
  }

  private void join(Thread t) {
    try {
      t.join(settings.timeout().toMillis());
      if (t.isAlive()) {
        LOG.warn("{}: loop thread did not end within {}", settings.hostname(), settings.timeout());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "CalicoNode{" + settings.hostname() + ", " + status().state() + "}";
  }
}
