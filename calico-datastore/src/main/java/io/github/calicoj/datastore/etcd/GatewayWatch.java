package io.github.calicoj.datastore.etcd;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.github.calicoj.datastore.DatastoreException;
import io.github.calicoj.datastore.DatastoreUnavailableException;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Revision;
import io.github.calicoj.datastore.WatchEvent;
import io.github.calicoj.datastore.WatchHandle;
import io.github.calicoj.datastore.WatchListener;
import io.github.calicoj.datastore.etcd.internal.EtcdFailures;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One watch of the gateway client: a thread that streams {@code /v3/watch} from the revision after
 * the last event delivered, calls the listener, and re-opens the stream (on the next member, after
 * a back-off) when it breaks. Compaction ends it with {@link WatchListener#onCompacted}. A quiet
 * stream has no read deadline (TCP keep-alive is on).
 *
 * <p>Thread-safe: {@link #close()} may be called from any thread, including the listener's.
 */
final class GatewayWatch implements WatchHandle {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayWatch.class);
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final long MIN_BACKOFF_MS = 100;
  private static final long MAX_BACKOFF_MS = 5_000;

  private final GatewayTransport transport;
  private final Key prefix;
  private final WatchListener listener;
  private final BooleanSupplier datastoreClosed;
  private final Consumer<GatewayWatch> onClose;
  private final Thread thread;
  private final Object delivery = new Object();
  private volatile boolean closed;
  private volatile @Nullable HttpConnection stream;
  private long next; // only the watch thread touches it

  /**
   * @param first the first revision to deliver
   * @param datastoreClosed true once the datastore is closing: no stream is opened then
   * @param onClose told once when the watch ends, to forget it
   */
  GatewayWatch(
      GatewayTransport transport,
      Key prefix,
      long first,
      WatchListener listener,
      BooleanSupplier datastoreClosed,
      Consumer<GatewayWatch> onClose) {
    this.transport = transport;
    this.prefix = prefix;
    this.listener = listener;
    this.datastoreClosed = datastoreClosed;
    this.onClose = onClose;
    this.next = first;
    this.thread = new Thread(this::run, "calicoj-etcd-gateway-watch-" + THREADS.incrementAndGet());
    this.thread.setDaemon(true);
  }

  /** Starts the watch's thread. */
  void start() {
    thread.start();
  }

  @Override
  public boolean isActive() {
    return !closed;
  }

  @Override
  public void close() {
    synchronized (delivery) { // waits for a listener call in progress (or is that call)
      closed = true;
    }
    HttpConnection s = stream;
    if (s != null) {
      s.close();
    }
    onClose.accept(this);
  }

  private void run() {
    long backoffMs = MIN_BACKOFF_MS;
    while (!closed) {
      try {
        if (readStream()) {
          return; // compacted or closed
        }
        backoffMs = MIN_BACKOFF_MS;
      } catch (IOException | RuntimeException e) {
        if (closed) {
          return;
        }
        DatastoreException cause =
            e instanceof DatastoreException d
                ? d
                : new DatastoreUnavailableException(
                    "watch "
                        + prefix
                        + " stream broke: "
                        + GatewayTransport.describe(e)
                        + " ("
                        + transport.where()
                        + ")",
                    prefix,
                    false,
                    e);
        if (EtcdFailures.isInvalidAuthToken(e.getMessage())) {
          transport.tokenExpired(); // the next stream authenticates again
        }
        transport.nextEndpoint(); // the next stream goes to the next member
        deliver(() -> listener.onDisconnected(cause));
        LOG.debug(
            "Watch of {} on {} broke; re-opening from revision {}",
            prefix,
            transport.where(),
            next,
            e);
      }
      try {
        Thread.sleep(backoffMs);
      } catch (InterruptedException ie) {
        return;
      }
      backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    }
  }

  /** Opens the stream from {@link #next} and reads it; true once the watch has ended for good. */
  private boolean readStream() throws IOException {
    byte[] body = GatewayJson.encode(GatewayJson.watchRequest(prefix, next));
    long deadline = transport.deadline();
    HttpConnection c = transport.newConnection();
    stream = c; // from here on close() ends the stream, even mid-connect
    try {
      if (closed || datastoreClosed.getAsBoolean()) {
        return true;
      }
      String auth = transport.token(deadline);
      transport.connect(c, deadline);
      HttpConnection.Streaming s =
          c.stream("/v3/watch", body, auth, deadline, transport.watchdog());
      HttpStreams.MessageLimit limit = s.body();
      try (JsonParser p = GatewayJson.JSON.getFactory().createParser(limit)) {
        if (s.status() != 200) {
          throw transport.error(GatewayJson.JSON.readTree(p), "watch", prefix);
        }
        while (p.nextToken() == JsonToken.START_OBJECT) {
          JsonNode message = GatewayJson.JSON.readTree(p);
          limit.next();
          if (message.has("error")) {
            throw transport.error(message.get("error"), "watch", prefix);
          }
          if (!deliverAll(message.path("result"))) {
            return true;
          }
        }
      }
      throw new IOException("etcd ended the watch stream");
    } finally {
      transport.discard(c);
      stream = null;
    }
  }

  /** Delivers one message's events; false once the watch has ended (compacted or closed). */
  private boolean deliverAll(JsonNode result) throws IOException {
    if (result.has("compact_revision") && result.path("compact_revision").asLong(0) > 0) {
      Revision lostTo = Revision.of(result.get("compact_revision").asLong());
      deliver(() -> listener.onCompacted(lostTo));
      close();
      return false;
    }
    if (result.path("canceled").asBoolean(false)) {
      throw new IOException("etcd canceled the watch: " + result.path("cancel_reason").asText(""));
    }
    for (JsonNode e : result.path("events")) {
      KeyValue kv = GatewayJson.keyValue(e.path("kv"));
      WatchEvent event =
          "DELETE".equals(e.path("type").asText("PUT"))
              ? new WatchEvent.Delete(kv.key(), kv.revision())
              : new WatchEvent.Put(kv);
      if (!deliver(() -> listener.onEvent(event))) {
        return false;
      }
      next = kv.revision().value() + 1;
    }
    return true;
  }

  /** Calls the listener unless closed; false if closed. A throwing listener is logged. */
  private boolean deliver(Runnable call) {
    synchronized (delivery) {
      if (closed) {
        return false;
      }
      try {
        call.run();
      } catch (RuntimeException e) {
        LOG.warn("Watch listener for {} threw", prefix, e);
      }
      return true;
    }
  }
}
