package io.github.calicoj.datastore.jetcd;

import io.github.calicoj.datastore.etcd.EtcdClientKind;
import io.github.calicoj.datastore.etcd.EtcdLeaseCases;

/** {@link EtcdLeaseCases} with the jetcd client. */
class JetcdLeaseIT extends EtcdLeaseCases {
  @Override
  protected EtcdClientKind kind() {
    return EtcdClientKind.JETCD;
  }
}
