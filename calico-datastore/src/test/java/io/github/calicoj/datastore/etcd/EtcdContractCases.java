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
 * The contract suite against one real etcd member, for one etcd client, with what etcd stores read
 * back by etcdctl. A subclass names the client and stops a lease's keep-alive (a package-private
 * seam of each client).
 */
public abstract class EtcdContractCases extends DatastoreContractTest {
  @RegisterExtension protected static final EtcdExtension ETCD = EtcdExtension.single();

  /** The client these cases run against. */
  protected abstract EtcdClientKind kind();

  @Override
  protected Datastore newDatastore() {
    return EtcdTestClients.connect(kind(), ETCD.endpoints());
  }

  @Override
  protected void compact(Datastore store, Revision revision) {
    ETCD.cluster().etcdctl("compact", Long.toString(revision.value()));
  }

  @Override
  protected void revokeElsewhere(Lease lease) {
    ETCD.cluster().etcdctl("lease", "revoke", Long.toHexString(lease.id()));
  }

  @Test
  public void writesAreVisibleToEtcdctlVerbatim() {
    Key k = root.child("verbatim");
    String json =
        "{\"state\": \"active\", \"name\": \"cali0123456789a\", \"x\": \"h\u00e9 \u4e16\"}";
    store.put(k, json);
    assertThat(ETCD.cluster().value(k.path())).isEqualTo(json);
  }

  @Test
  public void revisionsAreEtcdModRevisions() {
    Key k = root.child("rev");
    Revision r = store.put(k, "x").revision();
    assertThat(ETCD.cluster().etcdctl("get", k.path(), "-w", "json"))
        .contains("\"mod_revision\":" + r.value());
  }
}
