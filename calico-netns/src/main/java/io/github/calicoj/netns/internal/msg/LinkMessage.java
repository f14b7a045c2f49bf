package io.github.calicoj.netns.internal.msg;

import java.nio.ByteBuffer;
import java.util.Map;
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

  /** Decodes the payload of an RTM_NEWLINK message. */
  public static LinkMessage parse(ByteBuffer payload) {
    if (payload.limit() < Rtnl.IFINFOMSG_LEN) {
      throw new IllegalArgumentException("RTM_NEWLINK payload too short: " + payload.limit());
    }
    int index = payload.getInt(4);
    int flags = payload.getInt(8);
    Map<Integer, ByteBuffer> attrs = NlMessage.attributes(payload, Rtnl.IFINFOMSG_LEN);
    ByteBuffer name = attrs.get(Rtnl.IFLA_IFNAME);
    ByteBuffer address = attrs.get(Rtnl.IFLA_ADDRESS);
    ByteBuffer mtu = attrs.get(Rtnl.IFLA_MTU);
    ByteBuffer group = attrs.get(Rtnl.IFLA_GROUP);
    ByteBuffer linkInfo = attrs.get(Rtnl.IFLA_LINKINFO);
    ByteBuffer kind =
        linkInfo == null ? null : NlMessage.attributes(linkInfo, 0).get(Rtnl.IFLA_INFO_KIND);
    ByteBuffer link = attrs.get(Rtnl.IFLA_LINK);
    ByteBuffer netnsId = attrs.get(Rtnl.IFLA_LINK_NETNSID);
    return new LinkMessage(
        index,
        flags,
        name == null ? "" : NlMessage.cString(name),
        address == null ? null : NlMessage.bytes(address),
        mtu == null ? 0 : mtu.getInt(0),
        group == null ? 0 : group.getInt(0),
        kind == null ? "" : NlMessage.cString(kind),
        link == null ? 0 : link.getInt(0),
        netnsId == null ? Rtnl.NETNSA_NSID_NOT_ASSIGNED : netnsId.getInt(0));
  }

  /** True if IFF_UP is set. */
  public boolean up() {
    return (flags & Rtnl.IFF_UP) != 0;
  }
}
