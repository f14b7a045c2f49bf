package io.github.calicoj.datastore.etcd;

/** {@link EtcdLeaseCases} with the gateway client. */
class GatewayLeaseIT extends EtcdLeaseCases {
  @Override
  protected EtcdClientKind kind() {
    return EtcdClientKind.GATEWAY;
  }
}
