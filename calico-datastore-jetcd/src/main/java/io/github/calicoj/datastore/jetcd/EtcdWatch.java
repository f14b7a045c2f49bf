package io.github.calicoj.datastore.jetcd;

import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchResponse;
import io.github.calicoj.datastore.DatastoreException;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Revision;
import io.github.calicoj.datastore.WatchEvent;
import io.github.calicoj.datastore.WatchHandle;
import io.github.calicoj.datastore.WatchListener;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link io.github.calicoj.datastore.Datastore#watch} on etcd: a chain of jetcd watchers, each
 * started from the revision after the last event delivered, plus the thread that calls the
 * listener.
 *
 * <p>jetcd resumes a stream by itself after UNAVAILABLE/INTERNAL errors, but ends a watch (its
 * listener's {@code onCompleted}) on "no leader", halt errors and compaction. An end we did not ask
 * for is answered by a new jetcd watcher after a back-off, unless it was a compaction, which is
 * reported to the listener and ends this watch.
 */
final class EtcdWatch implements WatchHandle {
  private static final Logger LOG = LoggerFactory.getLogger(EtcdWatch.class);
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final long MIN_BACKOFF_MS = 200;
  private static final long MAX_BACKOFF_MS = 5_000;

  private final Context context;
  private final Key prefix;
  private final WatchListener listener;
  private final ExecutorService delivery;

  // Guarded by this.
  private long nextRevision;
  private int generation;
  private long backoffMs = MIN_BACKOFF_MS;
  private Watch.@Nullable Watcher watcher;
  private @Nullable Revision compacted;
  private boolean closed;

  /**
   * What a watch needs from its datastore, and no more.
   *
   * @param watchClient jetcd's watch client
   * @param scheduler runs the re-creation of a watch that etcd ended
   * @param where the endpoints, for messages
   * @param datastoreClosed true once the datastore is closing: no watcher is re-created then
   * @param forget told once when the watch ends, to forget it
   */
  record Context(
      Watch watchClient,
      ScheduledExecutorService scheduler,
      String where,
      BooleanSupplier datastoreClosed,
      Consumer<EtcdWatch> forget) {}

  EtcdWatch(Context context, Key prefix, long firstRevision, WatchListener listener) {
    this.context = context;
    this.prefix = prefix;
    this.listener = listener;
    this.nextRevision = firstRevision;
    this.delivery =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "calicoj-etcd-watch-" + THREADS.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts (or restarts) a jetcd watcher from {@code nextRevision}. */
  synchronized void start() {
    if (closed) {
      return;
    }
    int gen = ++generation;
    WatchOption option =
        WatchOption.builder()
            .withRange(JetcdCodec.prefixEnd(prefix))
            .withRevision(nextRevision)
            .withRequireLeader(true) // a member without quorum ends the stream; we move on
            .build();
    try {
      watcher = context.watchClient().watch(JetcdCodec.bytes(prefix), option, new Generation(gen));
    } catch (RuntimeException e) {
      // The jetcd client was closed underneath us: the datastore is closing.
      LOG.debug("Cannot start a watch on {}: {}", prefix, e.toString());
      closeInternal();
    }
  }

  @Override
  public synchronized boolean isActive() {
    return !closed;
  }

  @Override
  public void close() {
    closeInternal();
    context.forget().accept(this);
  }

  private void closeInternal() {
    Watch.Watcher current;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      current = watcher;
      watcher = null;
    }
    if (current != null) {
      try {
        current.close();
      } catch (RuntimeException e) {
        LOG.debug("Closing a jetcd watcher on {} failed", prefix, e);
      }
    }
    delivery.shutdown();
  }

  private void post(Runnable call) {
    try {
      delivery.execute(
          () -> {
            if (!isActive()) {
              return;
            }
            try {
              call.run();
            } catch (RuntimeException e) {
              LOG.warn("Watch listener for {} threw; continuing", prefix, e);
            }
          });
    } catch (RejectedExecutionException e) {
      // Closed concurrently; nothing more is delivered.
    }
  }

  /** The jetcd listener of one watcher in the chain; callbacks of superseded ones are ignored. */
  private final class Generation implements Watch.Listener {
    private final int gen;

    Generation(int gen) {
      this.gen = gen;
    }

    @Override
    public void onNext(WatchResponse response) {
      synchronized (EtcdWatch.this) {
        if (closed || gen != generation) {
          return;
        }
        backoffMs = MIN_BACKOFF_MS;
        for (io.etcd.jetcd.watch.WatchEvent e : response.getEvents()) {
          io.etcd.jetcd.KeyValue kv = e.getKeyValue();
          long revision = kv.getModRevision();
          if (revision < nextRevision) {
            continue; // already delivered before a restart
          }
          Key key = JetcdCodec.toKey(kv);
          WatchEvent event =
              switch (e.getEventType()) {
                case PUT ->
                    new WatchEvent.Put(
                        new KeyValue(
                            key,
                            kv.getValue().toString(StandardCharsets.UTF_8),
                            Revision.of(revision)));
                case DELETE -> new WatchEvent.Delete(key, Revision.of(revision));
                default -> null;
              };
          if (event != null) {
            post(() -> listener.onEvent(event));
          }
        }
        if (!response.getEvents().isEmpty()) {
          long last =
              response
                  .getEvents()
                  .get(response.getEvents().size() - 1)
                  .getKeyValue()
                  .getModRevision();
          nextRevision = Math.max(nextRevision, last + 1);
        }
      }
    }

    @Override
    public void onError(Throwable throwable) {
      synchronized (EtcdWatch.this) {
        if (closed || gen != generation) {
          return;
        }
        if (throwable instanceof CompactedException c) {
          compacted = Revision.of(Math.max(1, c.getCompactedRevision()));
          return; // jetcd follows with onCompleted
        }
      }
      DatastoreException cause =
          JetcdErrors.translate(throwable, "watch", prefix, false, context.where());
      LOG.debug("Watch on {} disconnected: {}", prefix, cause.getMessage());
      post(() -> listener.onDisconnected(cause));
    }

    @Override
    public void onCompleted() {
      Revision lostTo;
      long delay;
      synchronized (EtcdWatch.this) {
        if (closed || gen != generation) {
          return; // we closed it, or it was already replaced
        }
        watcher = null;
        lostTo = compacted;
        delay = backoffMs;
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
      }
      if (lostTo != null) {
        post(() -> listener.onCompacted(lostTo));
        // Let the notification run before the delivery thread is shut down.
        delivery.execute(EtcdWatch.this::close);
        return;
      }
      if (context.datastoreClosed().getAsBoolean()) {
        close();
        return;
      }
      LOG.debug("Watch on {} ended by etcd; re-creating in {} ms", prefix, delay);
      try {
        // start() never throws, so the returned future holds nothing worth checking.
        var unused =
            context.scheduler().schedule(EtcdWatch.this::start, delay, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        close(); // the datastore is closing
      }
    }
  }
}
