package io.github.calicoj.datastore.etcd;

import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.DatastoreException;
import io.github.calicoj.datastore.DatastoreTimeoutException;
import io.github.calicoj.datastore.DatastoreUnavailableException;
import io.github.calicoj.datastore.Guard;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Lease;
import io.github.calicoj.datastore.LeaseExpiredException;
import io.github.calicoj.datastore.LeaseListener;
import io.github.calicoj.datastore.ResourceAlreadyExistsException;
import io.github.calicoj.datastore.Revision;
import io.github.calicoj.datastore.RevisionCompactedException;
import io.github.calicoj.datastore.Snapshot;
import io.github.calicoj.datastore.Transaction;
import io.github.calicoj.datastore.TxnOp;
import io.github.calicoj.datastore.TxnResult;
import io.github.calicoj.datastore.WatchEvent;
import io.github.calicoj.datastore.WatchHandle;
import io.github.calicoj.datastore.WatchListener;
import io.github.calicoj.datastore.etcd.internal.Backoff;
import io.github.calicoj.datastore.etcd.internal.EtcdConfig;
import io.github.calicoj.datastore.etcd.internal.EtcdFailures;
import io.github.calicoj.datastore.etcd.internal.EtcdTxns;
import io.github.calicoj.datastore.etcd.internal.KeyRanges;
import io.github.calicoj.datastore.etcd.internal.LeaseKeeper;
import io.github.calicoj.datastore.etcd.internal.TlsMaterial;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLSocketFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Datastore} on etcd's v3 API through etcd's own JSON gateway ({@code POST /v3/kv/...}
 * over HTTP/1.1), on the JDK's sockets alone: no gRPC, Netty or Vert.x. It starts in milliseconds
 * where {@link EtcdDatastore} (jetcd) needs about half a second of class loading and channel
 * set-up, so it suits short-lived processes such as a CLI; a long-running agent with many watches
 * is better served by {@link EtcdDatastore}. Both pass the same contract tests and store the same
 * bytes.
 *
 * <pre>{@code
 * try (Datastore store = EtcdGatewayDatastore.builder()
 *     .endpoints("http://127.0.0.1:2379")
 *     .requestTimeout(Duration.ofSeconds(5))
 *     .build()) {
 *   store.put(Key.of("/calico/v1/Ready"), "true");
 * }
 * }</pre>
 *
 * <p><b>Bounded calls.</b> Every call returns or throws within {@link EtcdSettings#requestTimeout}:
 * one deadline per call covers the connect, the TLS handshake, the write, every read and every
 * retry (measured against a stalled etcd with a 1.5 s timeout: each call failed after 1.50-1.52 s).
 * A write that fails after it was sent has an unknown outcome ({@link
 * DatastoreUnavailableException#outcomeUnknown()}). Reads, and writes that never reached a member,
 * move on to the next endpoint while time is left; so do writes that etcd refused before applying
 * them ("leader changed", "no leader", "too many requests", a dropped proposal), after a short
 * back-off. Host names in endpoints are resolved by the JDK's resolver, outside this bound.
 *
 * <p><b>Limits.</b> A reply may carry at most 64 KiB of headers and 32 MiB of body (a watch, 32 MiB
 * per message); a larger one fails the call. etcd's own replies stay far below: it refuses requests
 * over 1.5 MiB and its gateway's replies are capped at about 4 MiB of protobuf.
 *
 * <p><b>Auth and TLS.</b> With credentials, the datastore authenticates ({@code /v3/auth/
 * authenticate}) on first use and again when etcd reports the token invalid. With {@code https}
 * endpoints, the server certificate is checked against the CA file (or the JDK's trust store) and
 * its name; a client certificate with a PKCS#8 key is presented if given.
 *
 * <p><b>Watches</b> each hold one streaming HTTP connection and a thread that reads it and calls
 * the listener. A broken stream is reported ({@link WatchListener#onDisconnected}) and re-opened
 * from the revision after the last event delivered; compaction ends the watch with {@link
 * WatchListener#onCompacted}. A quiet stream has no read deadline (TCP keep-alive is on).
 *
 * <p>Thread-safe; share one instance. The caller owns it and must {@link #close()} it, which ends
 * every watch and closes every connection.
 */
public final class EtcdGatewayDatastore implements Datastore {
  private static final Logger LOG = LoggerFactory.getLogger(EtcdGatewayDatastore.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger WATCH_THREADS = new AtomicInteger();

  /** Keys per page when listing, as {@link EtcdDatastore} does. */
  private static final int LIST_PAGE = 1000;

  /** Pooled connections idle longer than this are closed rather than reused. */
  private static final long MAX_IDLE_NANOS = 5_000_000_000L;

  private final List<URI> endpoints;
  private final @Nullable SSLSocketFactory tls;
  private final long timeoutNanos;
  private final Duration requestTimeout;
  private final int connectMillis;
  private final @Nullable String user;
  private final @Nullable String password;
  private final String where;
  private final AtomicInteger preferred = new AtomicInteger();
  private final ConcurrentLinkedDeque<HttpConnection> idle = new ConcurrentLinkedDeque<>();
  private final Set<HttpConnection> live = ConcurrentHashMap.newKeySet();
  private final Watchdog watchdog = new Watchdog();
  private final ReentrantLock authentication = new ReentrantLock();
  private final Set<GatewayWatch> watches = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Set by close() once the leases are revoked: from then on no connection is made or kept. */
  private final AtomicBoolean shutDown = new AtomicBoolean();

  private final LeaseKeeper leases;
  private volatile @Nullable String token;

  private EtcdGatewayDatastore(EtcdConfig config) {
    this.endpoints = config.endpoints();
    this.requestTimeout = config.requestTimeout();
    this.timeoutNanos = requestTimeout.toNanos();
    this.connectMillis = (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis());
    this.user = config.user();
    this.password = config.password();
    this.where = config.where();
    this.leases = new LeaseKeeper(new LeaseCalls(), requestTimeout, where);
    TlsMaterial material = config.tls();
    if (material == null) {
      this.tls = null;
    } else {
      try {
        this.tls = material.sslContext().getSocketFactory();
      } catch (GeneralSecurityException | IOException e) {
        throw material.unusable(e);
      }
    }
  }

  /** Returns a builder; at least one endpoint is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The configured bound on every call. */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  // ------------------------------------------------------------------ key-value

  @Override
  public Optional<KeyValue> get(Key key) {
    requireNonNull(key, "key");
    checkOpen();
    JsonNode r = call("/v3/kv/range", range(key, null), "get", key, Kind.READ, deadline());
    return kvs(r).stream().findFirst();
  }

  @Override
  public Snapshot list(Key prefix) {
    requireNonNull(prefix, "prefix");
    checkOpen();
    byte[] start = bytes(prefix.path());
    List<KeyValue> entries = new ArrayList<>();
    long revision = 0;
    long deadline = deadline(); // one bound for all pages
    while (true) {
      ObjectNode req =
          prefixRange(prefix).put("key", b64(start)).put("limit", Integer.toString(LIST_PAGE));
      if (revision != 0) {
        req.put("revision", Long.toString(revision)); // later pages at the first page's revision
      }
      JsonNode page = call("/v3/kv/range", req, "list", prefix, Kind.READ, deadline);
      if (revision == 0) {
        revision = headerRevision(page);
      }
      List<KeyValue> got = kvs(page);
      entries.addAll(got);
      if (!page.path("more").asBoolean(false) || got.isEmpty()) {
        break;
      }
      byte[] last = bytes(got.get(got.size() - 1).key().path());
      start = Arrays.copyOf(last, last.length + 1); // the next key after the last one
    }
    return new Snapshot(entries, Revision.of(revision));
  }

  @Override
  public KeyValue create(Key key, String value) {
    requireNonNull(key, "key");
    requireNonNull(value, "value");
    checkOpen();
    JsonNode r = guarded("create", key, compare(Guard.absent(key)), putOp(key, value));
    if (!r.path("succeeded").asBoolean(false)) {
      Optional<KeyValue> existing = firstRange(r);
      throw new ResourceAlreadyExistsException(
          "create", key, existing.map(KeyValue::revision).orElse(Revision.of(headerRevision(r))));
    }
    return new KeyValue(key, value, Revision.of(headerRevision(r)));
  }

  @Override
  public KeyValue update(Key key, String value, Revision expected) {
    requireNonNull(key, "key");
    requireNonNull(value, "value");
    requireNonNull(expected, "expected");
    checkOpen();
    JsonNode r =
        guarded("update", key, compare(Guard.atRevision(key, expected)), putOp(key, value));
    if (!r.path("succeeded").asBoolean(false)) {
      throw EtcdTxns.casFailure("update", key, expected, firstRange(r));
    }
    return new KeyValue(key, value, Revision.of(headerRevision(r)));
  }

  @Override
  public KeyValue put(Key key, String value) {
    requireNonNull(key, "key");
    requireNonNull(value, "value");
    checkOpen();
    ObjectNode req = JSON.createObjectNode().put("key", b64(key)).put("value", b64(value));
    JsonNode r = call("/v3/kv/put", req, "put", key, Kind.WRITE, deadline());
    return new KeyValue(key, value, Revision.of(headerRevision(r)));
  }

  @Override
  public KeyValue put(Key key, String value, Lease lease) {
    requireNonNull(key, "key");
    requireNonNull(value, "value");
    requireNonNull(lease, "lease");
    checkOpen();
    long id = leases.checkWritable(lease, "put", key);
    ObjectNode req =
        JSON.createObjectNode()
            .put("key", b64(key))
            .put("value", b64(value))
            .put("lease", Long.toString(id));
    try {
      JsonNode r = call("/v3/kv/put", req, "put", key, Kind.WRITE, deadline());
      return new KeyValue(key, value, Revision.of(headerRevision(r)));
    } catch (LeaseExpiredException e) {
      throw new LeaseExpiredException("put", key, id, e);
    }
  }

  @Override
  public Lease grantLease(Duration ttl, LeaseListener listener) {
    requireNonNull(ttl, "ttl");
    requireNonNull(listener, "listener");
    long seconds = LeaseKeeper.wholeSeconds(ttl);
    checkOpen();
    JsonNode r =
        call(
            "/v3/lease/grant",
            JSON.createObjectNode().put("TTL", Long.toString(seconds)),
            "grant lease",
            null,
            Kind.WRITE,
            deadline());
    return leases.keep(r.path("ID").asLong(), r.path("TTL").asLong(seconds), listener);
  }

  /** Makes the lease keeper stop renewing {@code lease}, as if this process had died. For tests. */
  void stopKeepAlive(Lease lease) {
    leases.stopRenewing(lease);
  }

  /** The lease keeper's calls: one keep-alive request or one revoke, each by its deadline. */
  private final class LeaseCalls implements LeaseKeeper.Calls {
    @Override
    public long renew(long id, long deadline) {
      // A keep-alive is a stream in etcd; the gateway ends it once our one request is answered.
      JsonNode r =
          call(
              "/v3/lease/keepalive",
              JSON.createObjectNode().put("ID", Long.toString(id)),
              "renew lease " + Long.toHexString(id),
              null,
              Kind.IDEMPOTENT_WRITE,
              deadline);
      return r.path("result").path("TTL").asLong(0); // absent: etcd no longer has the lease
    }

    @Override
    public void revoke(long id, long deadline) {
      try {
        call(
            "/v3/lease/revoke",
            JSON.createObjectNode().put("ID", Long.toString(id)),
            "revoke lease " + Long.toHexString(id),
            null,
            Kind.IDEMPOTENT_WRITE,
            deadline);
      } catch (LeaseExpiredException e) {
        // already gone
      }
    }
  }

  @Override
  public Revision delete(Key key, Revision expected) {
    requireNonNull(key, "key");
    requireNonNull(expected, "expected");
    checkOpen();
    JsonNode r =
        guarded("delete", key, compare(Guard.atRevision(key, expected)), deleteOp(key, null));
    if (!r.path("succeeded").asBoolean(false)) {
      throw EtcdTxns.casFailure("delete", key, expected, firstRange(r));
    }
    return Revision.of(headerRevision(r));
  }

  @Override
  public boolean delete(Key key) {
    requireNonNull(key, "key");
    checkOpen();
    JsonNode r =
        call(
            "/v3/kv/deleterange",
            JSON.createObjectNode().put("key", b64(key)),
            "delete",
            key,
            Kind.WRITE,
            deadline());
    return r.path("deleted").asLong(0) > 0;
  }

  @Override
  public long deletePrefix(Key prefix) {
    requireNonNull(prefix, "prefix");
    checkOpen();
    ObjectNode req = range(prefix, rangeEnd(prefix));
    return call("/v3/kv/deleterange", req, "deletePrefix", prefix, Kind.WRITE, deadline())
        .path("deleted")
        .asLong(0);
  }

  @Override
  public TxnResult commit(Transaction transaction) {
    requireNonNull(transaction, "transaction");
    checkOpen();
    ObjectNode req = JSON.createObjectNode();
    ArrayNode compares = req.putArray("compare");
    transaction.guards().forEach(g -> compares.add(compare(g)));
    ArrayNode success = req.putArray("success");
    long firstLease = 0;
    for (TxnOp op : transaction.ops()) {
      if (op instanceof TxnOp.Put p) {
        ObjectNode put = putOp(p.key(), p.value());
        Lease lease = p.lease();
        if (lease != null) {
          long id = leases.checkWritable(lease, "commit", p.key());
          firstLease = firstLease == 0 ? id : firstLease;
          ((ObjectNode) put.get("request_put")).put("lease", Long.toString(id));
        }
        success.add(put);
      } else {
        success.add(deleteOp(op.key(), null));
      }
    }
    ArrayNode failure = req.putArray("failure");
    for (Key k : EtcdTxns.guardedKeys(transaction)) {
      failure.add(JSON.createObjectNode().set("request_range", range(k, null)));
    }
    for (Key prefix : transaction.reads()) {
      ObjectNode read = JSON.createObjectNode().set("request_range", prefixRange(prefix));
      success.add(read);
      failure.add(read.deepCopy());
    }
    Key subject = transaction.ops().get(0).key();
    JsonNode r;
    try {
      r = call("/v3/kv/txn", req, "commit", subject, Kind.WRITE, deadline());
    } catch (LeaseExpiredException e) {
      throw new LeaseExpiredException("commit", subject, firstLease, e);
    }
    List<List<KeyValue>> ranges = new ArrayList<>();
    for (JsonNode resp : r.path("responses")) {
      if (resp.has("response_range")) {
        ranges.add(kvs(resp.get("response_range")));
      }
    }
    return EtcdTxns.txnResult(
        transaction, r.path("succeeded").asBoolean(false), Revision.of(headerRevision(r)), ranges);
  }

  // ------------------------------------------------------------------ watch

  @Override
  public WatchHandle watch(Key prefix, Revision after, WatchListener listener) {
    requireNonNull(prefix, "prefix");
    requireNonNull(after, "after");
    requireNonNull(listener, "listener");
    checkOpen();
    checkNotCompacted(prefix, after);
    GatewayWatch w = new GatewayWatch(prefix, after.value() + 1, listener);
    watches.add(w);
    if (closed.get()) {
      w.close(); // lost a race with close(): no watch may outlive the datastore
      checkOpen();
    }
    w.thread.start();
    return w;
  }

  /** A watch from a compacted revision must fail now; a future revision is fine. */
  private void checkNotCompacted(Key prefix, Revision after) {
    ObjectNode req =
        prefixRange(prefix).put("revision", Long.toString(after.value())).put("count_only", true);
    try {
      call("/v3/kv/range", req, "watch", prefix, Kind.READ, deadline());
    } catch (RevisionCompactedException e) {
      throw e;
    } catch (DatastoreException e) {
      if (!String.valueOf(e.getMessage()).contains("future revision")) {
        throw e;
      }
    }
  }

  /** One watch: a thread that reads the stream, re-opens it after a failure, and delivers. */
  private final class GatewayWatch implements WatchHandle {
    private final Key prefix;
    private final WatchListener listener;
    final Thread thread;
    private final Object delivery = new Object();
    private volatile boolean closed;
    private volatile @Nullable HttpConnection stream;
    private long next; // only the watch thread touches it

    GatewayWatch(Key prefix, long first, WatchListener listener) {
      this.prefix = prefix;
      this.listener = listener;
      this.next = first;
      this.thread =
          new Thread(this::run, "calicoj-etcd-gateway-watch-" + WATCH_THREADS.incrementAndGet());
      this.thread.setDaemon(true);
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
      watches.remove(this);
    }

    private void run() {
      long backoffMs = 100;
      while (!closed) {
        try {
          if (readStream()) {
            return; // compacted or closed
          }
          backoffMs = 100;
        } catch (IOException | RuntimeException e) {
          if (closed) {
            return;
          }
          DatastoreException cause =
              e instanceof DatastoreException d
                  ? d
                  : new DatastoreUnavailableException(
                      "watch " + prefix + " stream broke: " + describe(e) + " (" + where + ")",
                      prefix,
                      false,
                      e);
          if (String.valueOf(e.getMessage()).contains("invalid auth token")) {
            token = null; // expired: the next stream authenticates again
          }
          preferred.incrementAndGet(); // the next stream goes to the next member
          deliver(() -> listener.onDisconnected(cause));
          LOG.debug("Watch of {} on {} broke; re-opening from revision {}", prefix, where, next, e);
        }
        try {
          Thread.sleep(backoffMs);
        } catch (InterruptedException ie) {
          return;
        }
        backoffMs = Math.min(5_000, backoffMs * 2);
      }
    }

    /** Opens the stream from {@link #next} and reads it; true once the watch has ended for good. */
    private boolean readStream() throws IOException {
      ObjectNode req = JSON.createObjectNode();
      req.putObject("create_request")
          .put("key", b64(prefix))
          .put("range_end", rangeEnd(prefix))
          .put("start_revision", Long.toString(next));
      byte[] body = JSON.writeValueAsBytes(req);
      URI endpoint = endpoints.get(Math.floorMod(preferred.get(), endpoints.size()));
      long deadline = deadline();
      HttpConnection c = new HttpConnection(endpoint);
      live.add(c);
      stream = c; // from here on close() ends the stream, even mid-connect
      try {
        if (closed || EtcdGatewayDatastore.this.closed.get()) {
          return true;
        }
        String auth = token(deadline);
        c.connect(
            tls,
            Math.min(connectMillis, HttpConnection.remainingMillis(deadline)),
            deadline,
            watchdog);
        HttpConnection.Streaming s = c.stream("/v3/watch", body, auth, deadline, watchdog);
        HttpConnection.MessageLimit limit = s.body();
        try (JsonParser p = JSON.getFactory().createParser(limit)) {
          if (s.status() != 200) {
            throw error(JSON.readTree(p), "watch", prefix, false);
          }
          while (p.nextToken() == JsonToken.START_OBJECT) {
            JsonNode message = JSON.readTree(p);
            limit.next();
            if (message.has("error")) {
              throw error(message.get("error"), "watch", prefix, false);
            }
            JsonNode result = message.path("result");
            if (result.has("compact_revision") && result.path("compact_revision").asLong(0) > 0) {
              Revision lostTo = Revision.of(result.get("compact_revision").asLong());
              deliver(() -> listener.onCompacted(lostTo));
              close();
              return true;
            }
            if (result.path("canceled").asBoolean(false)) {
              throw new IOException(
                  "etcd canceled the watch: " + result.path("cancel_reason").asText(""));
            }
            for (JsonNode e : result.path("events")) {
              KeyValue kv = keyValue(e.path("kv"));
              WatchEvent event =
                  "DELETE".equals(e.path("type").asText("PUT"))
                      ? new WatchEvent.Delete(kv.key(), kv.revision())
                      : new WatchEvent.Put(kv);
              if (!deliver(() -> listener.onEvent(event))) {
                return true;
              }
              next = kv.revision().value() + 1;
            }
          }
        }
        throw new IOException("etcd ended the watch stream");
      } finally {
        discard(c);
        stream = null;
      }
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

  // ------------------------------------------------------------------ lifecycle

  /**
   * Revokes the leases still open (within one request timeout), then closes every connection,
   * including those of calls in flight (which then fail), and ends every watch and thread.
   * Idempotent; never throws.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    leases.close(); // revokes, so it needs the connections
    shutDown.set(true);
    for (GatewayWatch w : List.copyOf(watches)) {
      w.close();
    }
    closeConnections();
    watchdog.close();
  }

  private void closeConnections() {
    idle.clear();
    for (HttpConnection c : List.copyOf(live)) {
      discard(c);
    }
  }

  @Override
  public String toString() {
    return "EtcdGatewayDatastore{" + where + ", requestTimeout=" + requestTimeout + "}";
  }

  private void checkOpen() {
    checkState(!closed.get(), "EtcdGatewayDatastore is closed");
  }

  /** The deadline of a call that starts now. */
  private long deadline() {
    return System.nanoTime() + timeoutNanos;
  }

  // ------------------------------------------------------------------ transport

  /** How a request may be repeated after a failure. */
  private enum Kind {
    /** A read: sent again, to the next member, after any failure that left time. */
    READ(false, true),
    /**
     * A write: sent again only when it surely was not applied (no connection, or a refusal that
     * etcd makes before the raft log, see {@link EtcdFailures#notApplied}); a failure after it may
     * have reached a member leaves its outcome unknown.
     */
    WRITE(true, false),
    /** A write whose repetition has no further effect (lease keep-alive and revoke). */
    IDEMPOTENT_WRITE(false, true);

    final boolean outcomeMatters;
    final boolean resendable;

    Kind(boolean outcomeMatters, boolean resendable) {
      this.outcomeMatters = outcomeMatters;
      this.resendable = resendable;
    }
  }

  /**
   * POSTs one request with the auth token; see {@link #call(String, ObjectNode, String, Key, Kind,
   * long, boolean)}.
   */
  private JsonNode call(
      String path,
      ObjectNode request,
      String operation,
      @Nullable Key key,
      Kind kind,
      long deadline) {
    return call(path, request, operation, key, kind, deadline, true);
  }

  /**
   * POSTs one request and returns the JSON reply by {@code deadline}, translating every failure.
   * Moves to the next endpoint when one cannot be reached and, as {@code kind} allows, when a
   * connection fails mid-call or etcd refuses the request as retryable (with a short back-off).
   * Nothing restarts the clock: every attempt shares the one deadline.
   */
  private JsonNode call(
      String path,
      ObjectNode request,
      String operation,
      @Nullable Key key,
      Kind kind,
      long deadline,
      boolean withToken) {
    byte[] body;
    try {
      body = JSON.writeValueAsBytes(request);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot encode an etcd request", e);
    }
    boolean reauthenticated = false;
    @Nullable Exception last = null;
    int unreachable = 0;
    long backoffMs = Backoff.FIRST_MS;
    while (true) {
      if (shutDown.get()) {
        throw closedMidCall(operation, key, false);
      }
      if (System.nanoTime() - deadline >= 0) {
        throw timeout(operation, key, false, last);
      }
      String auth = withToken ? token(deadline) : null;
      HttpConnection conn;
      try {
        conn = connection(deadline);
      } catch (IOException e) {
        last = e; // nothing was sent: try the next member
        preferred.incrementAndGet();
        if (++unreachable >= 2 * endpoints.size()) {
          throw unavailable(operation, key, false, e); // every member refused, twice
        }
        continue;
      }
      unreachable = 0;
      HttpConnection.Response response;
      try {
        response = conn.exchange(path, body, auth, deadline, watchdog);
      } catch (IOException e) {
        discard(conn);
        if (shutDown.get()) {
          throw closedMidCall(operation, key, kind.outcomeMatters);
        }
        if (e instanceof SocketTimeoutException) {
          throw timeout(operation, key, kind.outcomeMatters, last != null ? last : e);
        }
        if (!kind.resendable || e instanceof HttpConnection.ReplyTooLargeException) {
          throw unavailable(operation, key, kind.outcomeMatters, e); // it may have been applied
        }
        last = e;
        preferred.incrementAndGet();
        continue;
      }
      release(conn, response.reusable());
      JsonNode reply = parse(response.body(), operation, key);
      if (response.status() == 200) {
        return reply;
      }
      String message = reply.path("message").asText(reply.path("error").asText(""));
      if (withToken && user != null && !reauthenticated && message.contains("invalid auth token")) {
        token = null; // expired or revoked; etcd checks the token before applying anything
        reauthenticated = true;
        continue;
      }
      int code = reply.path("code").asInt(2);
      if (EtcdFailures.notApplied(message) || (kind.resendable && code == 14)) {
        last = error(reply, operation, key, false);
        preferred.incrementAndGet();
        backoffMs = Backoff.pause(backoffMs, deadline);
        continue;
      }
      throw error(reply, operation, key, kind.outcomeMatters);
    }
  }

  private DatastoreTimeoutException timeout(
      String operation, @Nullable Key key, boolean outcomeUnknown, @Nullable Exception cause) {
    return new DatastoreTimeoutException(
        EtcdFailures.withOutcome(
            subject(operation, key)
                + " failed: no answer within "
                + requestTimeout
                + " ("
                + where
                + (cause == null ? "" : "; last error: " + describe(cause))
                + "; etcd down, no quorum, or a TLS or credential problem)",
            outcomeUnknown),
        key,
        outcomeUnknown,
        cause);
  }

  private DatastoreUnavailableException unavailable(
      String operation, @Nullable Key key, boolean outcomeUnknown, Exception cause) {
    return new DatastoreUnavailableException(
        EtcdFailures.withOutcome(
            subject(operation, key) + " failed: " + describe(cause) + " (" + where + ")",
            outcomeUnknown),
        key,
        outcomeUnknown,
        cause);
  }

  private DatastoreUnavailableException closedMidCall(
      String operation, @Nullable Key key, boolean outcomeUnknown) {
    return new DatastoreUnavailableException(
        EtcdFailures.withOutcome(
            subject(operation, key) + " failed: the datastore was closed meanwhile (" + where + ")",
            outcomeUnknown),
        key,
        outcomeUnknown,
        null);
  }

  private static String subject(String operation, @Nullable Key key) {
    return key == null ? operation : operation + " " + key;
  }

  /** An exception's text for a message, without Java class names where the text says enough. */
  private static String describe(Exception e) {
    String text = e.getMessage();
    if (text == null || text.isBlank()) {
      return e.getClass().getSimpleName();
    }
    if (e instanceof java.net.ConnectException) {
      return "cannot connect: " + text;
    }
    if (e instanceof javax.net.ssl.SSLException) {
      return "TLS failed: " + text;
    }
    return text;
  }

  /**
   * An idle pooled connection to the preferred endpoint, or a new one connected by {@code
   * deadline}.
   */
  private HttpConnection connection(long deadline) throws IOException {
    URI endpoint = endpoints.get(Math.floorMod(preferred.get(), endpoints.size()));
    HttpConnection c;
    while ((c = idle.poll()) != null) {
      if (c.endpoint().equals(endpoint) && c.idleNanos() < MAX_IDLE_NANOS && !c.isClosed()) {
        return c;
      }
      discard(c); // stale, or to a member we moved away from
    }
    c = new HttpConnection(endpoint);
    live.add(c);
    if (shutDown.get()) {
      discard(c); // close() ran meanwhile: leave no connection behind
      throw new IOException("closed");
    }
    int connect = Math.min(connectMillis, HttpConnection.remainingMillis(deadline));
    try {
      c.connect(tls, connect, deadline, watchdog);
    } catch (IOException | RuntimeException e) {
      discard(c);
      throw e;
    }
    return c;
  }

  /** Returns a connection to the pool, or closes it. */
  private void release(HttpConnection c, boolean reusable) {
    if (reusable && !shutDown.get()) {
      idle.push(c);
      if (shutDown.get()) {
        closeConnections(); // close() ran meanwhile: leave no connection behind
      }
    } else {
      discard(c);
    }
  }

  private void discard(HttpConnection c) {
    c.close();
    live.remove(c);
  }

  /**
   * The auth token (authenticating first if needed), or null without credentials. Waits for another
   * thread's authentication no longer than the deadline.
   */
  private @Nullable String token(long deadline) {
    if (user == null) {
      return null;
    }
    String t = token;
    if (t != null) {
      return t;
    }
    try {
      if (!authentication.tryLock(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
        throw timeout("authenticate as " + user, null, false, null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DatastoreUnavailableException("authenticate interrupted", null, false, e);
    }
    try {
      t = token;
      if (t == null) {
        ObjectNode req = JSON.createObjectNode().put("name", user).put("password", password);
        // Authentication is a read for etcd (it takes a read index): safe to repeat.
        JsonNode reply =
            call(
                "/v3/auth/authenticate",
                req,
                "authenticate as " + user,
                null,
                Kind.READ,
                deadline,
                false);
        t = reply.path("token").asText();
        token = t;
      }
      return t;
    } finally {
      authentication.unlock();
    }
  }

  private static JsonNode parse(byte[] body, String operation, @Nullable Key key) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new DatastoreException(
          subject(operation, key)
              + ": etcd sent a reply that is not JSON: "
              + new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8),
          key,
          e);
    }
  }

  /**
   * The gateway's error reply {@code {"error", "code", "message"}} as the same exception {@link
   * EtcdDatastore} throws for that gRPC code.
   */
  private DatastoreException error(
      JsonNode reply, String operation, @Nullable Key key, boolean write) {
    String message = reply.path("message").asText(reply.path("error").asText(""));
    return EtcdFailures.toException(
        reply.path("code").asInt(2), message, operation, key, write, where, null);
  }

  // ------------------------------------------------------------------ JSON shapes

  /** One single-key conditional write: {@code If(compare) Then(op) Else(get key)}. */
  private JsonNode guarded(String operation, Key key, ObjectNode compare, ObjectNode op) {
    ObjectNode req = JSON.createObjectNode();
    req.putArray("compare").add(compare);
    req.putArray("success").add(op);
    req.putArray("failure").add(JSON.createObjectNode().set("request_range", range(key, null)));
    return call("/v3/kv/txn", req, operation, key, Kind.WRITE, deadline());
  }

  private static ObjectNode compare(Guard guard) {
    ObjectNode c = JSON.createObjectNode().put("key", b64(guard.key())).put("result", "EQUAL");
    if (guard instanceof Guard.AtRevision at) {
      c.put("target", "MOD").put("mod_revision", Long.toString(at.revision().value()));
    } else {
      c.put("target", "VERSION").put("version", "0");
    }
    return c;
  }

  private static ObjectNode putOp(Key key, String value) {
    ObjectNode op = JSON.createObjectNode();
    op.putObject("request_put").put("key", b64(key)).put("value", b64(value));
    return op;
  }

  private static ObjectNode deleteOp(Key key, @Nullable String rangeEnd) {
    ObjectNode op = JSON.createObjectNode();
    ObjectNode d = op.putObject("request_delete_range").put("key", b64(key));
    if (rangeEnd != null) {
      d.put("range_end", rangeEnd);
    }
    return op;
  }

  private static ObjectNode range(Key key, @Nullable String rangeEnd) {
    ObjectNode r = JSON.createObjectNode().put("key", b64(key));
    if (rangeEnd != null) {
      r.put("range_end", rangeEnd);
    }
    return r;
  }

  private static ObjectNode prefixRange(Key prefix) {
    return range(prefix, rangeEnd(prefix)).put("sort_order", "ASCEND").put("sort_target", "KEY");
  }

  private static Optional<KeyValue> firstRange(JsonNode txnReply) {
    for (JsonNode resp : txnReply.path("responses")) {
      List<KeyValue> got = kvs(resp.path("response_range"));
      if (!got.isEmpty()) {
        return Optional.of(got.get(0));
      }
    }
    return Optional.empty();
  }

  private static List<KeyValue> kvs(JsonNode rangeReply) {
    List<KeyValue> out = new ArrayList<>();
    for (JsonNode kv : rangeReply.path("kvs")) {
      out.add(keyValue(kv));
    }
    return out;
  }

  private static KeyValue keyValue(JsonNode kv) {
    Key key =
        Key.of(
            new String(
                Base64.getDecoder().decode(kv.path("key").asText()), StandardCharsets.UTF_8));
    String value =
        new String(Base64.getDecoder().decode(kv.path("value").asText("")), StandardCharsets.UTF_8);
    return new KeyValue(key, value, Revision.of(kv.path("mod_revision").asLong()));
  }

  private static long headerRevision(JsonNode reply) {
    return reply.path("header").path("revision").asLong(0);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String b64(Key key) {
    return b64(bytes(key.path()));
  }

  private static String b64(String text) {
    return b64(bytes(text));
  }

  private static String b64(byte[] raw) {
    return Base64.getEncoder().encodeToString(raw);
  }

  /** etcd's range end for a prefix, base64 as the gateway wants it. */
  private static String rangeEnd(Key prefix) {
    return b64(KeyRanges.prefixEnd(prefix));
  }

  /**
   * Configures an {@link EtcdGatewayDatastore}: the same settings as {@link EtcdDatastore}'s
   * builder. Not thread-safe.
   */
  public static final class Builder extends EtcdSettings<Builder> {
    private Builder() {}

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    public EtcdGatewayDatastore build() {
      return new EtcdGatewayDatastore(config());
    }
  }
}
