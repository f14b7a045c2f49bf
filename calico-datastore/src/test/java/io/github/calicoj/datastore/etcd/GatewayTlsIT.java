package io.github.calicoj.datastore.etcd;

/** {@link EtcdTlsCases} with the gateway client. */
class GatewayTlsIT extends EtcdTlsCases {
  @Override
  protected EtcdClientKind kind() {
    return EtcdClientKind.GATEWAY;
  }
}
