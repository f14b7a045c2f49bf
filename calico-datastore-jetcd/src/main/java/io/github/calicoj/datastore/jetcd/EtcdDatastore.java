package io.github.calicoj.datastore.jetcd;

import static com.google.common.base.Preconditions.checkState;
import static io.github.calicoj.datastore.jetcd.JetcdCodec.bytes;
import static io.github.calicoj.datastore.jetcd.JetcdCodec.firstGet;
import static io.github.calicoj.datastore.jetcd.JetcdCodec.keyOrdered;
import static io.github.calicoj.datastore.jetcd.JetcdCodec.prefixEnd;
import static io.github.calicoj.datastore.jetcd.JetcdCodec.toKeyValue;
import static java.util.Objects.requireNonNull;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
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
import io.github.calicoj.datastore.DatastoreTimeoutException;
import io.github.calicoj.datastore.DatastoreUnavailableException;
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
import io.github.calicoj.datastore.etcd.EtcdSettings;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
 * <p>Its parts: {@link JetcdClients} (the jetcd client for our settings), {@link JetcdCalls} (one
 * deadline per call, retries, errors), {@link JetcdCodec} (our types as jetcd's), {@link EtcdWatch}
 * (one per watch) and the shared lease keeper with {@link JetcdLeaseCalls}. What is left here, just
 * under 500 lines, is one short jetcd request and reply per {@link Datastore} operation.
 *
 * <p>Thread-safe; share one instance. The builder's caller owns the instance and must {@link
 * #close()} it, which revokes its leases, stops every watch and releases jetcd's connections and
 * threads.
 */
public final class EtcdDatastore implements Datastore {
  private static final Logger LOG = LoggerFactory.getLogger(EtcdDatastore.class);
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  /** Keys per page when listing; far below etcd's 1.5 MiB request and gRPC's 4 MiB reply limits. */
  private static final int LIST_PAGE = 1000;

  private final Client client;
  private final KV kv;
  private final JetcdCalls calls;
  private final ScheduledExecutorService scheduler;
  private final LeaseKeeper leases;
  private final Set<EtcdWatch> watches = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  private EtcdDatastore(EtcdConfig config) {
    this.client = JetcdClients.open(config);
    this.kv = client.getKVClient();
    this.calls = new JetcdCalls(config.requestTimeout(), config.where());
    this.leases =
        new LeaseKeeper(
            new JetcdLeaseCalls(client.getLeaseClient(), calls),
            config.requestTimeout(),
            config.where());
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
    return calls.requestTimeout();
  }

  @Override
  public Optional<KeyValue> get(Key key) {
    requireNonNull(key, "key");
    checkOpen();
    GetResponse response = calls.run(() -> kv.get(bytes(key)), "get", key, false, calls.deadline());
    return response.getKvs().stream().findFirst().map(JetcdCodec::toKeyValue);
  }

  @Override
  public Snapshot list(Key prefix) {
    requireNonNull(prefix, "prefix");
    checkOpen();
    ByteSequence start = bytes(prefix);
    List<KeyValue> entries = new ArrayList<>();
    long revision = 0;
    long deadline = calls.deadline(); // one bound for all pages
    while (true) {
      GetOption.Builder option = keyOrdered(prefix).withLimit(LIST_PAGE);
      if (revision != 0) {
        option.withRevision(revision); // every later page is read at the first page's revision
      }
      ByteSequence from = start;
      GetOption page1 = option.build();
      GetResponse page = calls.run(() -> kv.get(from, page1), "list", prefix, false, deadline);
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
        calls.run(() -> kv.put(bytes(key), bytes(value)), "put", key, true, calls.deadline());
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
          calls.run(
              () -> kv.put(bytes(key), bytes(value), option), "put", key, true, calls.deadline());
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
        calls.run(
            () -> client.getLeaseClient().grant(seconds),
            "grant lease",
            null,
            true,
            calls.deadline());
    return leases.keep(granted.getID(), granted.getTTL(), listener);
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
    DeleteResponse response =
        calls.run(() -> kv.delete(bytes(key)), "delete", key, true, calls.deadline());
    return response.getDeleted() > 0;
  }

  @Override
  public long deletePrefix(Key prefix) {
    requireNonNull(prefix, "prefix");
    checkOpen();
    DeleteResponse response =
        calls.run(
            () ->
                kv.delete(
                    bytes(prefix), DeleteOption.builder().withRange(prefixEnd(prefix)).build()),
            "deletePrefix",
            prefix,
            true,
            calls.deadline());
    return response.getDeleted();
  }

  @Override
  public TxnResult commit(Transaction transaction) {
    requireNonNull(transaction, "transaction");
    checkOpen();
    List<Cmp> cmps = transaction.guards().stream().map(JetcdCodec::compare).toList();
    List<Op> then = new ArrayList<>();
    long firstLease = 0;
    for (TxnOp op : transaction.ops()) {
      long lease = leaseOf(op);
      firstLease = firstLease == 0 ? lease : firstLease;
      then.add(JetcdCodec.write(op, lease));
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
    boolean readOnly = transaction.ops().isEmpty();
    Key subject = readOnly ? transaction.reads().get(0) : transaction.ops().get(0).key();
    TxnResponse response;
    try {
      response =
          calls.run(
              () ->
                  kv.txn()
                      .If(cmps.toArray(new Cmp[0]))
                      .Then(then.toArray(new Op[0]))
                      .Else(otherwise.toArray(new Op[0]))
                      .commit(),
              "commit",
              subject,
              !readOnly,
              calls.deadline());
    } catch (LeaseExpiredException e) {
      throw new LeaseExpiredException("commit", subject, firstLease, e);
    }
    return EtcdTxns.txnResult(
        transaction,
        response.isSucceeded(),
        Revision.of(response.getHeader().getRevision()),
        JetcdCodec.ranges(response));
  }

  /** The ID of the lease a transaction's put names, checked; 0 for none. */
  private long leaseOf(TxnOp op) {
    if (op instanceof TxnOp.Put put) {
      Lease lease = put.lease();
      if (lease != null) {
        return leases.checkWritable(lease, "commit", put.key());
      }
    }
    return 0;
  }

  @Override
  public WatchHandle watch(Key prefix, Revision after, WatchListener listener) {
    requireNonNull(prefix, "prefix");
    requireNonNull(after, "after");
    requireNonNull(listener, "listener");
    checkOpen();
    checkNotCompacted(prefix, after);
    EtcdWatch watch =
        new EtcdWatch(
            new EtcdWatch.Context(
                client.getWatchClient(), scheduler, calls.where(), closed::get, watches::remove),
            prefix,
            after.value() + 1,
            listener);
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
    for (EtcdWatch watch : List.copyOf(watches)) {
      try {
        watch.close();
      } catch (RuntimeException e) {
        LOG.warn("Closing a watch of {} failed", calls.where(), e);
      }
    }
    watches.clear();
    scheduler.shutdownNow();
    try {
      client.close();
    } catch (RuntimeException e) {
      LOG.warn("Closing the jetcd client of {} failed", calls.where(), e);
    }
  }

  @Override
  public String toString() {
    return "EtcdDatastore{" + calls.where() + ", requestTimeout=" + calls.requestTimeout() + "}";
  }

  private void checkOpen() {
    checkState(!closed.get(), "EtcdDatastore is closed");
  }

  /**
   * Watching after a revision needs that revision to still be readable; a read at it fails exactly
   * when it was compacted. A future revision is fine for a watch.
   */
  private void checkNotCompacted(Key prefix, Revision after) {
    GetOption atRevision =
        GetOption.builder()
            .withRange(prefixEnd(prefix))
            .withRevision(after.value())
            .withCountOnly(true)
            .build();
    EtcdFailures.checkNotCompacted(
        () ->
            calls.run(
                () -> kv.get(bytes(prefix), atRevision), "watch", prefix, false, calls.deadline()));
  }

  /**
   * One single-key conditional write: {@code If(target(key) = value) Then(op) Else(get key)}, so a
   * failed compare tells "absent" from "changed" without another round trip.
   */
  private TxnResponse guarded(String operation, Key key, CmpTarget<?> target, Op op) {
    ByteSequence k = bytes(key);
    return calls.run(
        () ->
            kv.txn()
                .If(new Cmp(k, Cmp.Op.EQUAL, target))
                .Then(op)
                .Else(Op.get(k, GetOption.DEFAULT))
                .commit(),
        operation,
        key,
        true,
        calls.deadline());
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
