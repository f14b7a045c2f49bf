package io.github.calicoj.datastore.etcd;

/** {@link EtcdSettingsCases} with the gateway client. */
class GatewaySettingsTest extends EtcdSettingsCases {
  @Override
  protected EtcdClientKind kind() {
    return EtcdClientKind.GATEWAY;
  }
}
