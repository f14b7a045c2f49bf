package io.github.calicoj.datastore.etcd;

import static com.google.common.base.Preconditions.checkState;
import static io.github.calicoj.datastore.etcd.GatewayJson.b64;
import static io.github.calicoj.datastore.etcd.GatewayJson.bytes;
import static io.github.calicoj.datastore.etcd.GatewayJson.compare;
import static io.github.calicoj.datastore.etcd.GatewayJson.deleteOp;
import static io.github.calicoj.datastore.etcd.GatewayJson.firstRange;
import static io.github.calicoj.datastore.etcd.GatewayJson.getOp;
import static io.github.calicoj.datastore.etcd.GatewayJson.headerRevision;
import static io.github.calicoj.datastore.etcd.GatewayJson.kvs;
import static io.github.calicoj.datastore.etcd.GatewayJson.object;
import static io.github.calicoj.datastore.etcd.GatewayJson.prefixRange;
import static io.github.calicoj.datastore.etcd.GatewayJson.putOp;
import static io.github.calicoj.datastore.etcd.GatewayJson.range;
import static io.github.calicoj.datastore.etcd.GatewayJson.under;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.DatastoreUnavailableException;
import io.github.calicoj.datastore.Guard;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Lease;
import io.github.calicoj.datastore.LeaseExpiredException;
import io.github.calicoj.datastore.LeaseListener;
import io.github.calicoj.datastore.ResourceAlreadyExistsException;
import io.github.calicoj.datastore.Revision;
import io.github.calicoj.datastore.Snapshot;
import io.github.calicoj.datastore.Transaction;
import io.github.calicoj.datastore.TxnOp;
import io.github.calicoj.datastore.TxnResult;
import io.github.calicoj.datastore.WatchHandle;
import io.github.calicoj.datastore.WatchListener;
import io.github.calicoj.datastore.etcd.GatewayTransport.Kind;
import io.github.calicoj.datastore.etcd.internal.EtcdConfig;
import io.github.calicoj.datastore.etcd.internal.EtcdFailures;
import io.github.calicoj.datastore.etcd.internal.EtcdTxns;
import io.github.calicoj.datastore.etcd.internal.LeaseKeeper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link Datastore} on etcd's v3 API through etcd's own JSON gateway ({@code POST /v3/kv/...}
 * over HTTP/1.1), on the JDK's sockets alone: no gRPC, Netty or Vert.x. It starts in milliseconds
 * where {@code EtcdDatastore} (jetcd) needs about half a second of class loading and channel
 * set-up, so it suits short-lived processes such as a CLI; a long-running agent with many watches
 * is better served by {@code EtcdDatastore}. Both pass the same contract tests and store the same
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
 * <p>Its parts: {@link GatewayTransport} (connections, endpoints, token, retries), {@link
 * GatewayJson} (the requests and replies), {@link GatewayWatch} (one per watch) and the shared
 * lease keeper. What is left here, a little over 400 lines with this javadoc, is one gateway
 * request and reply per {@link Datastore} operation. Thread-safe; share one instance. The caller
 * owns it and must {@link #close()} it, which revokes its leases, ends every watch and closes every
 * connection.
 */
public final class EtcdGatewayDatastore implements Datastore {
  /** Keys per page when listing, as {@code EtcdDatastore} does. */
  private static final int LIST_PAGE = 1000;

  private final GatewayTransport transport;
  private final LeaseKeeper leases;
  private final Set<GatewayWatch> watches = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  private EtcdGatewayDatastore(EtcdConfig config) {
    this.transport = new GatewayTransport(config);
    this.leases =
        new LeaseKeeper(new GatewayLeaseCalls(transport), config.requestTimeout(), config.where());
  }

  /** Returns a builder; at least one endpoint is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The configured bound on every call. */
  public Duration requestTimeout() {
    return transport.requestTimeout();
  }

  // ------------------------------------------------------------------ key-value

  @Override
  public Optional<KeyValue> get(Key key) {
    requireNonNull(key, "key");
    checkOpen();
    JsonNode r = transport.call("/v3/kv/range", range(key), "get", key, Kind.READ, deadline());
    return kvs(r).stream().findFirst();
  }

  @Override
  public Snapshot list(Key prefix) {
    requireNonNull(prefix, "prefix");
    checkOpen();
    byte[] start = bytes(prefix);
    List<KeyValue> entries = new ArrayList<>();
    long revision = 0;
    long deadline = deadline(); // one bound for all pages
    while (true) {
      ObjectNode req =
          prefixRange(prefix).put("key", b64(start)).put("limit", Integer.toString(LIST_PAGE));
      if (revision != 0) {
        req.put("revision", Long.toString(revision)); // later pages at the first page's revision
      }
      JsonNode page = transport.call("/v3/kv/range", req, "list", prefix, Kind.READ, deadline);
      if (revision == 0) {
        revision = headerRevision(page);
      }
      List<KeyValue> got = kvs(page);
      entries.addAll(got);
      if (!page.path("more").asBoolean(false) || got.isEmpty()) {
        break;
      }
      byte[] last = bytes(got.get(got.size() - 1).key());
      start = Arrays.copyOf(last, last.length + 1); // the next key after the last one
    }
    return new Snapshot(entries, Revision.of(revision));
  }

  @Override
  public KeyValue create(Key key, String value) {
    requireNonNull(key, "key");
    requireNonNull(value, "value");
    checkOpen();
    JsonNode r = guarded("create", key, compare(Guard.absent(key)), putOp(key, value, 0));
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
        guarded("update", key, compare(Guard.atRevision(key, expected)), putOp(key, value, 0));
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
    ObjectNode req = object().put("key", b64(key)).put("value", b64(value));
    JsonNode r = transport.call("/v3/kv/put", req, "put", key, Kind.WRITE, deadline());
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
        object().put("key", b64(key)).put("value", b64(value)).put("lease", Long.toString(id));
    try {
      JsonNode r = transport.call("/v3/kv/put", req, "put", key, Kind.WRITE, deadline());
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
        transport.call(
            "/v3/lease/grant",
            object().put("TTL", Long.toString(seconds)),
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

  @Override
  public Revision delete(Key key, Revision expected) {
    requireNonNull(key, "key");
    requireNonNull(expected, "expected");
    checkOpen();
    JsonNode r = guarded("delete", key, compare(Guard.atRevision(key, expected)), deleteOp(key));
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
        transport.call("/v3/kv/deleterange", range(key), "delete", key, Kind.WRITE, deadline());
    return r.path("deleted").asLong(0) > 0;
  }

  @Override
  public long deletePrefix(Key prefix) {
    requireNonNull(prefix, "prefix");
    checkOpen();
    ObjectNode req = under(prefix);
    return transport
        .call("/v3/kv/deleterange", req, "deletePrefix", prefix, Kind.WRITE, deadline())
        .path("deleted")
        .asLong(0);
  }

  @Override
  public TxnResult commit(Transaction transaction) {
    requireNonNull(transaction, "transaction");
    checkOpen();
    ObjectNode req = object();
    ArrayNode compares = req.putArray("compare");
    transaction.guards().forEach(g -> compares.add(compare(g)));
    ArrayNode success = req.putArray("success");
    long firstLease = 0;
    for (TxnOp op : transaction.ops()) {
      if (op instanceof TxnOp.Put p) {
        Lease lease = p.lease();
        long id = lease == null ? 0 : leases.checkWritable(lease, "commit", p.key());
        firstLease = firstLease == 0 ? id : firstLease;
        success.add(putOp(p.key(), p.value(), id));
      } else {
        success.add(deleteOp(op.key()));
      }
    }
    ArrayNode failure = req.putArray("failure");
    for (Key k : EtcdTxns.guardedKeys(transaction)) {
      failure.add(getOp(k));
    }
    for (Key prefix : transaction.reads()) {
      ObjectNode read = object().set("request_range", prefixRange(prefix));
      success.add(read);
      failure.add(read.deepCopy());
    }
    boolean readOnly = transaction.ops().isEmpty();
    Key subject = readOnly ? transaction.reads().get(0) : transaction.ops().get(0).key();
    JsonNode r;
    try {
      r =
          transport.call(
              "/v3/kv/txn", req, "commit", subject, readOnly ? Kind.READ : Kind.WRITE, deadline());
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
    GatewayWatch w =
        new GatewayWatch(
            transport, prefix, after.value() + 1, listener, closed::get, watches::remove);
    watches.add(w);
    if (closed.get()) {
      w.close(); // lost a race with close(): no watch may outlive the datastore
      checkOpen();
    }
    w.start();
    return w;
  }

  /** A watch from a compacted revision must fail now; a future revision is fine. */
  private void checkNotCompacted(Key prefix, Revision after) {
    ObjectNode req =
        prefixRange(prefix).put("revision", Long.toString(after.value())).put("count_only", true);
    EtcdFailures.checkNotCompacted(
        () -> transport.call("/v3/kv/range", req, "watch", prefix, Kind.READ, deadline()));
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
    transport.shutDown();
    for (GatewayWatch w : List.copyOf(watches)) {
      w.close();
    }
  }

  @Override
  public String toString() {
    return "EtcdGatewayDatastore{"
        + transport.where()
        + ", requestTimeout="
        + transport.requestTimeout()
        + "}";
  }

  private void checkOpen() {
    checkState(!closed.get(), "EtcdGatewayDatastore is closed");
  }

  private long deadline() {
    return transport.deadline();
  }

  /** One single-key conditional write: {@code If(compare) Then(op) Else(get key)}. */
  private JsonNode guarded(String operation, Key key, ObjectNode compare, ObjectNode op) {
    ObjectNode req = object();
    req.putArray("compare").add(compare);
    req.putArray("success").add(op);
    req.putArray("failure").add(getOp(key));
    return transport.call("/v3/kv/txn", req, operation, key, Kind.WRITE, deadline());
  }

  /**
   * Configures an {@link EtcdGatewayDatastore}: the same settings as {@code EtcdDatastore}'s
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
