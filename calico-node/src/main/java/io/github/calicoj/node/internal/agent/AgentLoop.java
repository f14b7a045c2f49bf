package io.github.calicoj.node.internal.agent;

import static java.util.Objects.requireNonNull;

import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.DatastoreException;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.Revision;
import io.github.calicoj.datastore.Snapshot;
import io.github.calicoj.datastore.WatchEvent;
import io.github.calicoj.datastore.WatchHandle;
import io.github.calicoj.datastore.WatchListener;
import io.github.calicoj.netns.NetnsException;
import io.github.calicoj.node.NodeStatus;
import io.github.calicoj.node.internal.dataplane.Dataplane;
import io.github.calicoj.node.internal.model.FelixConfig;
import io.github.calicoj.node.internal.model.Problem;
import io.github.calicoj.node.internal.nft.NftBatch;
import io.github.calicoj.node.internal.status.EndpointStatus;
import io.github.calicoj.node.internal.status.StatusKeys;
import io.github.calicoj.node.internal.status.StatusWriter;
import io.github.calicoj.node.internal.track.DesiredTracker;
import io.github.calicoj.node.internal.track.Update;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's single apply thread. It lists {@code /calico} and watches it from the listing's
 * revision; watch events are queued by the datastore's thread and applied here in batches (all that
 * arrived while the previous batch was being applied: bursts coalesce). Each batch goes through the
 * {@link DesiredTracker}, and what it changed goes to the kernel: one nftables transaction, the
 * route changes, the new workload links' settings, and the endpoint statuses to the {@link
 * StatusWriter}. A compacted revision, a watch that ended, or a failure to list or to apply the
 * table means a full resync (list, replace the whole table in one transaction, reconcile the
 * routes), retried with exponential backoff. Every {@code reconcileInterval} the routes and the
 * workload links are compared with the kernel. Thread-safe entry points ({@link #stop}, {@link
 * #awaitApplied}, {@link #status}); everything else runs on the loop's thread.
 *
 * <p>It is one class of about 600 lines because its steps (list, apply a batch, resync, reconcile,
 * back off) share the loop thread's state: the tracker, the links last seen, the revision applied
 * and the retry delay. The work itself lives in the tracker, the {@link Dataplane} and the status
 * writer; what is left here is the order in which they are called.
 */
final class AgentLoop implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(AgentLoop.class);

  /** The one prefix watched: Calico's tree and calicoj's, which holds the sync marker. */
  static final Key WATCHED = Key.of("/calico");

  private final NodeAgent.Settings settings;
  private final Datastore store;
  private final DesiredTracker tracker;
  private final Dataplane dataplane;
  private final StatusWriter status;
  private final RouteSync routes;
  private final String markerPath;

  private final Object lock = new Object();
  // Guarded by lock.
  private final List<WatchEvent> inbox = new ArrayList<>();
  private int generation;
  private boolean resyncDue = true;
  private long resyncRequests;
  private long retryAt;
  private boolean stopping;
  private long appliedRevision;
  private NodeStatus.State state = NodeStatus.State.SYNCING;
  private @Nullable String lastFailure;
  private long resyncs;
  private int localCount;
  private int problemCount;

  // Loop thread only.
  private @Nullable WatchHandle watch;
  private Duration backoff;
  private long nextReconcile;
  private final Set<Problem> logged = new HashSet<>();
  private final Map<String, EndpointStatus> statuses = new HashMap<>();
  private final Set<String> configuredLinks = new HashSet<>();

  /** The local endpoints as the loop last looked at their links, by key. */
  private final Map<String, WorkloadEndpoint> seen = new HashMap<>();

  /** Whether each link the loop knows of is up, by name, as last read from the kernel. */
  private final Map<String, Boolean> linkUp = new HashMap<>();

  private @Nullable FelixConfig reportedConfig;

  AgentLoop(
      NodeAgent.Settings settings,
      DesiredTracker tracker,
      Dataplane dataplane,
      StatusWriter status) {
    this.settings = settings;
    this.store = settings.datastore();
    this.tracker = tracker;
    this.dataplane = dataplane;
    this.status = status;
    this.routes = new RouteSync(dataplane, settings.routeProtocol(), settings.hostname());
    this.backoff = settings.minBackoff();
    this.markerPath = StatusKeys.syncMarker(settings.hostname()).path();
  }

  @Override
  public void run() {
    try {
      loop();
    } finally {
      WatchHandle w = watch;
      if (w != null) {
        w.close();
      }
    }
  }

  private void loop() {
    while (true) {
      List<WatchEvent> events;
      boolean resync;
      boolean reconcile;
      synchronized (lock) {
        while (true) {
          if (stopping) {
            return;
          }
          long now = System.nanoTime();
          if (resyncDue) {
            if (now >= retryAt) {
              break;
            }
          } else if (!inbox.isEmpty() || now >= nextReconcile) {
            break;
          }
          long wake = resyncDue ? retryAt : nextReconcile;
          try {
            TimeUnit.NANOSECONDS.timedWait(lock, Math.max(1, wake - now));
          } catch (InterruptedException e) {
            return; // stop() interrupts only after setting stopping
          }
        }
        resync = resyncDue;
        events = resync ? List.of() : new ArrayList<>(inbox);
        inbox.clear();
        reconcile = !resync && System.nanoTime() >= nextReconcile;
      }
      if (resync) {
        resync();
        continue;
      }
      if (!events.isEmpty()) {
        applyEvents(events);
      }
      if (reconcile) {
        reconcile();
      }
    }
  }

  // ---- resync ---------------------------------------------------------------------------------

  private void resync() {
    WatchHandle old = watch;
    watch = null;
    if (old != null) {
      old.close();
    }
    int gen;
    long requestsBefore;
    synchronized (lock) {
      gen = ++generation;
      requestsBefore = resyncRequests;
      inbox.clear();
    }
    WatchHandle w = null;
    try {
      long t0 = System.nanoTime();
      Snapshot snapshot = store.list(WATCHED);
      w = store.watch(WATCHED, snapshot.revision(), new Listener(gen));
      watch = w;
      long t1 = System.nanoTime();
      NftBatch table = tracker.reset(snapshot.entries());
      long t2 = System.nanoTime();
      dataplane.apply(table);
      long t3 = System.nanoTime();
      dataplane.enableForwarding();
      routes.reconcile(tracker.routes());
      long t4 = System.nanoTime();
      Map<String, Boolean> links = dataplane.links();
      remember(links);
      configuredLinks.clear();
      configureLinks(links);
      Map<String, EndpointStatus> all = new HashMap<>();
      for (String key : localKeys()) {
        all.put(key, statusOf(key, links));
      }
      statuses.clear();
      statuses.putAll(all);
      status.endpoints(all, List.of(), true);
      configureReporting();
      logProblems();
      long t5 = System.nanoTime();
      String timing =
          String.format(
              Locale.ROOT,
              "list %.0f ms, model %.0f ms, table %.0f ms, routes %.0f ms, links %.0f ms",
              (t1 - t0) / 1e6,
              (t2 - t1) / 1e6,
              (t3 - t2) / 1e6,
              (t4 - t3) / 1e6,
              (t5 - t4) / 1e6);
      synchronized (lock) {
        appliedRevision = Math.max(appliedRevision, snapshot.revision().value());
        resyncDue = resyncRequests != requestsBefore; // asked again while this one ran
        lastFailure = null;
        resyncs++;
        state = NodeStatus.State.IN_SYNC;
        localCount = tracker.localEndpoints().size();
        problemCount = tracker.problems().size();
        lock.notifyAll();
      }
      backoff = settings.minBackoff();
      nextReconcile = System.nanoTime() + settings.reconcileInterval().toNanos();
      LOG.info(
          "{}: in sync at revision {}: {} keys, {} local endpoints, {} routes, {} problems ({})",
          settings.hostname(),
          snapshot.revision().value(),
          snapshot.size(),
          localCount(),
          tracker.routes().size(),
          tracker.problems().size(),
          timing);
    } catch (RuntimeException e) {
      if (w != null) {
        w.close();
        watch = null;
      }
      failed("resync", e);
    }
  }

  private int localCount() {
    synchronized (lock) {
      return localCount;
    }
  }

  /** Schedules a resync after the current backoff, which then doubles. */
  private void failed(String what, RuntimeException e) {
    String why = what + " failed: " + e;
    Duration wait = backoff;
    backoff = backoff.multipliedBy(2);
    if (backoff.compareTo(settings.maxBackoff()) > 0) {
      backoff = settings.maxBackoff();
    }
    synchronized (lock) {
      resyncDue = true;
      retryAt = System.nanoTime() + wait.toNanos();
      state = NodeStatus.State.RETRYING;
      boolean repeated = why.equals(lastFailure);
      lastFailure = why;
      if (!repeated) {
        LOG.warn("{}: {}; full resync in {} ms", settings.hostname(), why, wait.toMillis());
        LOG.debug("{}: {} failure", settings.hostname(), what, e);
      }
      lock.notifyAll();
    }
  }

  // ---- incremental ----------------------------------------------------------------------------

  private void applyEvents(List<WatchEvent> events) {
    long maxRevision = 0;
    boolean relevant = false;
    try {
      for (WatchEvent e : events) {
        maxRevision = Math.max(maxRevision, e.revision().value());
        if (e instanceof WatchEvent.Put p) {
          relevant |= tracker.put(p.key(), p.current().value());
        } else {
          relevant |= tracker.delete(e.key());
        }
      }
      if (relevant) {
        Update u = tracker.update();
        dataplane.apply(u.nft());
        routes.apply(u.routesToSet(), u.routesToRemove());
        touched(u.endpointsTouched(), u.routesToSet().keySet());
        configureReporting();
        logProblems();
      }
    } catch (RuntimeException e) {
      failed("applying revision " + maxRevision, e);
      return;
    }
    synchronized (lock) {
      appliedRevision = Math.max(appliedRevision, maxRevision);
      if (relevant) {
        localCount = tracker.localEndpoints().size();
        problemCount = tracker.problems().size();
      }
      lock.notifyAll();
    }
  }

  /** Configures and reports the local endpoints a change touched. */
  private void touched(Set<String> keys, Set<Cidr> routed) {
    if (keys.isEmpty()) {
      return;
    }
    Map<String, EndpointStatus> changed = new HashMap<>();
    List<String> removed = new ArrayList<>();
    Map<String, WorkloadEndpoint> local = tracker.localEndpoints();
    Set<String> invalid = tracker.invalidLocalEndpoints();
    for (String key : keys) {
      WorkloadEndpoint ep = local.get(key);
      if (ep == null && !invalid.contains(key)) {
        seen.remove(key);
        if (statuses.remove(key) != null) {
          removed.add(key);
        }
        continue;
      }
      if (ep != null && !ep.equals(seen.get(key))) {
        // A new or changed endpoint: look at its link now. One touched through a profile keeps
        // the link state the loop last saw (a profile used by a thousand endpoints costs no
        // thousand kernel round trips); the reconcile refreshes it.
        seen.put(key, ep);
        var up = dataplane.link(ep.name());
        if (up.isPresent()) {
          linkUp.put(ep.name(), up.get());
          boolean newRoutes = ep.nets().stream().anyMatch(routed::contains);
          if (ep.state().equals("active") && (newRoutes || !configuredLinks.contains(ep.name()))) {
            configure(ep);
          }
        } else {
          linkUp.remove(ep.name());
        }
      }
      if (ep == null) {
        seen.remove(key);
      }
      EndpointStatus s = statusOf(key, linkUp);
      if (statuses.put(key, s) != s) {
        changed.put(key, s);
      }
    }
    status.endpoints(changed, removed, false);
  }

  /** Takes a full link listing as what the loop knows of the links and its endpoints. */
  private void remember(Map<String, Boolean> links) {
    linkUp.clear();
    linkUp.putAll(links);
    seen.clear();
    seen.putAll(tracker.localEndpoints());
  }

  private Set<String> localKeys() {
    Set<String> keys = new HashSet<>(tracker.localEndpoints().keySet());
    keys.addAll(tracker.invalidLocalEndpoints());
    return keys;
  }

  /** The status of the local endpoint at {@code key}, given the links known to exist. */
  private EndpointStatus statusOf(String key, Map<String, Boolean> links) {
    if (tracker.inError(key)) {
      return EndpointStatus.ERROR;
    }
    WorkloadEndpoint ep = requireNonNull(tracker.localEndpoints().get(key), key);
    if (!ep.state().equals("active")) {
      return EndpointStatus.DOWN;
    }
    Boolean up = links.get(ep.name());
    if (up == null || !up) {
      return EndpointStatus.DOWN;
    }
    for (Cidr net : ep.nets()) {
      var refusal = routes.refusal(net);
      if (refusal.isPresent() && !refusal.get().isNotFound()) {
        return EndpointStatus.ERROR; // the link is there, yet its route was refused
      }
    }
    return configuredLinks.contains(ep.name()) ? EndpointStatus.UP : EndpointStatus.ERROR;
  }

  /**
   * Sets up each active local endpoint's link that exists and was not set up yet, all in a few
   * kernel round trips.
   */
  private void configureLinks(Map<String, Boolean> links) {
    List<Dataplane.WorkloadLink> todo = new ArrayList<>();
    for (WorkloadEndpoint ep : tracker.localEndpoints().values()) {
      if (ep.state().equals("active")
          && links.containsKey(ep.name())
          && !configuredLinks.contains(ep.name())) {
        todo.add(workloadLink(ep));
      }
    }
    if (todo.isEmpty()) {
      return;
    }
    Map<String, NetnsException> failed;
    try {
      failed = dataplane.configureWorkloadLinks(todo);
    } catch (RuntimeException e) {
      LOG.warn("{}: could not configure workload links: {}", settings.hostname(), e.toString());
      return;
    }
    for (Dataplane.WorkloadLink w : todo) {
      var e = failed.get(w.name());
      if (e == null) {
        configuredLinks.add(w.name());
      } else {
        LOG.warn("{}: could not configure {}: {}", settings.hostname(), w.name(), e.getMessage());
      }
    }
  }

  private static Dataplane.WorkloadLink workloadLink(WorkloadEndpoint ep) {
    List<InetAddress> v6Gateways = new ArrayList<>();
    if (ep.ipv6Gateway() != null) {
      v6Gateways.add(ep.ipv6Gateway());
    }
    return new Dataplane.WorkloadLink(
        ep.name(), !ep.ipv4Nets().isEmpty(), !ep.ipv6Nets().isEmpty(), v6Gateways);
  }

  /** Sets the host side of the endpoint's link, as Felix did for each active endpoint. */
  private void configure(WorkloadEndpoint ep) {
    List<InetAddress> v6Gateways = new ArrayList<>();
    if (ep.ipv6Gateway() != null) {
      v6Gateways.add(ep.ipv6Gateway());
    }
    try {
      dataplane.configureWorkloadLink(
          ep.name(), !ep.ipv4Nets().isEmpty(), !ep.ipv6Nets().isEmpty(), v6Gateways);
      configuredLinks.add(ep.name());
    } catch (RuntimeException e) {
      configuredLinks.remove(ep.name());
      LOG.warn("{}: could not configure {}: {}", settings.hostname(), ep.name(), e.getMessage());
    }
  }

  // ---- reconcile ------------------------------------------------------------------------------

  private void reconcile() {
    nextReconcile = System.nanoTime() + settings.reconcileInterval().toNanos();
    try {
      WatchHandle w = watch;
      if (w == null || !w.isActive()) {
        requestResync("the watch ended");
        return;
      }
      routes.reconcile(tracker.routes());
      Map<String, Boolean> links = dataplane.links();
      remember(links);
      configuredLinks.retainAll(links.keySet()); // a link that went away is set up again later
      configureLinks(links);
      Map<String, EndpointStatus> changed = new HashMap<>();
      for (String key : localKeys()) {
        EndpointStatus s = statusOf(key, links);
        if (statuses.put(key, s) != s) {
          changed.put(key, s);
        }
      }
      status.endpoints(changed, List.of(), false);
    } catch (RuntimeException e) {
      failed("reconcile", e);
    }
  }

  private void configureReporting() {
    FelixConfig c = tracker.config();
    if (c.equals(reportedConfig)) {
      return;
    }
    reportedConfig = c;
    Duration interval =
        settings.statusInterval() != null
            ? requireNonNull(settings.statusInterval())
            : Duration.ofSeconds(c.reportingIntervalSecs());
    boolean endpoints =
        !c.raw().containsKey("EndpointReportingEnabled") || c.endpointReportingEnabled();
    status.configure(interval, Duration.ofSeconds(c.endpointReportingDelaySecs()), endpoints);
  }

  private void logProblems() {
    Set<Problem> now = tracker.problems();
    if (now.size() == logged.size() && logged.containsAll(now)) {
      return;
    }
    for (Problem p : now) {
      if (logged.add(p)) {
        LOG.warn("{}: {}", settings.hostname(), p);
      }
    }
    logged.retainAll(now);
  }

  // ---- entry points from other threads --------------------------------------------------------

  /** Asks for a full resync now (not a failure: no backoff). */
  void requestResync(String why) {
    synchronized (lock) {
      if (!resyncDue) {
        LOG.info("{}: full resync: {}", settings.hostname(), why);
      }
      resyncDue = true;
      resyncRequests++;
      retryAt = System.nanoTime();
      lock.notifyAll();
    }
  }

  /**
   * Waits until every change up to {@code revision} has been applied and no resync is pending;
   * false if {@code timeout} passed first.
   */
  boolean awaitApplied(Revision revision, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (stopping || resyncDue || appliedRevision < revision.value()) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || stopping) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return true;
    }
  }

  /** The loop's state for {@link NodeStatus}. */
  NodeStatus status() {
    synchronized (lock) {
      return new NodeStatus(
          stopping ? NodeStatus.State.CLOSED : state,
          appliedRevision,
          localCount,
          problemCount,
          resyncs,
          state == NodeStatus.State.RETRYING ? lastFailure : null);
    }
  }

  /** Ends the loop at its next wake-up (the caller joins the thread). */
  void stop() {
    synchronized (lock) {
      stopping = true;
      lock.notifyAll();
    }
  }

  /** Deletes the agent's routes; on the closing thread, after the loop ended. */
  void removeRoutes() {
    routes.removeAll();
  }

  /** The sync marker's key path. */
  String markerPath() {
    return markerPath;
  }

  /** Receives one watch's events; those of a replaced watch are dropped. */
  private final class Listener implements WatchListener {
    private final int gen;

    Listener(int gen) {
      this.gen = gen;
    }

    @Override
    public void onEvent(WatchEvent event) {
      synchronized (lock) {
        if (gen == generation) {
          inbox.add(event);
          lock.notifyAll();
        }
      }
    }

    @Override
    public void onCompacted(Revision compactRevision) {
      synchronized (lock) {
        if (gen != generation) {
          return;
        }
      }
      requestResync("the datastore compacted past the watch (revision " + compactRevision + ")");
    }

    @Override
    public void onDisconnected(DatastoreException cause) {
      LOG.info("{}: watch reconnecting: {}", settings.hostname(), cause.getMessage());
    }
  }
}
