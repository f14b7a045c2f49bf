package io.github.calicoj.datastore.jetcd;

import io.github.calicoj.datastore.etcd.EtcdClientKind;
import io.github.calicoj.datastore.etcd.EtcdCloseCases;

/** {@link EtcdCloseCases} with the jetcd client. */
class JetcdCloseIT extends EtcdCloseCases {
  @Override
  protected EtcdClientKind kind() {
    return EtcdClientKind.JETCD;
  }
}
