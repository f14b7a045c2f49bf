package io.github.calicoj.netns.internal.msg;

import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;

/**
 * A decoded RTM_NEWLINK reply: {@code ifinfomsg} plus the attributes we read.
 *
 * @param index ifi_index
 * @param flags ifi_flags
 * @param name IFLA_IFNAME
 * @param address IFLA_ADDRESS, or null if absent
 * @param mtu IFLA_MTU, or 0 if absent
 * @param group IFLA_GROUP, or 0 if absent
 * @param kind IFLA_LINKINFO → IFLA_INFO_KIND ({@code veth}), or empty if absent
 * @param link IFLA_LINK (a veth's peer index), or 0 if absent
 * @param linkNetnsId IFLA_LINK_NETNSID, or {@link Rtnl#NETNSA_NSID_NOT_ASSIGNED} if absent
 */
@SuppressWarnings("ArrayRecordComponent") // internal decode result, never compared or hashed
public record LinkMessage(
    int index,
    int flags,
    String name,
    byte @Nullable [] address,
    int mtu,
    int group,
    String kind,
    int link,
    int linkNetnsId) {

  /**
   * Decodes the payload of an RTM_NEWLINK message. Reads the attributes in place, without a map or
   * slices: a link echoed by the kernel carries some fifty of them, statistics included.
   */
  public static LinkMessage parse(ByteBuffer payload) {
    if (payload.limit() < Rtnl.IFINFOMSG_LEN) {
      throw new IllegalArgumentException("RTM_NEWLINK payload too short: " + payload.limit());
    }
    String name = "";
    byte[] address = null;
    int mtu = 0;
    int group = 0;
    String kind = "";
    int link = 0;
    int linkNetnsId = Rtnl.NETNSA_NSID_NOT_ASSIGNED;
    int end = payload.limit();
    for (int off = Rtnl.IFINFOMSG_LEN; off + 4 <= end; ) {
      int len = NlMessage.attributeLength(payload, off, end);
      int at = off + 4;
      int size = len - 4;
      switch (NlMessage.attributeType(payload, off)) {
        case Rtnl.IFLA_IFNAME -> name = NlMessage.cString(payload, at, size);
        case Rtnl.IFLA_ADDRESS -> address = NlMessage.bytes(payload, at, size);
        case Rtnl.IFLA_MTU -> mtu = NlMessage.u32(payload, at, size);
        case Rtnl.IFLA_GROUP -> group = NlMessage.u32(payload, at, size);
        case Rtnl.IFLA_LINK -> link = NlMessage.u32(payload, at, size);
        case Rtnl.IFLA_LINK_NETNSID -> linkNetnsId = NlMessage.u32(payload, at, size);
        case Rtnl.IFLA_LINKINFO -> kind = infoKind(payload, at, at + size);
        default -> {
          // not read
        }
      }
      off += Rtnl.align(len);
    }
    return new LinkMessage(
        payload.getInt(4), payload.getInt(8), name, address, mtu, group, kind, link, linkNetnsId);
  }

  /** IFLA_INFO_KIND inside an IFLA_LINKINFO nest spanning {@code [from, to)}, or empty. */
  private static String infoKind(ByteBuffer payload, int from, int to) {
    for (int off = from; off + 4 <= to; ) {
      int len = NlMessage.attributeLength(payload, off, to);
      if (NlMessage.attributeType(payload, off) == Rtnl.IFLA_INFO_KIND) {
        return NlMessage.cString(payload, off + 4, len - 4);
      }
      off += Rtnl.align(len);
    }
    return "";
  }

  /** True if IFF_UP is set. */
  public boolean up() {
    return (flags & Rtnl.IFF_UP) != 0;
  }
}
