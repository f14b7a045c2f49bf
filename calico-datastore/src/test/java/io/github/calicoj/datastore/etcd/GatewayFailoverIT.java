package io.github.calicoj.datastore.etcd;

/** {@link EtcdFailoverCases} with the gateway client. */
class GatewayFailoverIT extends EtcdFailoverCases {
  @Override
  protected EtcdClientKind kind() {
    return EtcdClientKind.GATEWAY;
  }
}
