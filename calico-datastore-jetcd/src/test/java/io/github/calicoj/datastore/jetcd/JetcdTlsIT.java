package io.github.calicoj.datastore.jetcd;

import io.github.calicoj.datastore.etcd.EtcdClientKind;
import io.github.calicoj.datastore.etcd.EtcdTlsCases;

/** {@link EtcdTlsCases} with the jetcd client. */
class JetcdTlsIT extends EtcdTlsCases {
  @Override
  protected EtcdClientKind kind() {
    return EtcdClientKind.JETCD;
  }
}
