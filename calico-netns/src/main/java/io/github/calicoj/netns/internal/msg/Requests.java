package io.github.calicoj.netns.internal.msg;

import static io.github.calicoj.netns.internal.msg.Rtnl.*;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;

/**
 * The rtnetlink requests calicoj sends, each written into a caller's buffer at its position. Every
 * request asks for an ACK. Each method names the {@code ip(8)} command that sends the same request;
 * the flags are iproute2's (CREATE|EXCL for an add, CREATE|REPLACE for a replace).
 */
public final class Requests {
  /** {@link #address} and {@link #route} mode: add, failing with EEXIST if present. */
  public static final int ADD = 0;

  /** {@link #address} and {@link #route} mode: add or overwrite. */
  public static final int REPLACE = 1;

  /** {@link #address} and {@link #route} mode: delete. */
  public static final int DELETE = 2;

  private Requests() {}

  /**
   * {@code ip link add HOST [address MAC] [mtu MTU] [group G] [up] type veth peer name PEER netns
   * NSFD}: the peer is born inside the target namespace under its final name. NLM_F_ECHO asks the
   * kernel to send the new host end's RTM_NEWLINK back before the ACK (kernels that predate echo
   * support for RTM_NEWLINK just leave it out).
   */
  public static int newVeth(
      ByteBuffer buf,
      int seq,
      String host,
      String peer,
      int peerNsFd,
      byte @Nullable [] hostMac,
      int mtu,
      int group,
      boolean hostUp) {
    NlBuilder b =
        new NlBuilder(
            buf,
            RTM_NEWLINK,
            NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO | NLM_F_CREATE | NLM_F_EXCL,
            seq);
    b.ifinfomsg(AF_UNSPEC, 0, hostUp ? IFF_UP : 0, hostUp ? IFF_UP : 0);
    b.attrString(IFLA_IFNAME, host);
    if (hostMac != null) {
      b.attr(IFLA_ADDRESS, hostMac);
    }
    if (mtu > 0) {
      b.attrU32(IFLA_MTU, mtu);
    }
    if (group != 0) {
      b.attrU32(IFLA_GROUP, group);
    }
    int linkinfo = b.beginNest(IFLA_LINKINFO);
    b.attrStringNoNul(IFLA_INFO_KIND, "veth");
    int data = b.beginNest(IFLA_INFO_DATA);
    int peerNest = b.beginNest(VETH_INFO_PEER);
    b.ifinfomsg(AF_UNSPEC, 0, 0, 0); // raw, not an attribute; IFF_UP here gives ENOTCONN
    b.attrString(IFLA_IFNAME, peer);
    b.attrU32(IFLA_NET_NS_FD, peerNsFd);
    if (mtu > 0) {
      b.attrU32(IFLA_MTU, mtu);
    }
    b.endNest(peerNest);
    b.endNest(data);
    b.endNest(linkinfo);
    return b.finish();
  }

  /**
   * {@code ip link set dev INDEX netns NSFD name NEWNAME}: move and rename in one message, so no
   * temporary name ever appears in the target namespace.
   */
  public static int moveLinkByIndex(ByteBuffer buf, int seq, int index, int nsFd, String newName) {
    NlBuilder b = new NlBuilder(buf, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq);
    b.ifinfomsg(AF_UNSPEC, index, 0, 0);
    b.attrString(IFLA_IFNAME, newName);
    b.attrU32(IFLA_NET_NS_FD, nsFd);
    return b.finish();
  }

  /** {@code ip link set NAME up|down}, by name. */
  public static int setLinkUp(ByteBuffer buf, int seq, String name, boolean up) {
    NlBuilder b = new NlBuilder(buf, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq);
    b.ifinfomsg(AF_UNSPEC, 0, up ? IFF_UP : 0, IFF_UP);
    b.attrString(IFLA_IFNAME, name);
    return b.finish();
  }

  /** {@code ip link set dev INDEX up}, by index. */
  public static int setLinkUpByIndex(ByteBuffer buf, int seq, int index) {
    NlBuilder b = new NlBuilder(buf, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq);
    b.ifinfomsg(AF_UNSPEC, index, IFF_UP, IFF_UP);
    return b.finish();
  }

