package io.github.calicoj.datastore.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.DatastoreTimeoutException;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.testkit.EtcdCluster;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@link EtcdFailoverCases} with the gateway client, and its own way of leaving a stalled member:
 * the call that timed out on it moves the client to the next member.
 */
class GatewayFailoverIT extends EtcdFailoverCases {
  @Override
  protected EtcdClientKind kind() {
    return EtcdClientKind.GATEWAY;
  }

  @Test
  void aCallThatTimedOutOnAStalledMemberSendsTheNextOneElsewhere() {
    EtcdCluster cluster = ETCD.cluster();
    EtcdCluster.Member first = cluster.members().get(0); // the client's first choice
    Key k = Key.of("/calicoj-test/failover/stalled-first");
    try (Datastore store =
        EtcdTestClients.build(
            kind(), b -> b.endpoints(ETCD.endpoints()).requestTimeout(Duration.ofSeconds(2)))) {
      store.put(k, "before");
      cluster.pause(first);
      try {
        assertThatThrownBy(() -> store.get(k)).isInstanceOf(DatastoreTimeoutException.class);
        // If the stalled member led, the others elect a new leader within a few seconds.
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String value = null;
        while (value == null && System.nanoTime() - deadline < 0) {
          try {
            value = store.get(k).orElseThrow().value();
          } catch (DatastoreTimeoutException e) {
            // an election still under way
          }
        }
        assertThat(value).isEqualTo("before");
      } finally {
        cluster.resume(first);
      }
    }
  }
}
