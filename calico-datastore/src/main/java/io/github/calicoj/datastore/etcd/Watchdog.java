package io.github.calicoj.datastore.etcd;

import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Closes a connection whose call outlives its deadline. Socket timeouts bound each read, but not a
 * write into a full send buffer, nor the sum of the reads of a TLS handshake; closing the socket at
 * the deadline ends any of them at once, so a call's one deadline covers connect, handshake, writes
 * and reads alike.
 *
 * <p>One daemon thread, started by the first {@link #arm} and ended by {@link #close()}.
 * Thread-safe.
 */
final class Watchdog implements AutoCloseable {
  private static final AtomicInteger THREADS = new AtomicInteger();

  /** A deadline being watched; closing it disarms it. */
  interface Armed extends AutoCloseable {
    @Override
    void close();
  }

  private static final Armed NOTHING = () -> {};

  // Guarded by this.
  private @Nullable ScheduledThreadPoolExecutor timer;
  private boolean closed;

  /**
   * Closes {@code target} at {@code deadline} ({@link System#nanoTime()}) unless the returned
   * handle is closed first. After {@link #close()} nothing is watched any more.
   */
  Armed arm(long deadline, Closeable target) {
    ScheduledThreadPoolExecutor t = timer();
    if (t == null) {
      return NOTHING;
    }
    ScheduledFuture<?> f =
        t.schedule(() -> quietly(target), deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
    return () -> f.cancel(false);
  }

  private synchronized @Nullable ScheduledThreadPoolExecutor timer() {
    if (closed) {
      return null;
    }
    if (timer == null) {
      ScheduledThreadPoolExecutor t =
          new ScheduledThreadPoolExecutor(
              1,
              r -> {
                Thread thread =
                    new Thread(r, "calicoj-etcd-gateway-deadlines-" + THREADS.incrementAndGet());
                thread.setDaemon(true);
                return thread;
              });
      t.setRemoveOnCancelPolicy(true); // cancelled deadlines leave no garbage behind
      timer = t;
    }
    return timer;
  }

  private static void quietly(Closeable target) {
    try {
      target.close();
    } catch (IOException e) {
      // it is being abandoned anyway
    }
  }

  /** Stops the thread; armed deadlines are dropped. Idempotent. */
  @Override
  public synchronized void close() {
    closed = true;
    if (timer != null) {
      timer.shutdownNow();
      timer = null;
    }
  }
}
