package io.github.calicoj.datastore.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.DatastoreContractTest;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.Lease;
import io.github.calicoj.datastore.Revision;
import io.github.calicoj.testkit.EtcdExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The contract suite against one real etcd member through {@link EtcdGatewayDatastore}, read back
 * with etcdctl (the jetcd artifact's tests cross-check the two clients).
 */
class EtcdGatewayDatastoreIT extends DatastoreContractTest {

  @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.single();

  @Override
  protected Datastore newDatastore() {
    return EtcdTestClients.connect(EtcdClientKind.GATEWAY, ETCD.endpoints());
  }

  @Override
  protected void compact(Datastore store, Revision revision) {
    ETCD.cluster().etcdctl("compact", Long.toString(revision.value()));
  }

  @Override
  protected void stopKeepAlive(Datastore writer, Lease lease) {
    ((EtcdGatewayDatastore) writer).stopKeepAlive(lease);
  }

  @Override
  protected void revokeElsewhere(Lease lease) {
    ETCD.cluster().etcdctl("lease", "revoke", Long.toHexString(lease.id()));
  }

  @Test
  void writesAreVisibleToEtcdctlVerbatim() {
    Key k = root.child("verbatim");
    String json =
        "{\"state\": \"active\", \"name\": \"cali0123456789a\", \"x\": \"h\u00e9 \u4e16\"}";
    store.put(k, json);
    assertThat(ETCD.cluster().etcdctl("get", k.path(), "--print-value-only").trim())
        .isEqualTo(json);
  }

  @Test
  void revisionsAreEtcdModRevisions() {
    Key k = root.child("rev");
    Revision r = store.put(k, "x").revision();
    assertThat(ETCD.cluster().etcdctl("get", k.path(), "-w", "json"))
        .contains("\"mod_revision\":" + r.value());
  }
}
