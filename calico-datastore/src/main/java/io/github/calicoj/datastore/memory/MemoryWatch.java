package io.github.calicoj.datastore.memory;

import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.WatchEvent;
import io.github.calicoj.datastore.WatchHandle;
import io.github.calicoj.datastore.WatchListener;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One watch of an {@link InMemoryDatastore}: a prefix, a listener, and the single daemon thread
 * that calls it, in the order the store hands it events. Thread-safe. {@link #close()} returns once
 * that thread has ended (waiting at most {@value #CLOSE_WAIT_SECONDS} s for a listener call under
 * way), unless the listener itself closes the watch.
 */
final class MemoryWatch implements WatchHandle {
  private static final Logger LOG = LoggerFactory.getLogger(MemoryWatch.class);
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final long CLOSE_WAIT_SECONDS = 5;

  private final Key prefix;
  private final WatchListener listener;
  private final Consumer<MemoryWatch> onClose;
  private final Thread thread;
  private final Queue<WatchEvent> queue = new ArrayDeque<>(); // guarded by queue
  private volatile boolean active = true;

  /**
   * @param onClose told once the watch is closed, to forget it
   */
  MemoryWatch(Key prefix, WatchListener listener, Consumer<MemoryWatch> onClose) {
    this.prefix = prefix;
    this.listener = listener;
    this.onClose = onClose;
    this.thread = new Thread(this::run, "calicoj-memory-watch-" + THREADS.incrementAndGet());
    thread.setDaemon(true);
    thread.start();
  }

  /** The watched prefix. */
  Key prefix() {
    return prefix;
  }

  /** Queues {@code event} for the listener; after {@link #close()}, drops it. */
  void deliver(WatchEvent event) {
    synchronized (queue) {
      if (active) {
        queue.add(event);
        queue.notifyAll();
      }
    }
  }

  /**
   * Delivers until the watch is closed. If the thread ends otherwise (a listener threw an {@link
   * Error}, or left the thread interrupted), the watch ends with it: {@link #isActive()} turns
   * false, so its owner sees that it must watch again.
   */
  private void run() {
    try {
      while (true) {
        WatchEvent event = next();
        if (event == null) {
          return;
        }
        try {
          listener.onEvent(event);
        } catch (RuntimeException e) {
          LOG.warn("Watch listener for {} threw on {}; continuing", prefix, event, e);
        }
      }
    } finally {
      boolean ended;
      synchronized (queue) {
        ended = active;
        active = false;
        queue.clear();
      }
      if (ended) {
        LOG.warn("Watch of {} ended: its thread stopped without close()", prefix);
        onClose.accept(this);
      }
    }
  }

  /** The next event, or null once the watch is closed. */
  private @Nullable WatchEvent next() {
    synchronized (queue) {
      while (active && queue.isEmpty()) {
        try {
          queue.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return null;
        }
      }
      return active ? queue.poll() : null;
    }
  }

  @Override
  public boolean isActive() {
    return active;
  }

  @Override
  public void close() {
    synchronized (queue) {
      if (!active) {
        return;
      }
      active = false;
      queue.clear();
      queue.notifyAll();
    }
    onClose.accept(this);
    if (Thread.currentThread() != thread) {
      try {
        thread.join(TimeUnit.SECONDS.toMillis(CLOSE_WAIT_SECONDS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
