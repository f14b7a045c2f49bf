package io.github.calicoj.datastore.etcd;

/** {@link EtcdAuthCases} with the gateway client. */
class GatewayAuthIT extends EtcdAuthCases {
  @Override
  protected EtcdClientKind kind() {
    return EtcdClientKind.GATEWAY;
  }
}
