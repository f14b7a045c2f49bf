package io.github.calicoj.datastore.jetcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Lease;
import io.github.calicoj.datastore.etcd.EtcdClientKind;
import io.github.calicoj.datastore.etcd.EtcdContractCases;
import io.github.calicoj.datastore.etcd.EtcdTestClients;
import org.junit.jupiter.api.Test;

/**
 * The contract suite against one real etcd member through {@link EtcdDatastore}, cross-checked
 * against the gateway client.
 */
class EtcdDatastoreIT extends EtcdContractCases {
  @Override
  protected EtcdClientKind kind() {
    return EtcdClientKind.JETCD;
  }

  @Override
  protected void stopKeepAlive(Datastore writer, Lease lease) {
    ((EtcdDatastore) writer).stopKeepAlive(lease);
  }

  @Test
  void theGatewayClientReadsWhatJetcdWroteVerbatim() {
    Key k = root.child("cross");
    KeyValue written = store.put(k, "{\"x\": \"h\u00e9 \u4e16\"}");
    try (Datastore gateway = EtcdTestClients.connect(EtcdClientKind.GATEWAY, ETCD.endpoints())) {
      assertThat(gateway.get(k)).contains(written);
    }
  }
}
