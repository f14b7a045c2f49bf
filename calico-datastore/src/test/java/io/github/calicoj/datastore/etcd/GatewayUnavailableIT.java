package io.github.calicoj.datastore.etcd;

/** {@link EtcdUnavailableCases} with the gateway client. */
class GatewayUnavailableIT extends EtcdUnavailableCases {
  @Override
  protected EtcdClientKind kind() {
    return EtcdClientKind.GATEWAY;
  }
}
