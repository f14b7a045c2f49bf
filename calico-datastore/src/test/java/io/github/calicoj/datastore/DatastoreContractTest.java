package io.github.calicoj.datastore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.github.calicoj.testkit.Race;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link Datastore} promises, run unchanged against each implementation ({@code
 * InMemoryDatastoreTest}, {@code EtcdDatastoreIT}). Each test works under a fresh random prefix, so
 * implementations may share one store across tests.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
public abstract class DatastoreContractTest {

  /** Returns a new datastore; the test closes it. */
  protected abstract Datastore newDatastore();

  /** Compacts the store's history up to {@code revision} (exclusive of later revisions). */
  protected abstract void compact(Datastore store, Revision revision);

  /**
   * Makes {@code writer}, which granted {@code lease}, stop renewing it without revoking it, as if
   * the writer's process had died: the store must then expire the lease after its TTL.
   */
  protected abstract void stopKeepAlive(Datastore writer, Lease lease);

  /** Revokes {@code lease} behind its datastore's back, as another client of the store would. */
  protected abstract void revokeElsewhere(Lease lease);

  /**
   * True if two datastores made by {@link #newDatastore()} are clients of one store (etcd), so that
   * one sees what the other wrote; false if each is a store of its own (in memory).
   */
  protected boolean instancesShareOneStore() {
    return true;
  }

  /** The TTL the lease tests ask for: etcd's minimum (1.5 election timeouts) rounded up. */
  private static final Duration LEASE_TTL = Duration.ofSeconds(2);

  /** How long the store may take beyond a TTL to expire a lease (etcd checks twice a second). */
  private static final Duration EXPIRY_SLACK = Duration.ofSeconds(8);

  protected Datastore store;
  protected Key root;

