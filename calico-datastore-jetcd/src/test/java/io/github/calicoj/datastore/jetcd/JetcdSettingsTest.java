package io.github.calicoj.datastore.jetcd;

import io.github.calicoj.datastore.etcd.EtcdClientKind;
import io.github.calicoj.datastore.etcd.EtcdSettingsCases;

/** {@link EtcdSettingsCases} with the jetcd client. */
class JetcdSettingsTest extends EtcdSettingsCases {
  @Override
  protected EtcdClientKind kind() {
    return EtcdClientKind.JETCD;
  }
}
