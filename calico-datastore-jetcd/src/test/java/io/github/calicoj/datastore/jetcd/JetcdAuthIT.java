package io.github.calicoj.datastore.jetcd;

import io.github.calicoj.datastore.etcd.EtcdAuthCases;
import io.github.calicoj.datastore.etcd.EtcdClientKind;

/** {@link EtcdAuthCases} with the jetcd client. */
class JetcdAuthIT extends EtcdAuthCases {
  @Override
  protected EtcdClientKind kind() {
    return EtcdClientKind.JETCD;
  }
}
