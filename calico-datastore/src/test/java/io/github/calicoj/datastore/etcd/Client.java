package io.github.calicoj.datastore.etcd;

import io.github.calicoj.datastore.Datastore;
import java.util.function.Consumer;

/** The two etcd datastores, for tests that run the same checks against both. */
enum Client {
  /** {@link EtcdDatastore}, on jetcd and gRPC. */
  JETCD,
  /** {@link EtcdGatewayDatastore}, on etcd's JSON gateway. */
  GATEWAY;

  /** Builds this client from settings applied to its builder. */
  Datastore build(Consumer<EtcdSettings<?>> settings) {
    if (this == JETCD) {
      EtcdDatastore.Builder b = EtcdDatastore.builder();
      settings.accept(b);
      return b.build();
    }
    EtcdGatewayDatastore.Builder b = EtcdGatewayDatastore.builder();
    settings.accept(b);
    return b.build();
  }
}
