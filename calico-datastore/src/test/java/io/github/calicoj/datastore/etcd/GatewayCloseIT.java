package io.github.calicoj.datastore.etcd;

/** {@link EtcdCloseCases} with the gateway client. */
class GatewayCloseIT extends EtcdCloseCases {
  @Override
  protected EtcdClientKind kind() {
    return EtcdClientKind.GATEWAY;
  }
}
