package io.github.calicoj.datastore.jetcd;

import io.github.calicoj.datastore.etcd.EtcdClientKind;
import io.github.calicoj.datastore.etcd.EtcdFailoverCases;

/** {@link EtcdFailoverCases} with the jetcd client. */
class JetcdFailoverIT extends EtcdFailoverCases {
  @Override
  protected EtcdClientKind kind() {
    return EtcdClientKind.JETCD;
  }
}
