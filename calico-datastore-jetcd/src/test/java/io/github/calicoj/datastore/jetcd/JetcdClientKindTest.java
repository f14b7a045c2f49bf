package io.github.calicoj.datastore.jetcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.etcd.EtcdClientKind;
import org.junit.jupiter.api.Test;

/**
 * With this artifact on the class path, {@link EtcdClientKind#JETCD} builds {@link EtcdDatastore}.
 */
class JetcdClientKindTest {

  @Test
  void theJetcdKindBuildsTheJetcdClient() {
    assertThat(EtcdClientKind.JETCD.isAvailable()).isTrue();
    try (Datastore store =
        EtcdClientKind.JETCD.builder().endpoints("http://127.0.0.1:2379").build()) {
      assertThat(store).isInstanceOf(EtcdDatastore.class);
    }
  }
}
