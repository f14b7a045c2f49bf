package io.github.calicoj.datastore.jetcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.DatastoreContractTest;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Lease;
import io.github.calicoj.datastore.Revision;
import io.github.calicoj.datastore.etcd.EtcdClientKind;
import io.github.calicoj.datastore.etcd.EtcdTestClients;
import io.github.calicoj.testkit.EtcdExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The contract suite against one real etcd member through {@link EtcdDatastore}, read back with
 * etcdctl where it matters and cross-checked against the gateway client.
 */
class EtcdDatastoreIT extends DatastoreContractTest {

  @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.single();

  @Override
  protected Datastore newDatastore() {
    return EtcdTestClients.connect(EtcdClientKind.JETCD, ETCD.endpoints());
  }

  @Override
  protected void compact(Datastore store, Revision revision) {
    ETCD.cluster().etcdctl("compact", Long.toString(revision.value()));
  }

  @Override
  protected void stopKeepAlive(Datastore writer, Lease lease) {
    ((EtcdDatastore) writer).stopKeepAlive(lease);
  }

  @Override
  protected void revokeElsewhere(Lease lease) {
    ETCD.cluster().etcdctl("lease", "revoke", Long.toHexString(lease.id()));
  }

  @Test
  void writesAreVisibleToEtcdctlVerbatim() {
    Key k = root.child("verbatim");
    String json =
        "{\"state\":\"active\",\"name\":\"cali0123456789a\",\"ipv4_nets\":[\"10.0.0.1/32\"]}";
    store.put(k, json);
    String out = ETCD.cluster().etcdctl("get", k.path(), "--print-value-only").trim();
    assertThat(out).isEqualTo(json);
  }

  @Test
  void revisionsAreEtcdModRevisions() {
    Key k = root.child("rev");
    Revision r = store.put(k, "x").revision();
    String json = ETCD.cluster().etcdctl("get", k.path(), "-w", "json");
    assertThat(json).contains("\"mod_revision\":" + r.value());
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
