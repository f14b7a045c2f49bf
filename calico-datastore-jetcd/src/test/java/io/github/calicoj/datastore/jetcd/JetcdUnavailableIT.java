package io.github.calicoj.datastore.jetcd;

import io.github.calicoj.datastore.etcd.EtcdClientKind;
import io.github.calicoj.datastore.etcd.EtcdUnavailableCases;

/** {@link EtcdUnavailableCases} with the jetcd client. */
class JetcdUnavailableIT extends EtcdUnavailableCases {
  @Override
  protected EtcdClientKind kind() {
    return EtcdClientKind.JETCD;
  }
}
