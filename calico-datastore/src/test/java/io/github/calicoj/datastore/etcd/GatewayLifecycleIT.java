package io.github.calicoj.datastore.etcd;

/** {@link EtcdLifecycleCases} with the gateway client. */
class GatewayLifecycleIT extends EtcdLifecycleCases {
  @Override
  protected EtcdClientKind kind() {
    return EtcdClientKind.GATEWAY;
  }
}