  /** {@code ip link set NAME group G}, by name. */
  public static int setLinkGroup(ByteBuffer buf, int seq, String name, int group) {
    NlBuilder b = new NlBuilder(buf, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq);
    b.ifinfomsg(AF_UNSPEC, 0, 0, 0);
    b.attrString(IFLA_IFNAME, name);
    b.attrU32(IFLA_GROUP, group);
    return b.finish();
  }

  /**
   * {@code ip addr add|replace|del ADDRESS/LEN dev INDEX}. IPv6 addresses get IFA_F_NODAD so they
   * are usable at once (no duplicate address detection).
   *
   * @param mode {@link #ADD} (CREATE|EXCL), {@link #REPLACE} (CREATE|REPLACE) or {@link #DELETE}
   */
  public static int address(
      ByteBuffer buf, int seq, int mode, int index, InetAddress address, int prefixLen) {
    boolean v4 = address instanceof Inet4Address;
    NlBuilder b =
        new NlBuilder(buf, mode == DELETE ? RTM_DELADDR : RTM_NEWADDR, requestFlags(mode), seq);
    b.ifaddrmsg(v4 ? AF_INET : AF_INET6, prefixLen, v4 ? 0 : IFA_F_NODAD, RT_SCOPE_UNIVERSE, index);
    byte[] a = address.getAddress();
    b.attr(IFA_LOCAL, a);
    b.attr(IFA_ADDRESS, a);
    return b.finish();
  }

  private static int requestFlags(int mode) {
    return switch (mode) {
      case ADD -> NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
      case REPLACE -> NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
      case DELETE -> NLM_F_REQUEST | NLM_F_ACK;
      default -> throw new IllegalArgumentException("Unknown mode " + mode);
    };
  }

  /**
   * {@code ip route add|replace|del DST[/LEN] [via GW] dev INDEX [scope link]} in the main table.
   *
   * @param mode {@link #ADD} (CREATE|EXCL), {@link #REPLACE} (CREATE|REPLACE) or {@link #DELETE}
   */
  public static int route(
      ByteBuffer buf,
      int seq,
      int mode,
      InetAddress destination,
      int dstLen,
      @Nullable InetAddress gateway,
      int oifIndex,
      boolean linkScope) {
    boolean v4 = destination instanceof Inet4Address;
    int type = mode == DELETE ? RTM_DELROUTE : RTM_NEWROUTE;
    int flags = requestFlags(mode);
    NlBuilder b = new NlBuilder(buf, type, flags, seq);
    b.rtmsg(
        v4 ? AF_INET : AF_INET6,
        dstLen,
        RT_TABLE_MAIN,
        RTPROT_BOOT,
        linkScope ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE,
        RTN_UNICAST);
    if (dstLen > 0) {
      b.attr(RTA_DST, destination.getAddress());
    }
    if (gateway != null) {
      b.attr(RTA_GATEWAY, gateway.getAddress());
    }
    b.attrU32(RTA_OIF, oifIndex);
    return b.finish();
  }

  /**
   * {@code ip route replace|del [TYPE] DST/LEN [via GW] [dev INDEX] proto PROTOCOL [scope SCOPE]}
   * in the main table: a route that its owner tags with its own protocol number. A delete names the
   * destination, the table, the protocol and the type, and scope {@code RT_SCOPE_NOWHERE} (any), as
   * {@code ip route del} does; the kernel deletes only a route of that protocol.
   *
   * @param mode {@link #REPLACE} or {@link #DELETE}
   * @param type {@code RTN_UNICAST} or {@code RTN_BLACKHOLE}
   * @param gateway the next hop, or null
   * @param oifIndex the output interface, or 0 for none (a blackhole, or a gateway the kernel
   *     resolves)
   */
  public static int protocolRoute(
      ByteBuffer buf,
      int seq,
      int mode,
      InetAddress destination,
      int dstLen,
      int type,
      @Nullable InetAddress gateway,
      int oifIndex,
      int protocol,
      boolean linkScope) {
    if (mode != REPLACE && mode != DELETE) {
      throw new IllegalArgumentException("Mode must be REPLACE or DELETE: " + mode);
    }
    boolean v4 = destination instanceof Inet4Address;
    boolean delete = mode == DELETE;
    NlBuilder b = new NlBuilder(buf, delete ? RTM_DELROUTE : RTM_NEWROUTE, requestFlags(mode), seq);
    int scope = delete ? RT_SCOPE_NOWHERE : linkScope ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
    b.rtmsg(v4 ? AF_INET : AF_INET6, dstLen, RT_TABLE_MAIN, protocol, scope, type);
    if (dstLen > 0) {
      b.attr(RTA_DST, destination.getAddress());
    }
    if (gateway != null) {
      b.attr(RTA_GATEWAY, gateway.getAddress());
    }
    if (oifIndex > 0) {
      b.attrU32(RTA_OIF, oifIndex);
    }
    return b.finish();
  }

