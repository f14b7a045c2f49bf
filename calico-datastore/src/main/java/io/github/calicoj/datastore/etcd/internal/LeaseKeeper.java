package io.github.calicoj.datastore.etcd.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import io.github.calicoj.datastore.DatastoreException;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.Lease;
import io.github.calicoj.datastore.LeaseExpiredException;
import io.github.calicoj.datastore.LeaseListener;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the leases of one etcd datastore alive, the same way for both clients: one daemon thread
 * renews each lease every third of its TTL (etcd's own clients do the same), and a third sooner
 * again, at most half a second later, after a renewal that could not reach etcd. It never trusts a
 * stream to do this: jetcd's keep-alive stream is known to stop silently, so every renewal is one
 * bounded request ({@code keepAliveOnce}, {@code /v3/lease/keepalive}) whose answer is checked.
 *
 * <p>A lease is reported lost only when etcd says so (a renewal finds it gone): after an outage
 * etcd extends its leases when a new leader takes over, so a lease that the keeper could not renew
 * for a while is not necessarily gone.
 *
 * <p>Thread-safe. The thread starts with the first lease and ends with {@link #close}.
 */
public final class LeaseKeeper {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);
  private static final AtomicInteger THREADS = new AtomicInteger();

  /** The longest wait before a renewal that failed is tried again. */
  private static final long MAX_RETRY_NANOS = 500_000_000L;

  /** The calls the keeper makes, each bounded by the deadline ({@link System#nanoTime()}) given. */
  public interface Calls {
    /**
     * Renews lease {@code id}.
     *
     * @return the seconds etcd gives it now; 0 or less if etcd no longer has it
     * @throws DatastoreException if etcd could not be asked
     */
    long renew(long id, long deadline);

    /**
     * Revokes lease {@code id}; a lease etcd no longer has is not an error.
     *
     * @throws DatastoreException if etcd could not be asked
     */
    void revoke(long id, long deadline);
  }

  private final Calls calls;
  private final long timeoutNanos;
  private final String where;
  private final Set<KeptLease> leases = ConcurrentHashMap.newKeySet();

  // Guarded by this.
  private @Nullable ScheduledThreadPoolExecutor timer;
  private boolean closed;

  public LeaseKeeper(Calls calls, Duration requestTimeout, String where) {
    this.calls = calls;
    this.timeoutNanos = requestTimeout.toNanos();
    this.where = where;
  }

  /** A TTL in whole seconds, rounded up; at least one second. */
  public static long wholeSeconds(Duration ttl) {
    checkArgument(
        ttl.compareTo(Duration.ofSeconds(1)) >= 0, "Lease TTL must be at least 1 s: %s", ttl);
    return ttl.getSeconds() + (ttl.getNano() > 0 ? 1 : 0);
  }

  /**
   * Starts keeping a lease that etcd granted alive.
   *
   * @param id etcd's lease ID
   * @param ttlSeconds the TTL etcd granted
   * @throws IllegalStateException if the keeper is closed (the lease is then revoked)
   */
  public Lease keep(long id, long ttlSeconds, LeaseListener listener) {
    KeptLease lease = new KeptLease(id, Duration.ofSeconds(ttlSeconds), listener);
    leases.add(lease);
    if (!schedule(lease, lease.interval)) {
      lease.close();
      throw new IllegalStateException("The datastore is closed");
    }
    return lease;
  }

  /**
   * Checks that {@code lease} may be written with and returns its ID.
   *
   * @throws IllegalArgumentException if another datastore granted it
   * @throws IllegalStateException if it was closed
   * @throws LeaseExpiredException if it was lost
   */
  public long checkWritable(Lease lease, String operation, Key key) {
    checkArgument(
        lease instanceof KeptLease k && k.keeper() == this,
        "Lease %s was granted by another datastore",
        Long.toHexString(lease.id()));
    KeptLease k = (KeptLease) lease;
    checkState(k.state != State.CLOSED, "Lease %s is closed", Long.toHexString(k.id));
    if (k.state == State.LOST) {
      throw new LeaseExpiredException(operation, key, k.id, null);
    }
    return k.id;
  }

  /** Stops renewing {@code lease} without revoking it, as if this process had died. For tests. */
  public void stopRenewing(Lease lease) {
    KeptLease k = (KeptLease) lease;
    ScheduledFuture<?> next = k.next;
    if (next != null) {
      next.cancel(false);
    }
    leases.remove(k);
  }

  /**
   * Revokes every lease still open, all by one deadline, and stops the thread. Idempotent; never
   * throws.
   */
  public void close() {
    ScheduledThreadPoolExecutor t;
    synchronized (this) {
      closed = true;
      t = timer;
      timer = null;
    }
    if (t != null) {
      t.shutdownNow();
    }
    long deadline = System.nanoTime() + timeoutNanos;
    for (KeptLease lease : List.copyOf(leases)) {
      lease.end(State.CLOSED, deadline);
    }
  }

  /** Schedules the next renewal of {@code lease}; false if the keeper is closed. */
  private boolean schedule(KeptLease lease, long delayNanos) {
    ScheduledThreadPoolExecutor t;
    synchronized (this) {
      if (closed) {
        return false;
      }
      if (timer == null) {
        ScheduledThreadPoolExecutor created =
            new ScheduledThreadPoolExecutor(
                1,
                r -> {
                  Thread thread = new Thread(r, "calicoj-etcd-leases-" + THREADS.incrementAndGet());
                  thread.setDaemon(true);
                  return thread;
                });
        created.setRemoveOnCancelPolicy(true);
        timer = created;
      }
      t = timer;
    }
    try {
      lease.next = t.schedule(() -> renew(lease), delayNanos, TimeUnit.NANOSECONDS);
      return true;
    } catch (RejectedExecutionException e) {
      return false; // closed meanwhile
    }
  }

  private void renew(KeptLease lease) {
    if (lease.state != State.ACTIVE) {
      return;
    }
    long next = lease.interval;
    try {
      if (calls.renew(lease.id, System.nanoTime() + timeoutNanos) <= 0) {
        lost(lease);
        return;
      }
    } catch (DatastoreException | IllegalStateException e) {
      next = Math.min(lease.interval, MAX_RETRY_NANOS);
      LOG.debug(
          "Renewing lease {} on {} failed; trying again in {} ms: {}",
          Long.toHexString(lease.id),
          where,
          next / 1_000_000,
          e.getMessage());
    }
    schedule(lease, next);
  }

  private void lost(KeptLease lease) {
    synchronized (lease) {
      if (lease.state != State.ACTIVE) {
        return;
      }
      lease.state = State.LOST;
    }
    leases.remove(lease);
    LOG.warn("Lease {} on {} expired or was revoked by etcd", Long.toHexString(lease.id), where);
    try {
      lease.listener.onLost(lease);
    } catch (RuntimeException e) {
      LOG.warn("Lease listener for {} threw", Long.toHexString(lease.id), e);
    }
  }

  private enum State {
    ACTIVE,
    CLOSED,
    LOST
  }

  /** One lease being kept alive. */
  private final class KeptLease implements Lease {
    private final long id;
    private final Duration ttl;
    private final long interval;
    private final LeaseListener listener;
    private volatile State state = State.ACTIVE;
    private volatile @Nullable ScheduledFuture<?> next;

    KeptLease(long id, Duration ttl, LeaseListener listener) {
      this.id = id;
      this.ttl = ttl;
      this.interval = ttl.toNanos() / 3;
      this.listener = listener;
    }

    LeaseKeeper keeper() {
      return LeaseKeeper.this;
    }

    @Override
    public long id() {
      return id;
    }

    @Override
    public Duration ttl() {
      return ttl;
    }

    @Override
    public boolean isActive() {
      return state == State.ACTIVE;
    }

    @Override
    public void close() {
      end(State.CLOSED, System.nanoTime() + timeoutNanos);
    }

    /** Stops renewing; revokes the lease unless etcd already lost it. Never throws. */
    void end(State to, long deadline) {
      State from;
      synchronized (this) {
        from = state;
        if (from == State.CLOSED) {
          return;
        }
        state = to;
      }
      ScheduledFuture<?> n = next;
      if (n != null) {
        n.cancel(false);
      }
      leases.remove(this);
      if (from == State.ACTIVE) {
        try {
          calls.revoke(id, deadline);
        } catch (DatastoreException | IllegalStateException e) {
          LOG.warn(
              "Revoking lease {} on {} failed; it expires by itself within {}: {}",
              Long.toHexString(id),
              where,
              ttl,
              e.getMessage());
        }
      }
    }

    @Override
    public String toString() {
      return "Lease{" + Long.toHexString(id) + ", ttl=" + ttl + ", " + state + "}";
    }
  }
}
