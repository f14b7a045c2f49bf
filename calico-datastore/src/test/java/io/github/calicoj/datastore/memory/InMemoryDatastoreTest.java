package io.github.calicoj.datastore.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.DatastoreContractTest;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.Lease;
import io.github.calicoj.datastore.Revision;
import io.github.calicoj.datastore.RevisionCompactedException;
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
