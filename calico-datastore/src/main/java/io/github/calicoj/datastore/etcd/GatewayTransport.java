package io.github.calicoj.datastore.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.calicoj.datastore.DatastoreException;
import io.github.calicoj.datastore.DatastoreTimeoutException;
import io.github.calicoj.datastore.DatastoreUnavailableException;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.etcd.internal.Backoff;
import io.github.calicoj.datastore.etcd.internal.EtcdConfig;
import io.github.calicoj.datastore.etcd.internal.EtcdFailures;
import io.github.calicoj.datastore.etcd.internal.TlsMaterial;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import org.jspecify.annotations.Nullable;

/**
 * The gateway client's connections to etcd, as jetcd's connection manager is to its client: the
 * endpoints and which one is preferred, a pool of idle HTTP/1.1 connections, the auth token, and
 * the one loop that sends a request and retries it as far as that is safe, all within the call's
 * deadline. {@link EtcdGatewayDatastore} says what to send; this says how.
 *
 * <p>It knows every connection it opened, so {@link #shutDown()} closes all of them, including
 * those of calls in flight and of watch streams. Thread-safe.
 *
 * <p>It stays one class, a little over 400 lines: each decision of the retry loop in {@code call}
 * (resend, move to the next endpoint, authenticate again) reads the endpoints, the connection pool
 * and the token together.
 */
final class GatewayTransport {
  /** Pooled connections idle longer than this are closed rather than reused. */
  private static final long MAX_IDLE_NANOS = 5_000_000_000L;

  /** How a request may be repeated after a failure. */
  enum Kind {
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
  private final AtomicBoolean shutDown = new AtomicBoolean();
  private volatile @Nullable String token;

