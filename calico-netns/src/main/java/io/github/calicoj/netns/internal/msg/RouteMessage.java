package io.github.calicoj.netns.internal.msg;

import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;

/**
 * A decoded RTM_NEWROUTE message of a route dump: {@code rtmsg} plus the attributes we read.
 *
 * @param family rtm_family ({@code AF_INET} or {@code AF_INET6})
 * @param dstLen rtm_dst_len
 * @param table RTA_TABLE if present (tables above 255), else rtm_table
 * @param protocol rtm_protocol
 * @param scope rtm_scope
 * @param type rtm_type ({@code RTN_UNICAST}, {@code RTN_BLACKHOLE}, ...)
 * @param destination RTA_DST, or null for a default route
 * @param gateway RTA_GATEWAY, or null
 * @param oif RTA_OIF, or 0 if absent
 * @param multipath true if the route has RTA_MULTIPATH (several next hops)
 */
@SuppressWarnings("ArrayRecordComponent") // internal decode result, never compared or hashed
public record RouteMessage(
    int family,
    int dstLen,
    int table,
    int protocol,
    int scope,
    int type,
    byte @Nullable [] destination,
    byte @Nullable [] gateway,
    int oif,
    boolean multipath) {

  /**
   * Decodes the payload of an RTM_NEWROUTE message.
   *
   * @throws IllegalArgumentException if the payload is too short or an attribute is malformed
   */
  public static RouteMessage parse(ByteBuffer payload) {
    if (payload.limit() < Rtnl.RTMSG_LEN) {
      throw new IllegalArgumentException("RTM_NEWROUTE payload too short: " + payload.limit());
    }
    // struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags (u32)
    int family = Byte.toUnsignedInt(payload.get(0));
    int dstLen = Byte.toUnsignedInt(payload.get(1));
    int table = Byte.toUnsignedInt(payload.get(4));
    int protocol = Byte.toUnsignedInt(payload.get(5));
    int scope = Byte.toUnsignedInt(payload.get(6));
    int type = Byte.toUnsignedInt(payload.get(7));
    byte[] destination = null;
    byte[] gateway = null;
    int oif = 0;
    boolean multipath = false;
    int end = payload.limit();
    for (int off = Rtnl.RTMSG_LEN; off + 4 <= end; ) {
      int len = NlMessage.attributeLength(payload, off, end);
      int at = off + 4;
      int size = len - 4;
      switch (NlMessage.attributeType(payload, off)) {
        case Rtnl.RTA_DST -> destination = NlMessage.bytes(payload, at, size);
        case Rtnl.RTA_GATEWAY -> gateway = NlMessage.bytes(payload, at, size);
        case Rtnl.RTA_OIF -> oif = NlMessage.u32(payload, at, size);
        case Rtnl.RTA_TABLE -> table = NlMessage.u32(payload, at, size);
        case Rtnl.RTA_MULTIPATH -> multipath = true;
        default -> {
          // not read
        }
      }
      off += Rtnl.align(len);
    }
    return new RouteMessage(
        family, dstLen, table, protocol, scope, type, destination, gateway, oif, multipath);
  }
}
