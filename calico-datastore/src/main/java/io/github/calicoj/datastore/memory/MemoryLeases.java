package io.github.calicoj.datastore.memory;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.Lease;
import io.github.calicoj.datastore.LeaseExpiredException;
import io.github.calicoj.datastore.LeaseListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leases of one {@link InMemoryDatastore} and the keys attached to them, with etcd's rules: a
 * put with a lease attaches the key, a put without one or a delete detaches it, and a lease that
 * ends takes its keys with it in one deletion.
 *
 * <p>The writer lives in the store's own process, so a lease is kept alive for as long as it is
 * open. Only when its keep-alive stops (the tests' stand-in for a dead writer) does it expire, a
 * TTL later, on a timer thread that deletes its keys and reports the loss; that thread starts with
 * the first such expiry and ends with the store.
 *
 * <p>Every method runs under the store's lock, which it is given; the timer takes that lock too.
 * Listeners are called on the timer thread, outside the lock.
 */
final class MemoryLeases {
  private static final Logger LOG = LoggerFactory.getLogger(MemoryLeases.class);
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final Object lock;
  private final Object owner;
  private final Consumer<List<Key>> delete;

  // Guarded by lock.
  private final Map<Long, MemoryLease> leases = new HashMap<>();
  private final Map<Key, MemoryLease> attached = new HashMap<>();
  private long nextId = 0x6a0e_0000_0000_0001L;
  private @Nullable ScheduledThreadPoolExecutor timer;

  /**
   * @param lock the store's lock
   * @param owner the store, to tell its leases from other stores'
   * @param delete deletes keys at one new revision, notifying watches; called under the lock
   */
  MemoryLeases(Object lock, Object owner, Consumer<List<Key>> delete) {
    this.lock = lock;
    this.owner = owner;
    this.delete = delete;
  }

  /** Grants a lease of {@code ttl} rounded up to whole seconds (at least one). */
  Lease grant(Duration ttl, LeaseListener listener) {
    long seconds = wholeSeconds(ttl);
    MemoryLease lease = new MemoryLease(nextId++, Duration.ofSeconds(seconds), listener);
    leases.put(lease.id, lease);
    return lease;
  }

  /** A TTL in whole seconds, rounded up; at least one second. */
  static long wholeSeconds(Duration ttl) {
    checkArgument(
        ttl.compareTo(Duration.ofSeconds(1)) >= 0, "Lease TTL must be at least 1 s: %s", ttl);
    return ttl.getSeconds() + (ttl.getNano() > 0 ? 1 : 0);
  }

  /**
   * Checks that {@code lease} may be written with.
   *
   * @throws IllegalArgumentException if another store granted it
   * @throws IllegalStateException if it was closed
   * @throws LeaseExpiredException if it was lost
   */
  void checkWritable(Lease lease, String operation, Key key) {
    checkArgument(
        lease instanceof MemoryLease m && m.owner() == owner,
        "Lease %s was granted by another datastore",
        Long.toHexString(lease.id()));
    MemoryLease m = (MemoryLease) lease;
    checkState(!m.closed, "Lease %s is closed", Long.toHexString(m.id));
    if (m.lost) {
      throw new LeaseExpiredException(operation, key, m.id, null);
    }
  }

  /** Records that {@code key} was written, with {@code lease} or none. */
  void written(Key key, @Nullable Lease lease) {
    MemoryLease previous =
        lease == null ? attached.remove(key) : attached.put(key, (MemoryLease) lease);
    if (previous != null && previous != lease) {
      previous.keys.remove(key);
    }
    if (lease != null) {
      ((MemoryLease) lease).keys.add(key);
    }
  }

  /** Records that {@code key} was deleted. */
  void deleted(Key key) {
    MemoryLease previous = attached.remove(key);
    if (previous != null) {
      previous.keys.remove(key);
    }
  }

  /**
   * Ends every lease (the store is closing): their keys are deleted, nobody is told. Returns the
   * timer to stop, if any, so that it can be stopped outside the lock.
   */
  @Nullable ScheduledThreadPoolExecutor closeAll() {
    for (MemoryLease lease : List.copyOf(leases.values())) {
      end(lease, false);
    }
    ScheduledThreadPoolExecutor t = timer;
    timer = null;
    return t;
  }

  /**
   * Stops keeping {@code lease} alive, as if its writer had died: it expires a TTL from now, its
   * keys are deleted and its listener is told. For tests.
   */
  void stopKeepAlive(Lease lease) {
    MemoryLease m = (MemoryLease) lease;
    if (m.closed || m.lost) {
      return;
    }
    try {
      var unused = timer().schedule(() -> expire(m), m.ttl.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // the store is closing
    }
  }

  private ScheduledThreadPoolExecutor timer() {
    ScheduledThreadPoolExecutor t = timer;
    if (t == null) {
      t =
          new ScheduledThreadPoolExecutor(
              1,
              r -> {
                Thread thread =
                    new Thread(r, "calicoj-memory-lease-expiry-" + THREADS.incrementAndGet());
                thread.setDaemon(true);
                return thread;
              });
      t.setRemoveOnCancelPolicy(true);
      timer = t;
    }
    return t;
  }

  /** Revokes {@code lease} as another client would: its keys go, its listener is told. */
  void revokeElsewhere(Lease lease) {
    MemoryLease m = (MemoryLease) lease;
    if (!m.closed && !m.lost) {
      end(m, true);
      try {
        timer().execute(() -> tell(m));
      } catch (RejectedExecutionException e) {
        // the store is closing
      }
    }
  }

  private void expire(MemoryLease m) {
    synchronized (lock) {
      if (m.closed || m.lost) {
        return;
      }
      end(m, true);
    }
    tell(m);
  }

  private static void tell(MemoryLease m) {
    try {
      m.listener.onLost(m);
    } catch (RuntimeException e) {
      LOG.warn("Lease listener for {} threw", Long.toHexString(m.id), e);
    }
  }

  /** Ends a lease: closed by its holder, or lost; deletes its keys at one revision. */
  private void end(MemoryLease m, boolean lost) {
    if (lost) {
      m.lost = true;
    } else {
      m.closed = true;
    }
    leases.remove(m.id);
    List<Key> keys = new ArrayList<>(m.keys);
    m.keys.clear();
    keys.forEach(attached::remove);
    if (!keys.isEmpty()) {
      delete.accept(keys);
    }
  }

  /** One lease. Its state is guarded by the store's lock. */
  private final class MemoryLease implements Lease {
    private final long id;
    private final Duration ttl;
    private final LeaseListener listener;
    private final Set<Key> keys = new LinkedHashSet<>();
    private boolean closed;
    private boolean lost;

    MemoryLease(long id, Duration ttl, LeaseListener listener) {
      this.id = id;
      this.ttl = ttl;
      this.listener = listener;
    }

    Object owner() {
      return owner;
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
      synchronized (lock) {
        return !closed && !lost;
      }
    }

    @Override
    public void close() {
      synchronized (lock) {
        if (!closed && !lost) {
          end(this, false);
        }
        closed = true;
      }
    }

    @Override
    public String toString() {
      return "Lease{" + Long.toHexString(id) + ", ttl=" + ttl + "}";
    }
  }
}
