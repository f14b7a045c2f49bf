package io.github.calicoj.datastore.etcd;

import static io.github.calicoj.datastore.etcd.GatewayJson.object;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.calicoj.datastore.LeaseExpiredException;
import io.github.calicoj.datastore.etcd.GatewayTransport.Kind;
import io.github.calicoj.datastore.etcd.internal.LeaseKeeper;

/**
 * The gateway client's lease renewals and revokes, for the shared lease keeper: one {@code
 * /v3/lease/keepalive} or {@code /v3/lease/revoke} request each, by its deadline.
 */
final class GatewayLeaseCalls implements LeaseKeeper.Calls {
  private final GatewayTransport transport;

  GatewayLeaseCalls(GatewayTransport transport) {
    this.transport = transport;
  }

  @Override
  public long renew(long id, long deadline) {
    // A keep-alive is a stream in etcd; the gateway ends it once our one request is answered.
    JsonNode r =
        transport.call(
            "/v3/lease/keepalive",
            object().put("ID", Long.toString(id)),
            "renew lease " + Long.toHexString(id),
            null,
            Kind.IDEMPOTENT_WRITE,
            deadline);
    return r.path("result").path("TTL").asLong(0); // absent: etcd no longer has the lease
  }

  @Override
  public void revoke(long id, long deadline) {
    try {
      transport.call(
          "/v3/lease/revoke",
          object().put("ID", Long.toString(id)),
          "revoke lease " + Long.toHexString(id),
          null,
          Kind.IDEMPOTENT_WRITE,
          deadline);
    } catch (LeaseExpiredException e) {
      // already gone
    }
  }
}
