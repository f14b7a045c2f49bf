package io.github.calicoj.datastore.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.DatastoreContractTest;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.Lease;
import io.github.calicoj.datastore.Revision;
import io.github.calicoj.datastore.RevisionCompactedException;
import io.github.calicoj.datastore.WatchHandle;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** The contract suite on {@link InMemoryDatastore}, plus its own history handling. */
class InMemoryDatastoreTest extends DatastoreContractTest {

  @Override
  protected Datastore newDatastore() {
    return InMemoryDatastore.create();
  }

  @Override
  protected void compact(Datastore store, Revision revision) {
    ((InMemoryDatastore) store).compact(revision);
  }

  @Override
  protected void stopKeepAlive(Datastore writer, Lease lease) {
    ((InMemoryDatastore) writer).stopKeepAlive(lease);
  }

  @Override
  protected void revokeElsewhere(Lease lease) {
    ((InMemoryDatastore) store).revokeElsewhere(lease);
  }

  @Override
  protected boolean instancesShareOneStore() {
    return false;
  }

  @Test
  void emptyStoreStartsAtRevisionOneLikeEtcd() {
    try (InMemoryDatastore fresh = InMemoryDatastore.create()) {
      assertThat(fresh.currentRevision()).isEqualTo(Revision.of(1));
      assertThat(fresh.put(Key.of("/a"), "1").revision()).isEqualTo(Revision.of(2));
      assertThat(fresh.delete(Key.of("/nothing"))).isFalse();
      assertThat(fresh.currentRevision()).isEqualTo(Revision.of(2));
    }
  }

  @Test
  void aClosedWatchHasNoThreadLeftEvenWhileItsListenerIsBusy() throws Exception {
    try (InMemoryDatastore store = InMemoryDatastore.create()) {
      CountDownLatch entered = new CountDownLatch(1);
      Set<Thread> seen = ConcurrentHashMap.newKeySet();
      WatchHandle watch =
          store.watch(
              Key.of("/w/"),
              store.currentRevision(),
              e -> {
                seen.add(Thread.currentThread());
                entered.countDown();
                LockSupport.parkNanos(200_000_000L); // a slow listener, still in its call
              });
      store.put(Key.of("/w/a"), "1");
      store.put(Key.of("/w/b"), "2");
      assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
      watch.close();
      assertThat(seen).hasSize(1);
      assertThat(seen.iterator().next().isAlive()).as("the watch's thread after close").isFalse();
      assertThat(watch.isActive()).isFalse();
    }
  }

  @Test
  void aWatchWhoseThreadAListenerLeftInterruptedEndsVisibly() throws Exception {
    try (InMemoryDatastore store = InMemoryDatastore.create()) {
      CountDownLatch called = new CountDownLatch(1);
      WatchHandle watch =
          store.watch(
              Key.of("/w/"),
              store.currentRevision(),
              e -> {
                Thread.currentThread().interrupt(); // "restores the flag" and returns
                called.countDown();
              });
      store.put(Key.of("/w/a"), "1");
      assertThat(called.await(5, TimeUnit.SECONDS)).isTrue();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (watch.isActive() && System.nanoTime() < deadline) {
        LockSupport.parkNanos(1_000_000L);
      }
      assertThat(watch.isActive()).as("a watch whose thread ended").isFalse();
      watch.close(); // still idempotent
    }
  }

  @Test
  void historyBeyondTheLimitIsCompactedAutomatically() {
    try (InMemoryDatastore small = InMemoryDatastore.builder().historyLimit(10).build()) {
      for (int i = 0; i < 30; i++) {
        small.put(Key.of("/k"), Integer.toString(i));
      }
      assertThatThrownBy(() -> small.watch(Key.of("/"), Revision.of(2), e -> {}))
          .isInstanceOf(RevisionCompactedException.class);
      small.watch(Key.of("/"), small.currentRevision(), e -> {}).close();
    }
  }

  @Test
  void compactPastTheCurrentRevisionIsACallerError() {
    try (InMemoryDatastore fresh = InMemoryDatastore.create()) {
      assertThatThrownBy(() -> fresh.compact(Revision.of(5)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("5");
    }
  }
}
