package io.github.calicoj.datastore.memory;

import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.WatchEvent;
import io.github.calicoj.datastore.WatchHandle;
import io.github.calicoj.datastore.WatchListener;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One watch of an {@link InMemoryDatastore}: a prefix, a listener, and the single daemon thread
 * that calls it, in the order the store hands it events. Thread-safe.
 */
final class MemoryWatch implements WatchHandle {
  private static final Logger LOG = LoggerFactory.getLogger(MemoryWatch.class);
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final Key prefix;
  private final WatchListener listener;
  private final Consumer<MemoryWatch> onClose;
  private final ExecutorService thread;
  private volatile boolean active = true;

  /**
   * @param onClose told once the watch is closed, to forget it
   */
  MemoryWatch(Key prefix, WatchListener listener, Consumer<MemoryWatch> onClose) {
    this.prefix = prefix;
    this.listener = listener;
    this.onClose = onClose;
    this.thread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "calicoj-memory-watch-" + THREADS.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /** The watched prefix. */
  Key prefix() {
    return prefix;
  }

  /** Queues {@code event} for the listener. */
  void deliver(WatchEvent event) {
    try {
      thread.execute(
          () -> {
            if (!active) {
              return;
            }
            try {
              listener.onEvent(event);
            } catch (RuntimeException e) {
              LOG.warn("Watch listener for {} threw on {}; continuing", prefix, event, e);
            }
          });
    } catch (RejectedExecutionException e) {
      // The watch was closed concurrently; nothing more is delivered.
    }
  }

  @Override
  public boolean isActive() {
    return active;
  }

  @Override
  public void close() {
    active = false;
    onClose.accept(this);
    thread.shutdown();
  }
}