  @BeforeEach
  void open() {
    store = newDatastore();
    root = Key.of("/calicoj-test/" + UUID.randomUUID() + "/");
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  private Key key(String name) {
    return root.child(name);
  }

  @Test
  void getOfAbsentKeyIsEmpty() {
    assertThat(store.get(key("nothing"))).isEmpty();
  }

  @Test
  void putThenGetReturnsValueAndRevision() {
    KeyValue written = store.put(key("a"), "{\"x\": 1}");
    assertThat(written.value()).isEqualTo("{\"x\": 1}");
    assertThat(store.get(key("a"))).contains(written);
  }

  @Test
  void valuesAreUtf8Strings() {
    String value = "héllo – 世界 \uD83D\uDE00";
    store.put(key("utf8"), value);
    assertThat(store.get(key("utf8")).orElseThrow().value()).isEqualTo(value);
  }

  @Test
  void revisionsStrictlyIncrease() {
    Revision r1 = store.put(key("a"), "1").revision();
    Revision r2 = store.put(key("a"), "2").revision();
    Revision r3 = store.create(key("b"), "3").revision();
    Revision r4 = store.update(key("b"), "4", r3).revision();
    assertThat(r2).isGreaterThan(r1);
    assertThat(r3).isGreaterThan(r2);
    assertThat(r4).isGreaterThan(r3);
  }

  @Test
  void createTwiceThrowsAlreadyExistsWithTheExistingRevision() {
    KeyValue first = store.create(key("c"), "1");
    assertThatThrownBy(() -> store.create(key("c"), "2"))
        .isInstanceOfSatisfying(
            ResourceAlreadyExistsException.class,
            e -> {
              assertThat(e.actual()).isEqualTo(first.revision());
              assertThat(e.key()).contains(key("c"));
              assertThat(e).hasMessageContaining(key("c").path());
            });
    assertThat(store.get(key("c")).orElseThrow().value()).isEqualTo("1");
  }

  @Test
  void updateWithCurrentRevisionSucceeds() {
    KeyValue v1 = store.create(key("u"), "1");
    KeyValue v2 = store.update(key("u"), "2", v1.revision());
    assertThat(store.get(key("u"))).contains(v2);
  }

  @Test
  void staleUpdateThrowsConflictWithExpectedAndActual() {
    KeyValue v1 = store.create(key("u"), "1");
    KeyValue v2 = store.update(key("u"), "2", v1.revision());
    assertThatThrownBy(() -> store.update(key("u"), "3", v1.revision()))
        .isInstanceOfSatisfying(
            RevisionConflictException.class,
            e -> {
              assertThat(e.expected()).isEqualTo(v1.revision());
              assertThat(e.actual()).isEqualTo(v2.revision());
            });
    assertThat(store.get(key("u")).orElseThrow().value()).isEqualTo("2");
  }

  @Test
  void updateOfMissingKeyThrowsNotFound() {
    Revision someRevision = store.put(key("other"), "x").revision();
    assertThatThrownBy(() -> store.update(key("missing"), "1", someRevision))
        .isInstanceOf(ResourceNotFoundException.class)
        .hasMessageContaining(key("missing").path());
    assertThat(store.get(key("missing"))).isEmpty();
  }

  @Test
  void compareAndDelete() {
    KeyValue v1 = store.create(key("d"), "1");
    KeyValue v2 = store.put(key("d"), "2");
    assertThatThrownBy(() -> store.delete(key("d"), v1.revision()))
        .isInstanceOfSatisfying(
            RevisionConflictException.class, e -> assertThat(e.actual()).isEqualTo(v2.revision()));
    assertThat(store.get(key("d"))).isPresent();
    Revision deleted = store.delete(key("d"), v2.revision());
    assertThat(deleted).isGreaterThan(v2.revision());
    assertThat(store.get(key("d"))).isEmpty();
    assertThatThrownBy(() -> store.delete(key("d"), v2.revision()))
        .isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void unconditionalDeleteIsIdempotent() {
    store.put(key("d"), "1");
    assertThat(store.delete(key("d"))).isTrue();
    assertThat(store.delete(key("d"))).isFalse();
    assertThat(store.get(key("d"))).isEmpty();
  }

  @Test
  void listReturnsOnlyThePrefixInKeyOrderAtOneRevision() {
    store.put(key("b"), "2");
    store.put(key("a"), "1");
    store.put(key("c/x"), "3");
    String base = root.path().substring(0, root.path().length() - 1);
    store.put(Key.of(base + "-sibling"), "no"); // shares the text before the final slash only
    Revision last = store.put(key("ab"), "4").revision();

    Snapshot snapshot = store.list(root);
    assertThat(snapshot.entries())
        .extracting(kv -> kv.key().path().substring(root.path().length()))
        .containsExactly("a", "ab", "b", "c/x");
    assertThat(snapshot.revision()).isGreaterThanOrEqualTo(last);
    assertThat(store.list(key("c/")).entries()).extracting(KeyValue::value).containsExactly("3");
    assertThat(store.list(key("zzz")).isEmpty()).isTrue();
  }

  @Test
  void listReadsManyEntriesConsistently() {
    int n = 1100; // more than one page of the etcd implementation
    for (int i = 0; i < n; i += 100) {
      Transaction.Builder txn = Transaction.builder();
      for (int j = i; j < i + 100; j++) {
        txn.put(key(String.format("many/%05d", j)), Integer.toString(j));
      }
      assertThat(store.commit(txn.build()).succeeded()).isTrue();
    }
    Snapshot snapshot = store.list(key("many/"));
    assertThat(snapshot.size()).isEqualTo(n);
    for (int i = 0; i < n; i++) {
      assertThat(snapshot.entries().get(i).value()).isEqualTo(Integer.toString(i));
    }
  }

  @Test
  void deletePrefixRemovesOnlyThatPrefix() {
    store.put(key("p/1"), "1");
    store.put(key("p/2"), "2");
    store.put(key("p/3/4"), "3");
    store.put(key("q"), "keep");
    assertThat(store.deletePrefix(key("p/"))).isEqualTo(3);
    assertThat(store.list(root).entries()).extracting(KeyValue::value).containsExactly("keep");
    assertThat(store.deletePrefix(key("p/"))).isZero();
  }

  @Test
  void transactionAppliesAllWritesAtOneRevision() {
    KeyValue block = store.create(key("block"), "v1");
    TxnResult result =
        store.commit(
            Transaction.builder()
                .guard(Guard.atRevision(key("block"), block.revision()))
                .guard(Guard.absent(key("affinity")))
                .put(key("block"), "v2")
                .put(key("affinity"), "")
                .build());
    assertThat(result.succeeded()).isTrue();
    assertThat(result.failedGuards()).isEmpty();
    assertThat(store.get(key("block")).orElseThrow())
        .isEqualTo(new KeyValue(key("block"), "v2", result.revision()));
    assertThat(store.get(key("affinity")).orElseThrow().revision()).isEqualTo(result.revision());
  }

  @Test
  void failedGuardLeavesNoPartialWriteAndReportsCurrentState() {
    KeyValue block = store.create(key("block"), "v1");
    KeyValue affinity = store.create(key("affinity"), "taken");
    KeyValue moved = store.put(key("block"), "v1b");
    TxnResult result =
        store.commit(
            Transaction.builder()
                .guard(Guard.atRevision(key("block"), block.revision())) // stale
                .guard(Guard.absent(key("affinity"))) // fails too
                .guard(Guard.absent(key("free"))) // holds
                .put(key("block"), "v2")
                .put(key("new"), "x")
                .delete(key("affinity"))
                .build());
    assertThat(result.succeeded()).isFalse();
    assertThat(result.failedGuards())
        .containsExactly(
            Guard.atRevision(key("block"), block.revision()), Guard.absent(key("affinity")));
    assertThat(result.current(key("block"))).contains(moved);
    assertThat(result.current(key("affinity"))).contains(affinity);
    assertThat(result.current(key("free"))).isEmpty();
    // Nothing was written.
    assertThat(store.get(key("block"))).contains(moved);
    assertThat(store.get(key("affinity"))).contains(affinity);
    assertThat(store.get(key("new"))).isEmpty();
  }

  @Test
  void prefixReadSeesTheTransactionsOwnWritesAndOthersUnderThePrefix() {
    store.put(key("wl/a/ep1"), "other");
    store.put(key("wl/ab"), "outside: the prefix is wl/a/");
    store.put(key("wl/a/ep3"), "deleted by the txn");
    TxnResult result =
        store.commit(
            Transaction.builder()
                .guard(Guard.absent(key("wl/a/ep2")))
                .put(key("wl/a/ep2"), "mine")
                .delete(key("wl/a/ep3"))
                .readPrefix(key("wl/a/"))
                .readPrefix(key("empty/"))
                .build());
    assertThat(result.succeeded()).isTrue();
    assertThat(result.read(key("wl/a/")))
        .extracting(KeyValue::key, KeyValue::value)
        .containsExactly(tuple(key("wl/a/ep1"), "other"), tuple(key("wl/a/ep2"), "mine"));
    assertThat(result.read(key("wl/a/")).get(1).revision()).isEqualTo(result.revision());
    assertThat(result.read(key("empty/"))).isEmpty();
    assertThatThrownBy(() -> result.read(key("never/")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(key("never/").path());
  }

  @Test
  void aReadOnlyTransactionReadsSeveralPrefixesAtOneRevisionAndWritesNothing() {
    store.put(key("ro/a"), "1");
    store.put(key("ro/ab"), "2");
    Revision before = store.put(key("ro/b"), "3").revision();
    TxnResult result =
        store.commit(
            Transaction.builder()
                .readPrefix(key("ro/a"))
                .readPrefix(key("ro/b"))
                .readPrefix(key("ro/none"))
                .build());
    assertThat(result.succeeded()).isTrue();
    assertThat(result.revision()).as("no write, no new revision").isEqualTo(before);
    assertThat(result.read(key("ro/a")))
        .extracting(KeyValue::key, KeyValue::value)
        .containsExactly(tuple(key("ro/a"), "1"), tuple(key("ro/ab"), "2"));
    assertThat(result.read(key("ro/b"))).extracting(KeyValue::value).containsExactly("3");
    assertThat(result.read(key("ro/none"))).isEmpty();
    assertThat(store.put(key("ro/c"), "4").revision().value()).isEqualTo(before.value() + 1);
  }

  @Test
  void prefixReadOfAFailedTransactionShowsTheStoreAsTheGuardsSawIt() {
    store.put(key("wl/b/ep1"), "there");
    TxnResult result =
        store.commit(
            Transaction.builder()
                .guard(Guard.absent(key("wl/b/ep1")))
                .put(key("wl/b/ep1"), "mine")
                .put(key("wl/b/ep2"), "mine too")
                .readPrefix(key("wl/b/"))
                .build());
    assertThat(result.succeeded()).isFalse();
    assertThat(result.current(key("wl/b/ep1"))).map(KeyValue::value).contains("there");
    assertThat(result.read(key("wl/b/"))).extracting(KeyValue::value).containsExactly("there");
  }

  @Test
  void transactionWithoutGuardsAlwaysApplies() {
    store.put(key("gone"), "x");
    TxnResult result =
        store.commit(Transaction.builder().put(key("t1"), "1").delete(key("gone")).build());
    assertThat(result.succeeded()).isTrue();
    assertThat(store.get(key("t1"))).isPresent();
    assertThat(store.get(key("gone"))).isEmpty();
  }

  @Test
  void transactionRejectsTheSameKeyTwice() {
    assertThatThrownBy(() -> Transaction.builder().put(key("x"), "1").delete(key("x")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(key("x").path());
  }

  @Test
  void watchFromSnapshotSeesLaterEventsInOrderAndNoneEarlier() throws Exception {
    store.put(key("w/before"), "old");
    Snapshot snapshot = store.list(key("w/"));
    BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
    try (WatchHandle watch = store.watch(key("w/"), snapshot.revision(), events::add)) {
      KeyValue a = store.put(key("w/a"), "1");
      KeyValue b = store.put(key("w/a"), "2");
      store.put(key("x-not-watched"), "no");
      Revision deleted = store.delete(key("w/a"), b.revision());
      TxnResult txn =
          store.commit(Transaction.builder().put(key("w/t1"), "t").put(key("w/t2"), "t").build());

      List<WatchEvent> got = take(events, 5);
      assertThat(got)
          .containsExactly(
              new WatchEvent.Put(a),
              new WatchEvent.Put(b),
              new WatchEvent.Delete(key("w/a"), deleted),
              new WatchEvent.Put(new KeyValue(key("w/t1"), "t", txn.revision())),
              new WatchEvent.Put(new KeyValue(key("w/t2"), "t", txn.revision())));
      assertThat(events.poll(300, TimeUnit.MILLISECONDS)).isNull();
      assertThat(watch.isActive()).isTrue();
    }
  }

  @Test
  void watchReplaysHistoryAfterTheGivenRevision() throws Exception {
    KeyValue a = store.put(key("h/a"), "1");
    KeyValue b = store.put(key("h/b"), "2");
    BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
    try (WatchHandle watch = store.watch(key("h/"), a.revision(), events::add)) {
      assertThat(take(events, 1)).containsExactly(new WatchEvent.Put(b));
      assertThat(watch.isActive()).isTrue();
    }
  }

  @Test
  void listThenWatchHasNoGapAndNoDuplicateUnderConcurrentWrites() throws Exception {
    Key prefix = key("lw/");
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService writer = Executors.newSingleThreadExecutor();
    CountDownLatch started = new CountDownLatch(20);
    Future<Integer> writes =
        writer.submit(
            () -> {
              int i = 0;
              while (!stop.get() && i < 400) {
                Key k = prefix.child("k" + (i % 7));
                if (i % 5 == 4) {
                  store.delete(k);
                } else {
                  store.put(k, Integer.toString(i));
                }
                started.countDown();
                i++;
              }
              return i;
            });
    assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
    Snapshot snapshot = store.list(prefix);
    BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
    try (WatchHandle watch = store.watch(prefix, snapshot.revision(), events::add)) {
      Thread.sleep(100);
      stop.set(true);
      writes.get(60, TimeUnit.SECONDS);
      writer.shutdown();
      Snapshot last = store.list(prefix);

      // Rebuild the final state from the snapshot plus the events up to the last snapshot.
      Map<Key, String> state = new TreeMap<>();
      snapshot.entries().forEach(kv -> state.put(kv.key(), kv.value()));
      Revision previous = snapshot.revision();
      while (previous.compareTo(last.revision()) < 0) {
        WatchEvent e = events.poll(30, TimeUnit.SECONDS);
        assertThat(e).as("event after revision %s", previous).isNotNull();
        assertThat(e.revision()).isGreaterThan(snapshot.revision());
        assertThat(e.revision()).isGreaterThanOrEqualTo(previous);
        previous = e.revision();
        if (e instanceof WatchEvent.Put put) {
          state.put(put.key(), put.current().value());
        } else {
          state.remove(e.key());
        }
      }
      Map<Key, String> expected = new TreeMap<>();
      last.entries().forEach(kv -> expected.put(kv.key(), kv.value()));
      assertThat(state).isEqualTo(expected);
      assertThat(watch.isActive()).isTrue();
    }
  }

  @Test
  void closedWatchDeliversNothingMore() throws Exception {
    BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
    Revision start = store.put(key("c/start"), "x").revision();
    WatchHandle watch = store.watch(key("c/"), start, events::add);
    store.put(key("c/1"), "1");
    assertThat(take(events, 1)).hasSize(1);
    watch.close();
    watch.close(); // idempotent
    assertThat(watch.isActive()).isFalse();
    store.put(key("c/2"), "2");
    assertThat(events.poll(500, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void watchFromCompactedRevisionThrows() {
    Revision old = store.put(key("old"), "1").revision();
    store.put(key("old"), "2");
    Revision latest = store.put(key("old"), "3").revision();
    compact(store, latest);
    assertThatThrownBy(() -> store.watch(root, old, e -> {}))
        .isInstanceOf(RevisionCompactedException.class);
    // Watching from a revision that is still kept works.
    store.watch(root, latest, e -> {}).close();
  }

  @Test
  void concurrentCasIncrementsNeverLoseAnUpdate() throws Exception {
    Key counter = key("counter");
    store.create(counter, "0");
    int attemptsPerThread = 25;
    List<Integer> successes =
        Race.run(
            8,
            t ->
                () -> {
                  int won = 0;
                  for (int i = 0; i < attemptsPerThread; i++) {
                    KeyValue current = store.get(counter).orElseThrow();
                    int next = Integer.parseInt(current.value()) + 1;
                    try {
                      store.update(counter, Integer.toString(next), current.revision());
                      won++;
                    } catch (RevisionConflictException e) {
                      // lost the race: allowed, not counted
                    }
                  }
                  return won;
                },
            Duration.ofSeconds(90));
    int total = successes.stream().mapToInt(Integer::intValue).sum();
    assertThat(total).isPositive();
    assertThat(Integer.parseInt(store.get(counter).orElseThrow().value())).isEqualTo(total);
  }

  @Test
  void concurrentCreatesHaveExactlyOneWinner() throws Exception {
    Key k = key("once");
    List<Boolean> won =
        Race.run(
            16,
            t ->
                () -> {
                  try {
                    store.create(k, "t" + t);
                    return true;
                  } catch (ResourceAlreadyExistsException e) {
                    return false;
                  }
                },
            Duration.ofSeconds(60));
    assertThat(won).containsOnlyOnce(true);
  }

  @Test
  void callsAfterCloseThrowIllegalState() {
    store.close();
    store.close(); // idempotent, never throws
    assertThatThrownBy(() -> store.get(key("x"))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.put(key("x"), "1")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.list(root)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void closingTheDatastoreEndsItsWatches() {
    Revision start = store.put(key("e"), "x").revision();
    WatchHandle watch = store.watch(root, start, e -> {});
    store.close();
    assertThat(watch.isActive()).isFalse();
  }

  @Test
  void nullArgumentsAreRejectedWithTheirName() {
    assertThatThrownBy(() -> store.get(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> store.put(key("a"), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("value");
  }

  // ------------------------------------------------------------------ leases

  @Test
  void aLeasedKeyOutlivesItsTtlWhileItsWriterKeepsTheLeaseAlive() throws Exception {
    try (Lease lease = store.grantLease(LEASE_TTL)) {
      assertThat(lease.ttl()).isGreaterThanOrEqualTo(LEASE_TTL);
      KeyValue kv = store.put(key("kept"), "alive", lease);
      Thread.sleep(lease.ttl().multipliedBy(5).dividedBy(2).toMillis());
      assertThat(store.get(key("kept"))).contains(kv);
      assertThat(lease.isActive()).isTrue();
    }
  }

  @Test
  void aLeasedKeyVanishesOnceItsWriterStopsRenewingAndTheWatchSeesIt() throws Exception {
    Lease lease = store.grantLease(LEASE_TTL);
    KeyValue kv = store.put(key("ephemeral"), "x", lease);
    BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
    try (WatchHandle watch = store.watch(key("ephemeral"), kv.revision(), events::add)) {
      stopKeepAlive(store, lease);
      assertThat(store.get(key("ephemeral"))).as("not gone before its TTL").contains(kv);
      WatchEvent e = events.poll(lease.ttl().plus(EXPIRY_SLACK).toMillis(), TimeUnit.MILLISECONDS);
      assertThat(e)
          .isInstanceOfSatisfying(
              WatchEvent.Delete.class, d -> assertThat(d.key()).isEqualTo(key("ephemeral")));
      assertThat(store.get(key("ephemeral"))).isEmpty();
      assertThat(watch.isActive()).isTrue();
    } finally {
      lease.close();
    }
  }

  @Test
  void closingALeaseDeletesItsKeysAtOnceAtOneRevision() throws Exception {
    Lease lease = store.grantLease(LEASE_TTL);
    KeyValue a = store.put(key("l/a"), "1", lease);
    TxnResult txn =
        store.commit(
            Transaction.builder()
                .guard(Guard.absent(key("l/b")))
                .put(key("l/b"), "2", lease)
                .put(key("l/free"), "3")
                .build());
    assertThat(txn.succeeded()).isTrue();
    BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
    try (WatchHandle watch = store.watch(key("l/"), a.revision(), events::add)) {
      assertThat(take(events, 2)).hasSize(2); // the transaction's two puts
      lease.close();
      assertThat(lease.isActive()).isFalse();
      assertThat(store.get(key("l/a"))).isEmpty();
      assertThat(store.get(key("l/b"))).isEmpty();
      assertThat(store.get(key("l/free"))).map(KeyValue::value).contains("3");
      List<WatchEvent> deletes = take(events, 2);
      assertThat(deletes)
          .allSatisfy(e -> assertThat(e).isInstanceOf(WatchEvent.Delete.class))
          .extracting(WatchEvent::key)
          .containsExactlyInAnyOrder(key("l/a"), key("l/b"));
      assertThat(deletes.get(0).revision()).isEqualTo(deletes.get(1).revision());
      assertThat(watch.isActive()).isTrue();
    }
    lease.close(); // idempotent
    assertThatThrownBy(() -> store.put(key("l/c"), "4", lease))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(
            () -> store.commit(Transaction.builder().put(key("l/c"), "4", lease).build()))
        .isInstanceOf(IllegalStateException.class);
    assertThat(store.get(key("l/c"))).isEmpty();
  }

  @Test
  void aLeaseRevokedElsewhereIsReportedLostAndRefusesWrites() throws Exception {
    BlockingQueue<Lease> lost = new LinkedBlockingQueue<>();
    Lease lease = store.grantLease(LEASE_TTL, lost::add);
    store.put(key("revoked"), "x", lease);
    revokeElsewhere(lease);
    assertThat(store.get(key("revoked"))).isEmpty();
    // The next renewal, at most a third of the TTL away, finds the lease gone.
    assertThat(lost.poll(lease.ttl().plus(EXPIRY_SLACK).toMillis(), TimeUnit.MILLISECONDS))
        .isSameAs(lease);
    assertThat(lease.isActive()).isFalse();
    assertThatThrownBy(() -> store.put(key("revoked"), "y", lease))
        .isInstanceOfSatisfying(
            LeaseExpiredException.class, e -> assertThat(e.leaseId()).isEqualTo(lease.id()));
    assertThat(store.get(key("revoked"))).isEmpty();
    lease.close(); // closing a lost lease is harmless
    assertThat(lost.poll(300, TimeUnit.MILLISECONDS)).as("reported once").isNull();
  }

  @Test
  void closingTheDatastoreRevokesTheLeasesItGranted() {
    Datastore writer = newDatastore();
    AtomicInteger lostCalls = new AtomicInteger();
    Lease lease = writer.grantLease(LEASE_TTL, l -> lostCalls.incrementAndGet());
    writer.put(key("owned"), "x", lease);
    writer.close();
    assertThat(lease.isActive()).isFalse();
    assertThat(lostCalls).as("closed, not lost").hasValue(0);
    if (instancesShareOneStore()) {
      assertThat(store.get(key("owned"))).isEmpty();
    }
  }

  @Test
  void aPlainWriteDetachesAKeyFromItsLease() {
    Lease lease = store.grantLease(LEASE_TTL);
    store.put(key("detached"), "leased", lease);
    KeyValue plain = store.put(key("detached"), "plain");
    lease.close();
    assertThat(store.get(key("detached"))).contains(plain);
  }

  @Test
  void leaseArgumentsAreChecked() {
    assertThatThrownBy(() -> store.grantLease(Duration.ofMillis(999)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PT0.999S");
    assertThatThrownBy(() -> store.grantLease(null)).isInstanceOf(NullPointerException.class);
    try (Lease lease = store.grantLease(Duration.ofMillis(2500))) {
      assertThat(lease.ttl()).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
      assertThat(lease.ttl().toNanos() % 1_000_000_000L).as("whole seconds").isZero();
    }
    try (Datastore other = newDatastore();
        Lease foreign = other.grantLease(LEASE_TTL)) {
      assertThatThrownBy(() -> store.put(key("foreign"), "x", foreign))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("another datastore");
    }
  }

  /** Takes exactly {@code n} events, waiting a bounded time for each. */
  protected static List<WatchEvent> take(BlockingQueue<WatchEvent> events, int n)
      throws InterruptedException {
    List<WatchEvent> got = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      WatchEvent e = events.poll(20, TimeUnit.SECONDS);
      assertThat(e).as("event %s of %s (got %s)", i + 1, n, got).isNotNull();
      got.add(e);
    }
    return got;
  }
}
