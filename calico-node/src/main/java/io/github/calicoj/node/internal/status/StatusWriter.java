package io.github.calicoj.node.internal.status;

import static java.util.Objects.requireNonNull;

import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.DatastoreException;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Lease;
import io.github.calicoj.datastore.LeaseExpiredException;
import io.github.calicoj.datastore.Transaction;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the agent's status back (the keys Felix 1.3/1.4 wrote) on a thread of its own, so that
 * datastore latency never delays the dataplane: the host's status every reporting interval (plus up
 * to 10 % jitter; {@code status} on the lease, {@code last_reported_status} without one), and each
 * local endpoint's status when it changes, at most once per endpoint reporting delay, in
 * transactions of up to {@value #TXN_OPS} keys. Everything but {@code last_reported_status} is
 * attached to one lease, which it grants, keeps and, when lost, replaces (writing everything
 * again). A write that fails is retried a second later. Thread-safe; owns its thread and its lease,
 * which {@link #close()} ends (revoking the lease deletes the keys).
 *
 * <p>It stays one class (about 430 lines): the lease, the pending writes and the retry timer are
 * one state machine on one thread, and a lost lease means rewriting everything it holds.
 */
public final class StatusWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StatusWriter.class);

  /** The most keys written in one transaction (etcd's default limit is 128 operations). */
  static final int TXN_OPS = 100;

  private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final Datastore store;
  private final String hostname;
  private final Duration leaseTtl;
  private final Duration timeout;
  private final long startNanos = System.nanoTime();
  private final Thread thread;
  private final Object lock = new Object();

  // Guarded by lock.
  private long hostIntervalNanos;
  private long endpointDelayNanos;
  private boolean endpointReporting = true;
  private final Map<String, EndpointStatus> current = new HashMap<>();
  private final Map<String, @Nullable EndpointStatus> pending = new LinkedHashMap<>();
  private boolean cleanupDue;
  private @Nullable Lease lease;
  private boolean leaseLost;
  private long nextHostAt;
  private long nextEndpointsAt;
  private long retryAt;
  private boolean firstUpdate = true;
  private boolean stopping;
  private @Nullable String lastError;

  /**
   * A writer for {@code hostname}'s keys on a lease of {@code leaseTtl}; {@code timeout} bounds
   * {@link #close()}. Nothing runs until {@link #start()}.
   */
  public StatusWriter(Datastore store, String hostname, Duration leaseTtl, Duration timeout) {
    this.store = requireNonNull(store, "store");
    this.hostname = requireNonNull(hostname, "hostname");
    this.leaseTtl = requireNonNull(leaseTtl, "leaseTtl");
    this.timeout = requireNonNull(timeout, "timeout");
    this.thread = new Thread(this::run, "calico-node-status-" + hostname);
    this.thread.setDaemon(true);
  }

  /** Starts the writer's thread. */
  public void start() {
    thread.start();
  }

  /**
   * Sets the reporting parameters: the host status interval (zero: off), the least time between two
   * writes of the endpoint statuses, and whether endpoint statuses are written at all.
   */
  public void configure(Duration hostInterval, Duration endpointDelay, boolean reportEndpoints) {
    synchronized (lock) {
      long interval = hostInterval.toNanos();
      if (interval != hostIntervalNanos) {
        hostIntervalNanos = interval;
        nextHostAt = System.nanoTime(); // report now, then every interval
      }
      endpointDelayNanos = endpointDelay.toNanos();
      if (reportEndpoints && !endpointReporting) {
        pending.putAll(current);
        cleanupDue = true;
      }
      endpointReporting = reportEndpoints;
      lock.notifyAll();
    }
  }

  /**
   * Records endpoint statuses: {@code statuses} by endpoint key, and {@code removed} endpoints
   * whose status keys go. With {@code complete}, {@code statuses} is every local endpoint, and
   * status keys of any other endpoint of this host are deleted too (after a resync).
   */
  public void endpoints(
      Map<String, EndpointStatus> statuses, Iterable<String> removed, boolean complete) {
    synchronized (lock) {
      if (complete) {
        for (String k : new ArrayList<>(current.keySet())) {
          if (!statuses.containsKey(k)) {
            current.remove(k);
            pending.put(k, null);
          }
        }
        cleanupDue = true;
      }
      statuses.forEach(
          (k, s) -> {
            if (current.put(k, s) != s) {
              pending.put(k, s);
            }
          });
      for (String k : removed) {
        if (current.remove(k) != null) {
          pending.put(k, null);
        }
      }
      lock.notifyAll();
    }
  }

  /** The statuses the writer holds now, by endpoint key (for tests and diagnostics). */
  public Map<String, EndpointStatus> statuses() {
    synchronized (lock) {
      return Map.copyOf(current);
    }
  }

  /** The agent's lease, waiting up to {@code timeout} for it to be granted; empty if it was not. */
  public Optional<Lease> awaitLease(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (true) {
        Lease l = lease;
        if (l != null && l.isActive()) {
          return Optional.of(l);
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || stopping) {
          return Optional.empty();
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return Optional.empty();
        }
      }
    }
  }

  /** Tells the writer that the lease it holds was refused by the store: it gets a new one. */
  public void leaseRefused(Lease refused) {
    synchronized (lock) {
      if (lease == refused) {
        leaseLost = true;
        lock.notifyAll();
      }
    }
  }

  /** The last write failure, or null if the last attempt of each kind succeeded. */
  public @Nullable String lastError() {
    synchronized (lock) {
      return lastError;
    }
  }

  private void run() {
    while (true) {
      boolean needLease;
      boolean hostDue;
      Map<String, @Nullable EndpointStatus> batch = Map.of();
      boolean cleanup;
      synchronized (lock) {
        while (true) {
          if (stopping) {
            return;
          }
          long now = System.nanoTime();
          needLease = lease == null || leaseLost || !requireNonNull(lease).isActive();
          boolean retrying = now < retryAt;
          hostDue = hostIntervalNanos > 0 && now >= nextHostAt;
          boolean endpointsDue =
              endpointReporting && (!pending.isEmpty() || cleanupDue) && now >= nextEndpointsAt;
          if (!retrying && (needLease || hostDue || endpointsDue)) {
            if (endpointsDue && !needLease) {
              batch = new LinkedHashMap<>(pending);
              pending.clear();
              nextEndpointsAt = now + endpointDelayNanos;
            }
            cleanup = endpointsDue && !needLease && cleanupDue;
            if (cleanup) {
              cleanupDue = false;
            }
            break;
          }
          long wake = Long.MAX_VALUE;
          if (retrying) {
            wake = retryAt;
          } else {
            if (hostIntervalNanos > 0) {
              wake = Math.min(wake, nextHostAt);
            }
            if (endpointReporting && (!pending.isEmpty() || cleanupDue)) {
              wake = Math.min(wake, nextEndpointsAt);
            }
          }
          try {
            if (wake == Long.MAX_VALUE) {
              lock.wait();
            } else {
              TimeUnit.NANOSECONDS.timedWait(lock, Math.max(1, wake - now));
            }
          } catch (InterruptedException e) {
            return; // close() interrupts only after stopping is set
          }
        }
      }
      try {
        if (needLease) {
          grantLease();
          continue;
        }
        Lease l = requireNonNull(lease);
        if (hostDue) {
          writeHost(l);
        }
        if (!batch.isEmpty()) {
          writeEndpoints(l, batch);
        }
        if (cleanup) {
          cleanup();
        }
        synchronized (lock) {
          lastError = null;
        }
      } catch (LeaseExpiredException e) {
        failed("lease expired: " + e.getMessage(), batch, cleanup);
        synchronized (lock) {
          leaseLost = true;
        }
      } catch (DatastoreException | IllegalStateException e) {
        failed(e.toString(), batch, cleanup);
      }
    }
  }

  private void grantLease() {
    Lease old;
    synchronized (lock) {
      old = lease;
    }
    if (old != null) {
      old.close(); // revokes it if the store still has it; never throws
    }
    Lease granted;
    try {
      granted = store.grantLease(leaseTtl, this::onLost);
    } catch (DatastoreException e) {
      failed("lease grant failed: " + e, Map.of(), false);
      return;
    }
    synchronized (lock) {
      if (stopping) {
        granted.close();
        return;
      }
      lease = granted;
      leaseLost = false;
      if (old != null) {
        // The keys went with the old lease: write them all again.
        pending.putAll(current);
        nextHostAt = System.nanoTime();
        nextEndpointsAt = 0;
      }
      lock.notifyAll();
    }
    LOG.debug("{}: lease {} granted, TTL {}", hostname, granted.id(), granted.ttl());
  }

  private void onLost(Lease l) {
    synchronized (lock) {
      if (lease == l) {
        leaseLost = true;
        lock.notifyAll();
      }
    }
    LOG.warn("{}: status lease {} lost; granting a new one", hostname, l.id());
  }

  private void failed(
      String why, Map<String, @Nullable EndpointStatus> batch, boolean cleanupFailed) {
    synchronized (lock) {
      // Put back what was not written, unless a newer status came meanwhile.
      batch.forEach(pending::putIfAbsent);
      cleanupDue |= cleanupFailed;
      retryAt = System.nanoTime() + RETRY_NANOS;
      if (!why.equals(lastError)) {
        LOG.warn("{}: status write failed, retrying: {}", hostname, why);
      }
      lastError = why;
    }
  }

  private void writeHost(Lease l) {
    boolean first;
    synchronized (lock) {
      first = firstUpdate;
    }
    double uptime = (System.nanoTime() - startNanos) / 1e9;
    String json =
        String.format(
            Locale.ROOT,
            "{\"time\": \"%s\", \"uptime\": %.3f, \"first_update\": %s}",
            Instant.now().truncatedTo(ChronoUnit.SECONDS),
            uptime,
            first);
    store.commit(
        Transaction.builder()
            .put(StatusKeys.hostStatus(hostname), json, l)
            .put(StatusKeys.lastReportedStatus(hostname), json)
            .build());
    synchronized (lock) {
      firstUpdate = false;
      long jitter =
          hostIntervalNanos <= 0
              ? 0
              : ThreadLocalRandom.current().nextLong(hostIntervalNanos / 10 + 1);
      nextHostAt = System.nanoTime() + hostIntervalNanos + jitter;
    }
  }

  private void writeEndpoints(Lease l, Map<String, @Nullable EndpointStatus> batch) {
    List<Map.Entry<String, @Nullable EndpointStatus>> entries = new ArrayList<>(batch.entrySet());
    for (int from = 0; from < entries.size(); from += TXN_OPS) {
      Transaction.Builder txn = Transaction.builder();
      for (Map.Entry<String, @Nullable EndpointStatus> e :
          entries.subList(from, Math.min(entries.size(), from + TXN_OPS))) {
        Key key = StatusKeys.endpointStatus(e.getKey());
        EndpointStatus s = e.getValue();
        if (s == null) {
          txn.delete(key);
        } else {
          txn.put(key, s.json(), l);
        }
      }
      store.commit(txn.build());
    }
  }

  /** Deletes the status keys of endpoints this host no longer has. */
  private void cleanup() {
    Map<String, EndpointStatus> now;
    synchronized (lock) {
      now = Map.copyOf(current);
    }
    List<Key> stale = new ArrayList<>();
    for (KeyValue kv : store.list(StatusKeys.endpointStatuses(hostname)).entries()) {
      if (!now.containsKey(StatusKeys.endpointOf(kv.key()))) {
        stale.add(kv.key());
      }
    }
    for (int from = 0; from < stale.size(); from += TXN_OPS) {
      Transaction.Builder txn = Transaction.builder();
      stale.subList(from, Math.min(stale.size(), from + TXN_OPS)).forEach(txn::delete);
      store.commit(txn.build());
    }
    if (!stale.isEmpty()) {
      LOG.info("{}: deleted {} stale endpoint status keys", hostname, stale.size());
    }
  }

  /**
   * Stops the thread (waiting at most the timeout) and revokes the lease, which deletes the keys
   * written with it. Idempotent; never throws.
   */
  @Override
  public void close() {
    Lease l;
    synchronized (lock) {
      if (stopping) {
        return;
      }
      stopping = true;
      l = lease;
      lease = null;
      lock.notifyAll();
    }
    if (thread.isAlive()) {
      thread.interrupt();
      try {
        thread.join(timeout.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (l != null) {
      l.close();
    }
    synchronized (lock) {
      Lease late = lease; // granted while closing
      if (late != null) {
        late.close();
      }
    }
  }
}
