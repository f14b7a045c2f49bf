package io.github.calicoj.netns.internal.msg;

/** rtnetlink constants, each from the UAPI header named beside it. */
public final class Rtnl {
  // include/linux/socket.h, include/uapi/linux/netlink.h
  public static final int AF_UNSPEC = 0;
  public static final int AF_INET = 2;
  public static final int AF_INET6 = 10;
  public static final int AF_NETLINK = 16;
  public static final int NETLINK_ROUTE = 0;
  public static final int SOL_NETLINK = 270;
  public static final int NETLINK_CAP_ACK = 10;
  public static final int NETLINK_EXT_ACK = 11;

  // nlmsghdr types and flags, include/uapi/linux/netlink.h
  public static final int NLMSG_HDRLEN = 16;
  public static final int NLMSG_NOOP = 1;
  public static final int NLMSG_ERROR = 2;
  public static final int NLMSG_DONE = 3;
  public static final int NLM_F_REQUEST = 0x1;
  public static final int NLM_F_MULTI = 0x2;
  public static final int NLM_F_ACK = 0x4;
  public static final int NLM_F_ECHO = 0x8;
  public static final int NLM_F_DUMP_INTR = 0x10;
  public static final int NLM_F_REPLACE = 0x100;
  public static final int NLM_F_EXCL = 0x200;
  public static final int NLM_F_CREATE = 0x400;
  public static final int NLM_F_DUMP = 0x300;
  // flags of NLMSG_ERROR replies
  public static final int NLM_F_CAPPED = 0x100;
  public static final int NLM_F_ACK_TLVS = 0x200;
  // enum nlmsgerr_attrs
  public static final int NLMSGERR_ATTR_MSG = 1;
  public static final int NLMSGERR_ATTR_OFFS = 2;
  // struct nlattr: the nested flag in nla_type
  public static final int NLA_F_NESTED = 0x8000;

  // include/uapi/linux/rtnetlink.h
  public static final int RTM_NEWLINK = 16;
  public static final int RTM_DELLINK = 17;
  public static final int RTM_GETLINK = 18;
  public static final int RTM_SETLINK = 19;
  public static final int RTM_NEWADDR = 20;
  public static final int RTM_DELADDR = 21;
  public static final int RTM_GETADDR = 22;
  public static final int RTM_NEWROUTE = 24;
  public static final int RTM_DELROUTE = 25;
  public static final int RTM_GETROUTE = 26;
  public static final int RTM_NEWNEIGH = 28;
  public static final int RTM_DELNEIGH = 29;
  public static final int RTM_NEWNSID = 88;
  public static final int RTM_GETNSID = 90;
  // include/uapi/linux/net_namespace.h
  public static final int NETNSA_NSID = 1;
  public static final int NETNSA_FD = 3;
  public static final int NETNSA_NSID_NOT_ASSIGNED = -1;
  // include/uapi/linux/neighbour.h
  public static final int NDA_DST = 1;
  public static final int NUD_PERMANENT = 0x80;
  public static final int NTF_PROXY = 0x08;
  public static final int RT_TABLE_MAIN = 254;
  public static final int RTPROT_BOOT = 3;
  public static final int RT_SCOPE_UNIVERSE = 0;
  public static final int RT_SCOPE_LINK = 253;
  public static final int RT_SCOPE_HOST = 254;
  public static final int RT_SCOPE_NOWHERE = 255;
  public static final int RTN_UNICAST = 1;
  public static final int RTN_BLACKHOLE = 6;
  public static final int RTA_DST = 1;
  public static final int RTA_OIF = 4;
  public static final int RTA_GATEWAY = 5;
  public static final int RTA_PRIORITY = 6;
  public static final int RTA_MULTIPATH = 9;
  public static final int RTA_TABLE = 15;
  public static final int RTEXT_FILTER_SKIP_STATS = 8;

  // include/uapi/linux/if_link.h
  public static final int IFLA_ADDRESS = 1;
  public static final int IFLA_IFNAME = 3;
  public static final int IFLA_MTU = 4;
  public static final int IFLA_LINK = 5;
  public static final int IFLA_LINKINFO = 18;
  public static final int IFLA_GROUP = 27;
  public static final int IFLA_NET_NS_FD = 28;
  public static final int IFLA_EXT_MASK = 29;
  public static final int IFLA_LINK_NETNSID = 37;
  public static final int IFLA_TARGET_NETNSID = 46;
  public static final int IFLA_INFO_KIND = 1;
  public static final int IFLA_INFO_DATA = 2;
  // include/uapi/linux/veth.h
  public static final int VETH_INFO_PEER = 1;
  // include/uapi/linux/if.h
  public static final int IFF_UP = 0x1;
  public static final int IFNAMSIZ = 16;

  // include/uapi/linux/if_addr.h
  public static final int IFA_ADDRESS = 1;
  public static final int IFA_LOCAL = 2;
  public static final int IFA_FLAGS = 8;
  public static final int IFA_F_NODAD = 0x02;

  // Sizes of the fixed headers; rtgenmsg is one family byte, padded to 4 (NLMSG_ALIGN).
  public static final int IFINFOMSG_LEN = 16;
  public static final int RTGENMSG_LEN = 4;
  public static final int NDTMSG_LEN = 4;
  public static final int IFADDRMSG_LEN = 8;
  public static final int RTMSG_LEN = 12;
  public static final int NLMSGERR_LEN = 20;

  private Rtnl() {}

  /** Rounds up to the 4-byte netlink alignment (NLMSG_ALIGN, RTA_ALIGN). */
  public static int align(int len) {
    return (len + 3) & ~3;
  }
}