  /**
   * {@code ip route show table all}: a dump of the routes of every family (rtm_family AF_UNSPEC),
   * each as an RTM_NEWROUTE; the caller filters by table and protocol.
   */
  public static int dumpRoutes(ByteBuffer buf, int seq) {
    NlBuilder b = new NlBuilder(buf, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, seq);
    b.rtmsg(AF_UNSPEC, 0, 0, 0, 0, 0);
    return b.finish();
  }

  /**
   * {@code ip -6 neigh add|del proxy ADDRESS dev INDEX}: a proxy-NDP (or proxy-ARP) entry, which
   * makes the host answer neighbour solicitations for ADDRESS on that link.
   */
  public static int proxyNeighbor(
      ByteBuffer buf, int seq, boolean add, int index, InetAddress address) {
    boolean v4 = address instanceof Inet4Address;
    int flags = NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
    NlBuilder b = new NlBuilder(buf, add ? RTM_NEWNEIGH : RTM_DELNEIGH, flags, seq);
    b.ndmsg(v4 ? AF_INET : AF_INET6, index, NUD_PERMANENT, NTF_PROXY, 0);
    b.attr(NDA_DST, address.getAddress());
    return b.finish();
  }

  /** {@code ip link show NAME}: one RTM_NEWLINK reply, or ENODEV. */
  public static int getLink(ByteBuffer buf, int seq, String name) {
    NlBuilder b = new NlBuilder(buf, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, seq);
    b.ifinfomsg(AF_UNSPEC, 0, 0, 0);
    b.attrU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
    b.attrString(IFLA_IFNAME, name);
    return b.finish();
  }

  /**
   * {@code ip link show} of the link with index {@code index} in the namespace that this socket's
   * namespace numbers {@code targetNetnsId} ({@code IFLA_TARGET_NETNSID}), or in the socket's own
   * namespace if {@code targetNetnsId} is negative.
   */
  public static int getLinkByIndex(ByteBuffer buf, int seq, int index, int targetNetnsId) {
    NlBuilder b = new NlBuilder(buf, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, seq);
    b.ifinfomsg(AF_UNSPEC, index, 0, 0);
    b.attrU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
    if (targetNetnsId >= 0) {
      b.attrU32(IFLA_TARGET_NETNSID, targetNetnsId);
    }
    return b.finish();
  }

  /**
   * The id that this socket's namespace gives the namespace of {@code nsFd} ({@code ip netns
   * list-id}, by fd): one RTM_NEWNSID reply whose NETNSA_NSID is -1 if none is assigned.
   */
  public static int getNsid(ByteBuffer buf, int seq, int nsFd) {
    NlBuilder b = new NlBuilder(buf, RTM_GETNSID, NLM_F_REQUEST | NLM_F_ACK, seq);
    b.rtgenmsg(AF_UNSPEC);
    b.attrU32(NETNSA_FD, nsFd);
    return b.finish();
  }

  /** {@code ip link show}: a dump of every link (the kernel has no group filter for dumps). */
  public static int dumpLinks(ByteBuffer buf, int seq) {
    NlBuilder b = new NlBuilder(buf, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq);
    b.ifinfomsg(AF_UNSPEC, 0, 0, 0);
    b.attrU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
    return b.finish();
  }

  /** {@code ip link del NAME}. */
  public static int delLink(ByteBuffer buf, int seq, String name) {
    NlBuilder b = new NlBuilder(buf, RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, seq);
    b.ifinfomsg(AF_UNSPEC, 0, 0, 0);
    b.attrString(IFLA_IFNAME, name);
    return b.finish();
  }

  /** {@code ip link del group G}: every link in the group, with one RCU synchronization. */
  public static int delLinkGroup(ByteBuffer buf, int seq, int group) {
    NlBuilder b = new NlBuilder(buf, RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, seq);
    b.ifinfomsg(AF_UNSPEC, 0, 0, 0);
    b.attrU32(IFLA_GROUP, group);
    return b.finish();
  }
}
