package io.github.calicoj.datastore.etcd;

import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Lease;

/**
 * The contract suite against one real etcd member through {@link EtcdGatewayDatastore} (the jetcd
 * artifact's tests cross-check the two clients).
 */
class EtcdGatewayDatastoreIT extends EtcdContractCases {
  @Override
  protected EtcdClientKind kind() {
    return EtcdClientKind.GATEWAY;
  }

  @Override
  protected void stopKeepAlive(Datastore writer, Lease lease) {
    ((EtcdGatewayDatastore) writer).stopKeepAlive(lease);
  }
}
