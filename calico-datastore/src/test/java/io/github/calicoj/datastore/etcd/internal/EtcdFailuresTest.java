package io.github.calicoj.datastore.etcd.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.calicoj.datastore.DatastoreException;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.RevisionCompactedException;
import org.junit.jupiter.api.Test;

class EtcdFailuresTest {
  private static final Key KEY = Key.of("/calico/v1/x");

  /** etcd's answers to a read at a revision, as both clients turn them into exceptions. */
  private static DatastoreException outOfRange(String description) {
    return EtcdFailures.toException(11, description, "watch", KEY, false, "127.0.0.1:2379", null);
  }

  @Test
  void aFutureRevisionIsToldApartFromACompactedOne() {
    DatastoreException future =
        outOfRange("etcdserver: mvcc: required revision is a future revision");
    DatastoreException compacted =
        outOfRange("etcdserver: mvcc: required revision has been compacted");

    assertThat(compacted).isInstanceOf(RevisionCompactedException.class);
    assertThat(EtcdFailures.isFutureRevision(future)).isTrue();
    assertThat(EtcdFailures.isFutureRevision(compacted)).isFalse();
    assertThat(EtcdFailures.isFutureRevision(outOfRange("etcdserver: something else"))).isFalse();
    assertThat(EtcdFailures.isFutureRevision(new DatastoreException("no message text", KEY, null)))
        .isFalse();
  }

  @Test
  void checkNotCompactedSwallowsOnlyAFutureRevision() {
    DatastoreException future =
        outOfRange("etcdserver: mvcc: required revision is a future revision");
    DatastoreException compacted =
        outOfRange("etcdserver: mvcc: required revision has been compacted");
    DatastoreException other =
        EtcdFailures.toException(7, "permission denied", "watch", KEY, false, "here", null);

    assertThatCode(() -> EtcdFailures.checkNotCompacted(() -> {})).doesNotThrowAnyException();
    assertThatCode(
            () ->
                EtcdFailures.checkNotCompacted(
                    () -> {
                      throw future;
                    }))
        .doesNotThrowAnyException();
    assertThatThrownBy(
            () ->
                EtcdFailures.checkNotCompacted(
                    () -> {
                      throw compacted;
                    }))
        .isSameAs(compacted);
    assertThatThrownBy(
            () ->
                EtcdFailures.checkNotCompacted(
                    () -> {
                      throw other;
                    }))
        .isSameAs(other);
  }

  @Test
  void anInvalidAuthTokenIsRecognisedByEtcdsText() {
    assertThat(EtcdFailures.isInvalidAuthToken("etcdserver: invalid auth token")).isTrue();
    assertThat(
            EtcdFailures.isInvalidAuthToken(
                "watch /calico/v1/ failed: UNKNOWN etcdserver: invalid auth token (127.0.0.1:2379)"))
        .isTrue();
    assertThat(EtcdFailures.isInvalidAuthToken("etcdserver: permission denied")).isFalse();
    assertThat(EtcdFailures.isInvalidAuthToken("")).isFalse();
    assertThat(EtcdFailures.isInvalidAuthToken(null)).isFalse();
  }
}
