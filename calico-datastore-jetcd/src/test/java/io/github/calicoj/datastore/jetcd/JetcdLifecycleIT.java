package io.github.calicoj.datastore.jetcd;

import io.github.calicoj.datastore.etcd.EtcdClientKind;
import io.github.calicoj.datastore.etcd.EtcdLifecycleCases;

/** {@link EtcdLifecycleCases} with the jetcd client. */
class JetcdLifecycleIT extends EtcdLifecycleCases {
  @Override
  protected EtcdClientKind kind() {
    return EtcdClientKind.JETCD;
  }
}
