package io.github.calicoj.datastore.etcd;

import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.DeleteResponse;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.PutResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseGrantResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
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
import io.github.calicoj.datastore.WatchHandle;
import io.github.calicoj.datastore.WatchListener;
import io.github.calicoj.datastore.etcd.internal.Backoff;
import io.github.calicoj.datastore.etcd.internal.EtcdConfig;
import io.github.calicoj.datastore.etcd.internal.EtcdFailures;
import io.github.calicoj.datastore.etcd.internal.EtcdTxns;
import io.github.calicoj.datastore.etcd.internal.KeyRanges;
import io.github.calicoj.datastore.etcd.internal.LeaseKeeper;
import io.github.calicoj.datastore.etcd.internal.TlsMaterial;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Datastore} on etcd's v3 API (etcd 3.4 and later), through jetcd.
 *
 * <pre>{@code
 * try (Datastore store = EtcdDatastore.builder()
 *     .endpoints("https://10.0.0.1:2379", "https://10.0.0.2:2379")
 *     .trustedCa(Path.of("ca.crt"))
 *     .clientCertificate(Path.of("client.crt"), Path.of("client.key"))  // PKCS#8 key
 *     .requestTimeout(Duration.ofSeconds(5))
 *     .build()) {
 *   store.put(Key.of("/calico/v1/Ready"), "true");
 * }
 * }</pre>
 *
 * <p><b>Bounded calls.</b> jetcd sets no deadline of its own, so an unreachable etcd or a failed
 * TLS handshake would make a call wait forever. Here every unary gRPC call carries a deadline of
 * {@link Builder#requestTimeout} and every call is also abandoned by the caller at that bound: each
 * method returns or throws within the request timeout (plus scheduling noise). A write that fails
 * with a {@link DatastoreTimeoutException} or {@link DatastoreUnavailableException} has an unknown
 * outcome ({@link DatastoreUnavailableException#outcomeUnknown()}): it may have been applied, so
 * re-read before retrying a compare-and-set.
 *
 * <p><b>Writes</b> are single etcd transactions: {@code create} is {@code If(version = 0) Then(put)
 * Else(get)}, {@code update}/{@code delete(key, rev)} are {@code If(mod_revision = rev) Then(...)
 * Else(get)}; "not found" and "conflict" come from the transaction's result, never from error
 * texts. Lists are read in pages at one revision.
 *
 * <p><b>Watches</b> survive member loss: jetcd resumes a stream after a transport error, and a
 * watch that jetcd ends on its own (no leader, halted stream) is re-created from the revision after
 * the last delivered event. Listeners run on a thread per watch owned by this datastore, never on
 * jetcd's event loop.
 *
 * <p>Thread-safe; share one instance. The builder's caller owns the instance and must {@link
 * #close()} it, which stops every watch and releases jetcd's connections and threads.
 */
public final class EtcdDatastore implements Datastore {
  private static final Logger LOG = LoggerFactory.getLogger(EtcdDatastore.class);
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  /** Keys per page when listing; far below etcd's 1.5 MiB request and gRPC's 4 MiB reply limits. */
  private static final int LIST_PAGE = 1000;

  private final Client client;
  private final KV kv;
  private final long timeoutNanos;
  private final Duration requestTimeout;
  private final String where;
  private final ScheduledExecutorService scheduler;
  private final Set<EtcdWatch> watches = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final LeaseKeeper leases;

  private EtcdDatastore(EtcdConfig config) {
    this.requestTimeout = config.requestTimeout();
    this.timeoutNanos = requestTimeout.toNanos();
    this.where = config.where();
    ClientBuilder cb =
        Client.builder()
            .endpoints(config.endpoints().toArray(new URI[0]))
            .connectTimeout(config.connectTimeout())
            // jetcd re-sends reads (never writes) that fail with UNAVAILABLE, such as "leader
            // changed" during an election: quickly, and for as long as the call may last, rather
            // than its default of two attempts half a second apart.
            .retryDelay(50)
            .retryMaxDelay(500)
            .retryMaxAttempts(Integer.MAX_VALUE)
            .retryMaxDuration(requestTimeout)
            .keepaliveTime(Duration.ofSeconds(10))
            .keepaliveTimeout(Duration.ofSeconds(5))
            .interceptor(new DeadlineInterceptor(requestTimeout));
    String user = config.user();
    if (user != null) {
      cb.user(bytes(user)).password(bytes(requireNonNull(config.password())));
    }
    TlsMaterial tls = config.tls();
    if (tls != null) {
      // Always for https, with or without files: jetcd talks plain text unless given a context.
      try {
        cb.sslContext(
            ssl -> {
              if (!tls.trusted().isEmpty()) {
                ssl.trustManager(tls.trusted().toArray(new X509Certificate[0]));
              }
              PrivateKey key = tls.key();
              if (key != null) {
                ssl.keyManager(key, tls.chain().toArray(new X509Certificate[0]));
              }
            });
      } catch (SSLException | RuntimeException e) {
        throw tls.unusable(e);
      }
    }
    this.client = cb.build();
    this.kv = client.getKVClient();
    this.leases = new LeaseKeeper(new LeaseCalls(), requestTimeout, where);
    int id = INSTANCES.incrementAndGet();
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "calicoj-etcd-" + id + "-scheduler");
              t.setDaemon(true);
              return t;
            });
  }

  /** Returns a builder; at least one endpoint is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The configured bound on every call. */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  @Override
  public Optional<KeyValue> get(Key key) {
    requireNonNull(key, "key");
    checkOpen();
    GetResponse response = run(() -> kv.get(bytes(key)), "get", key, false, deadline());
    return response.getKvs().stream().findFirst().map(EtcdDatastore::toKeyValue);
  }

  @Override
  public Snapshot list(Key prefix) {
    requireNonNull(prefix, "prefix");
    checkOpen();
    ByteSequence start = bytes(prefix);
    List<KeyValue> entries = new ArrayList<>();
    long revision = 0;
    long deadline = deadline(); // one bound for all pages
    while (true) {
      GetOption.Builder option = keyOrdered(prefix).withLimit(LIST_PAGE);
      if (revision != 0) {
        option.withRevision(revision); // every later page is read at the first page's revision
      }
      ByteSequence from = start;
      GetOption page1 = option.build();
      GetResponse page = run(() -> kv.get(from, page1), "list", prefix, false, deadline);
      if (revision == 0) {
        revision = page.getHeader().getRevision();
      }
      page.getKvs().forEach(kv -> entries.add(toKeyValue(kv)));
      if (!page.isMore() || page.getKvs().isEmpty()) {
        break;
      }
      byte[] last = page.getKvs().get(page.getKvs().size() - 1).getKey().getBytes();
      start = ByteSequence.from(Arrays.copyOf(last, last.length + 1)); // the next key after last
    }
    return new Snapshot(entries, Revision.of(revision));
  }

  @Override
  public KeyValue create(Key key, String value) {
    requireNonNull(key, "key");
    requireNonNull(value, "value");
    checkOpen();
    ByteSequence k = bytes(key);
    TxnResponse response =
        guarded("create", key, CmpTarget.version(0), Op.put(k, bytes(value), PutOption.DEFAULT));
    if (!response.isSucceeded()) {
      Optional<KeyValue> existing = firstGet(response);
      // The key can vanish between the compare and the else-read only in the same revision, which
      // cannot happen; a missing entry here would be an etcd bug.
      throw new ResourceAlreadyExistsException(
          "create",
          key,
          existing.map(KeyValue::revision).orElse(Revision.of(response.getHeader().getRevision())));
    }
    return new KeyValue(key, value, Revision.of(response.getHeader().getRevision()));
  }

  @Override
  public KeyValue update(Key key, String value, Revision expected) {
    requireNonNull(key, "key");
    requireNonNull(value, "value");
    requireNonNull(expected, "expected");
    checkOpen();
    ByteSequence k = bytes(key);
    TxnResponse response =
        guarded(
            "update",
            key,
            CmpTarget.modRevision(expected.value()),
            Op.put(k, bytes(value), PutOption.DEFAULT));
    if (!response.isSucceeded()) {
      throw EtcdTxns.casFailure("update", key, expected, firstGet(response));
    }
    return new KeyValue(key, value, Revision.of(response.getHeader().getRevision()));
  }

  @Override
  public KeyValue put(Key key, String value) {
    requireNonNull(key, "key");
    requireNonNull(value, "value");
    checkOpen();
    PutResponse response =
        run(() -> kv.put(bytes(key), bytes(value)), "put", key, true, deadline());
    return new KeyValue(key, value, Revision.of(response.getHeader().getRevision()));
  }

  @Override
  public KeyValue put(Key key, String value, Lease lease) {
    requireNonNull(key, "key");
    requireNonNull(value, "value");
    requireNonNull(lease, "lease");
    checkOpen();
    long id = leases.checkWritable(lease, "put", key);
    PutOption option = PutOption.builder().withLeaseId(id).build();
    try {
      PutResponse response =
          run(() -> kv.put(bytes(key), bytes(value), option), "put", key, true, deadline());
      return new KeyValue(key, value, Revision.of(response.getHeader().getRevision()));
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
    LeaseGrantResponse granted =
        run(() -> client.getLeaseClient().grant(seconds), "grant lease", null, true, deadline());
    return leases.keep(granted.getID(), granted.getTTL(), listener);
  }

  /** Makes the lease keeper stop renewing {@code lease}, as if this process had died. For tests. */
  void stopKeepAlive(Lease lease) {
    leases.stopRenewing(lease);
  }

  /**
   * The lease keeper's calls: one {@code keepAliveOnce} or one revoke, each awaited on the keeper's
   * own thread by its deadline. jetcd's keep-alive stream is not used: it can stop silently.
   */
  private final class LeaseCalls implements LeaseKeeper.Calls {
    @Override
    public long renew(long id, long deadline) {
      try {
        return await(
                client.getLeaseClient().keepAliveOnce(id),
                "renew lease " + Long.toHexString(id),
                null,
                false,
                deadline)
            .getTTL();
      } catch (LeaseExpiredException e) {
        return 0; // jetcd turns etcd's TTL of 0 into "lease not found"
      }
    }

    @Override
    public void revoke(long id, long deadline) {
      try {
        await(
            client.getLeaseClient().revoke(id),
            "revoke lease " + Long.toHexString(id),
            null,
            false,
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
    TxnResponse response =
        guarded(
            "delete",
            key,
            CmpTarget.modRevision(expected.value()),
            Op.delete(bytes(key), DeleteOption.DEFAULT));
    if (!response.isSucceeded()) {
      throw EtcdTxns.casFailure("delete", key, expected, firstGet(response));
    }
    return Revision.of(response.getHeader().getRevision());
  }

  @Override
  public boolean delete(Key key) {
    requireNonNull(key, "key");
    checkOpen();
    DeleteResponse response = run(() -> kv.delete(bytes(key)), "delete", key, true, deadline());
    return response.getDeleted() > 0;
  }

  @Override
  public long deletePrefix(Key prefix) {
    requireNonNull(prefix, "prefix");
    checkOpen();
    DeleteResponse response =
        run(
            () ->
                kv.delete(
                    bytes(prefix), DeleteOption.builder().withRange(prefixEnd(prefix)).build()),
            "deletePrefix",
            prefix,
            true,
            deadline());
    return response.getDeleted();
  }

  @Override
  public TxnResult commit(Transaction transaction) {
    requireNonNull(transaction, "transaction");
    checkOpen();
    List<Cmp> cmps = new ArrayList<>();
    for (Guard guard : transaction.guards()) {
      ByteSequence k = bytes(guard.key());
      if (guard instanceof Guard.AtRevision at) {
        cmps.add(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(at.revision().value())));
      } else {
        cmps.add(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.version(0)));
      }
    }
    List<Op> then = new ArrayList<>();
    long firstLease = 0;
    for (TxnOp op : transaction.ops()) {
      if (op instanceof TxnOp.Put put) {
        PutOption option = PutOption.DEFAULT;
        Lease lease = put.lease();
        if (lease != null) {
          long id = leases.checkWritable(lease, "commit", put.key());
          firstLease = firstLease == 0 ? id : firstLease;
          option = PutOption.builder().withLeaseId(id).build();
        }
        then.add(Op.put(bytes(put.key()), bytes(put.value()), option));
      } else {
        then.add(Op.delete(bytes(op.key()), DeleteOption.DEFAULT));
      }
    }
    List<Op> otherwise = new ArrayList<>();
    for (Key key : EtcdTxns.guardedKeys(transaction)) {
      otherwise.add(Op.get(bytes(key), GetOption.DEFAULT));
    }
    for (Key prefix : transaction.reads()) {
      Op read = Op.get(bytes(prefix), keyOrdered(prefix).build());
      then.add(read);
      otherwise.add(read);
    }
    Key subject = transaction.ops().get(0).key();
    TxnResponse response;
    try {
      response =
          run(
              () ->
                  kv.txn()
                      .If(cmps.toArray(new Cmp[0]))
                      .Then(then.toArray(new Op[0]))
                      .Else(otherwise.toArray(new Op[0]))
                      .commit(),
              "commit",
              subject,
              true,
              deadline());
    } catch (LeaseExpiredException e) {
      throw new LeaseExpiredException("commit", subject, firstLease, e);
    }
    List<List<KeyValue>> ranges = new ArrayList<>();
    for (GetResponse get : response.getGetResponses()) {
      List<KeyValue> got = new ArrayList<>();
      get.getKvs().forEach(kv -> got.add(toKeyValue(kv)));
      ranges.add(got);
    }
    return EtcdTxns.txnResult(
        transaction,
        response.isSucceeded(),
        Revision.of(response.getHeader().getRevision()),
        ranges);
  }

  @Override
  public WatchHandle watch(Key prefix, Revision after, WatchListener listener) {
    requireNonNull(prefix, "prefix");
    requireNonNull(after, "after");
    requireNonNull(listener, "listener");
    checkOpen();
    checkNotCompacted(prefix, after);
    EtcdWatch watch = new EtcdWatch(this, prefix, after.value() + 1, listener);
    watches.add(watch);
    if (closed.get()) {
      watch.close(); // lost a race with close(): no watch may outlive the datastore
      checkOpen();
    }
    watch.start();
    return watch;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    leases.close(); // revokes, so before the client closes
    for (EtcdWatch watch : watches) {
      try {
        watch.close();
      } catch (RuntimeException e) {
        LOG.warn("Closing a watch of {} failed", where, e);
      }
    }
    watches.clear();
    scheduler.shutdownNow();
    try {
      client.close();
    } catch (RuntimeException e) {
      LOG.warn("Closing the jetcd client of {} failed", where, e);
    }
  }

  @Override
  public String toString() {
    return "EtcdDatastore{" + where + ", requestTimeout=" + requestTimeout + "}";
  }

  // --- package-private plumbing for EtcdWatch ---

  Client client() {
    return client;
  }

  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  String where() {
    return where;
  }

  boolean isClosed() {
    return closed.get();
  }

  void forget(EtcdWatch watch) {
    watches.remove(watch);
  }

  static ByteSequence bytes(Key key) {
    return bytes(key.path());
  }

  static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }

  static Key toKey(io.etcd.jetcd.KeyValue kv) {
    return Key.of(kv.getKey().toString(StandardCharsets.UTF_8));
  }

  // --- internals ---

  private void checkOpen() {
    checkState(!closed.get(), "EtcdDatastore is closed");
  }

  /**
   * Watching after a revision needs that revision to still be readable; a read at it fails exactly
   * when it was compacted. A future revision is fine for a watch.
   */
  private void checkNotCompacted(Key prefix, Revision after) {
    try {
      GetOption atRevision =
          GetOption.builder()
              .withRange(prefixEnd(prefix))
              .withRevision(after.value())
              .withCountOnly(true)
              .build();
      run(() -> kv.get(bytes(prefix), atRevision), "watch", prefix, false, deadline());
    } catch (RevisionCompactedException e) {
      throw e;
    } catch (DatastoreException e) {
      if (!String.valueOf(e.getMessage()).contains("future revision")) {
        throw e;
      }
    }
  }

  private static String subject(String operation, @Nullable Key key) {
    return key == null ? operation : operation + " " + key;
  }

  /** The deadline of a call that starts now. */
  private long deadline() {
    return System.nanoTime() + timeoutNanos;
  }

  /**
   * Runs a jetcd call by {@code deadline} ({@link System#nanoTime()}), translating every failure. A
   * call that etcd refused before applying it ({@link EtcdFailures#notApplied}), and a read that
   * failed with UNAVAILABLE, is sent again after a short back-off while the deadline allows; every
   * attempt shares the one deadline.
   *
   * @param write true for writes: a failure other than a refusal leaves their outcome unknown
   */
  private <T> T run(
      Supplier<CompletableFuture<T>> call,
      String operation,
      @Nullable Key key,
      boolean write,
      long deadline) {
    long backoffMs = Backoff.FIRST_MS;
    while (true) {
      try {
        return await(call.get(), operation, key, write, deadline);
      } catch (DatastoreException e) {
        Throwable cause = e.getCause();
        boolean retryable =
            cause != null
                && (EtcdErrors.notApplied(cause) || (!write && EtcdErrors.isUnavailable(cause)));
        if (!retryable || deadline - System.nanoTime() <= backoffMs * 1_000_000) {
          throw e;
        }
        backoffMs = Backoff.pause(backoffMs, deadline);
      }
    }
  }

  /** Waits for a jetcd call until {@code deadline} and translates every failure. */
  private <T> T await(
      CompletableFuture<T> future,
      String operation,
      @Nullable Key key,
      boolean write,
      long deadline) {
    try {
      return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new DatastoreTimeoutException(
          EtcdFailures.withOutcome(
              subject(operation, key)
                  + " failed: no answer within "
                  + requestTimeout
                  + " ("
                  + where
                  + "; etcd down, no quorum, or a TLS or credential problem)",
              write),
          key,
          write,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(true);
      throw new DatastoreUnavailableException(
          EtcdFailures.withOutcome(subject(operation, key) + " interrupted (" + where + ")", write),
          key,
          write,
          e);
    } catch (ExecutionException e) {
      throw EtcdErrors.translate(e, operation, key, write, where);
    } catch (RuntimeException e) {
      // jetcd can throw synchronously, e.g. when its client was closed underneath us.
      throw EtcdErrors.translate(e, operation, key, write, where);
    }
  }

  /**
   * One single-key conditional write: {@code If(target(key) = value) Then(op) Else(get key)}, so a
   * failed compare tells "absent" from "changed" without another round trip.
   */
  private TxnResponse guarded(String operation, Key key, CmpTarget<?> target, Op op) {
    ByteSequence k = bytes(key);
    return run(
        () ->
            kv.txn()
                .If(new Cmp(k, Cmp.Op.EQUAL, target))
                .Then(op)
                .Else(Op.get(k, GetOption.DEFAULT))
                .commit(),
        operation,
        key,
        true,
        deadline());
  }

  private static Optional<KeyValue> firstGet(TxnResponse response) {
    return response.getGetResponses().stream()
        .flatMap(get -> get.getKvs().stream())
        .findFirst()
        .map(EtcdDatastore::toKeyValue);
  }

  private static KeyValue toKeyValue(io.etcd.jetcd.KeyValue kv) {
    return new KeyValue(
        toKey(kv),
        kv.getValue().toString(StandardCharsets.UTF_8),
        Revision.of(kv.getModRevision()));
  }

  /** A read of every key under {@code prefix}, in key order. */
  private static GetOption.Builder keyOrdered(Key prefix) {
    return GetOption.builder()
        .withRange(prefixEnd(prefix))
        .withSortField(GetOption.SortTarget.KEY)
        .withSortOrder(GetOption.SortOrder.ASCEND);
  }

  /** The smallest key greater than every key with this prefix (etcd's range end for a prefix). */
  static ByteSequence prefixEnd(Key prefix) {
    return ByteSequence.from(KeyRanges.prefixEnd(prefix));
  }

  /** Gives every unary call a deadline; streaming calls (watch) must live on. */
  private static final class DeadlineInterceptor implements ClientInterceptor {
    private final long timeoutNanos;

    DeadlineInterceptor(Duration timeout) {
      this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
        MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
      CallOptions options = callOptions;
      if (method.getType() == MethodDescriptor.MethodType.UNARY && options.getDeadline() == null) {
        options = options.withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS);
      }
      return next.newCall(method, options);
    }
  }

  /**
   * Configures an {@link EtcdDatastore}. Not thread-safe. Endpoints are required; TLS and
   * credentials are optional.
   */
  public static final class Builder extends EtcdSettings<Builder> {
    private Builder() {}

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    public EtcdDatastore build() {
      return new EtcdDatastore(config());
    }
  }
}