  /**
   * @throws IllegalArgumentException naming the TLS files if the JDK's TLS refuses them
   */
  GatewayTransport(EtcdConfig config) {
    this.endpoints = config.endpoints();
    this.requestTimeout = config.requestTimeout();
    this.timeoutNanos = requestTimeout.toNanos();
    this.connectMillis = (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis());
    this.user = config.user();
    this.password = config.password();
    this.where = config.where();
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

  /** The endpoints for messages. */
  String where() {
    return where;
  }

  /** The bound on every call. */
  Duration requestTimeout() {
    return requestTimeout;
  }

  /** The deadline ({@link System#nanoTime()}) of a call that starts now. */
  long deadline() {
    return System.nanoTime() + timeoutNanos;
  }

  /** True once {@link #shutDown()} ran. */
  boolean isShutDown() {
    return shutDown.get();
  }

  /**
   * Closes every connection, including those of calls in flight (which then fail) and of watch
   * streams, and stops the deadline thread. Idempotent.
   */
  void shutDown() {
    shutDown.set(true);
    closeConnections();
    watchdog.close();
  }

  /**
   * POSTs one request with the auth token; see {@link #call(String, ObjectNode, String, Key, Kind,
   * long, boolean)}.
   */
  JsonNode call(
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
    byte[] body = GatewayJson.encode(request);
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
        nextEndpoint();
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
          nextEndpoint(); // a member that answered nothing in time: the next call asks another
          throw timeout(operation, key, kind.outcomeMatters, last != null ? last : e);
        }
        if (!kind.resendable || e instanceof HttpStreams.ReplyTooLargeException) {
          throw unavailable(operation, key, kind.outcomeMatters, e); // it may have been applied
        }
        last = e;
        nextEndpoint();
        continue;
      }
      release(conn, response.reusable());
      JsonNode reply = GatewayJson.parse(response.body(), operation, key);
      if (response.status() == 200) {
        return reply;
      }
      String message = GatewayJson.message(reply);
      if (withToken
          && user != null
          && !reauthenticated
          && EtcdFailures.isInvalidAuthToken(message)) {
        token = null; // expired or revoked; etcd checks the token before applying anything
        reauthenticated = true;
        continue;
      }
      int code = reply.path("code").asInt(2);
      if (EtcdFailures.notApplied(message) || (kind.resendable && code == 14)) {
        last = GatewayJson.error(reply, operation, key, false, where);
        nextEndpoint();
        backoffMs = Backoff.pause(backoffMs, deadline);
        continue;
      }
      throw GatewayJson.error(reply, operation, key, kind.outcomeMatters, where);
    }
  }

  private DatastoreTimeoutException timeout(
      String operation, @Nullable Key key, boolean outcomeUnknown, @Nullable Exception cause) {
    return new DatastoreTimeoutException(
        EtcdFailures.timeoutMessage(
            operation,
            key,
            requestTimeout,
            where,
            cause == null ? null : describe(cause),
            outcomeUnknown),
        key,
        outcomeUnknown,
        cause);
  }

  private DatastoreUnavailableException unavailable(
      String operation, @Nullable Key key, boolean outcomeUnknown, Exception cause) {
    return new DatastoreUnavailableException(
        EtcdFailures.withOutcome(
            EtcdFailures.subject(operation, key)
                + " failed: "
                + describe(cause)
                + " ("
                + where
                + ")",
            outcomeUnknown),
        key,
        outcomeUnknown,
        cause);
  }

  private DatastoreUnavailableException closedMidCall(
      String operation, @Nullable Key key, boolean outcomeUnknown) {
    return new DatastoreUnavailableException(
        EtcdFailures.withOutcome(
            EtcdFailures.subject(operation, key)
                + " failed: the datastore was closed meanwhile ("
                + where
                + ")",
            outcomeUnknown),
        key,
        outcomeUnknown,
        null);
  }

  /** An exception's text for a message, without Java class names where the text says enough. */
  static String describe(Exception e) {
    String text = e.getMessage();
    if (text == null || text.isBlank()) {
      return e.getClass().getSimpleName();
    }
    if (e instanceof ConnectException) {
      return "cannot connect: " + text;
    }
    if (e instanceof SSLException) {
      return "TLS failed: " + text;
    }
    return text;
  }

  /** Makes the next endpoint the preferred one (after the current one failed). */
  void nextEndpoint() {
    preferred.incrementAndGet();
  }

  /**
   * An idle pooled connection to the preferred endpoint, or a new one connected by {@code
   * deadline}.
   */
  private HttpConnection connection(long deadline) throws IOException {
    HttpConnection c;
    while ((c = idle.poll()) != null) {
      if (c.endpoint().equals(preferredEndpoint())
          && c.idleNanos() < MAX_IDLE_NANOS
          && !c.isClosed()) {
        return c;
      }
      discard(c); // stale, or to a member we moved away from
    }
    c = newConnection();
    connect(c, deadline);
    return c;
  }

  private URI preferredEndpoint() {
    return endpoints.get(Math.floorMod(preferred.get(), endpoints.size()));
  }

  /**
   * A new, unconnected connection to the preferred endpoint, known to this transport from now on
   * (so {@link #shutDown()} closes it even mid-connect).
   *
   * @throws IOException if the transport is shut down
   */
  HttpConnection newConnection() throws IOException {
    HttpConnection c = new HttpConnection(preferredEndpoint());
    live.add(c);
    if (shutDown.get()) {
      discard(c); // shutDown() ran meanwhile: leave no connection behind
      throw new IOException("closed");
    }
    return c;
  }

  /** Connects {@code c} by {@code deadline}; discards it on failure. */
  void connect(HttpConnection c, long deadline) throws IOException {
    int connect = Math.min(connectMillis, HttpStreams.remainingMillis(deadline));
    try {
      c.connect(tls, connect, deadline, watchdog);
    } catch (IOException | RuntimeException e) {
      discard(c);
      throw e;
    }
  }

  /** The watchdog that bounds every exchange on this transport's connections. */
  Watchdog watchdog() {
    return watchdog;
  }

  /** Returns a connection to the pool, or closes it. */
  private void release(HttpConnection c, boolean reusable) {
    if (reusable && !shutDown.get()) {
      idle.push(c);
      if (shutDown.get()) {
        closeConnections(); // shutDown() ran meanwhile: leave no connection behind
      }
    } else {
      discard(c);
    }
  }

  /** Closes a connection and forgets it. */
  void discard(HttpConnection c) {
    c.close();
    live.remove(c);
  }

  private void closeConnections() {
    idle.clear();
    for (HttpConnection c : List.copyOf(live)) {
      discard(c);
    }
  }

  /** Forgets the auth token, which etcd said is invalid: the next call authenticates again. */
  void tokenExpired() {
    token = null;
  }

  /**
   * The auth token (authenticating first if needed), or null without credentials. Waits for another
   * thread's authentication no longer than the deadline.
   */
  @Nullable String token(long deadline) {
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
        ObjectNode req = GatewayJson.object().put("name", user).put("password", password);
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

  /** The exception for an error reply; see {@link GatewayJson#error}. */
  DatastoreException error(JsonNode reply, String operation, @Nullable Key key) {
    return GatewayJson.error(reply, operation, key, false, where);
  }
}
