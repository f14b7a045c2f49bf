package io.github.calicoj.netns.nft.internal;

import io.github.calicoj.netns.internal.msg.NlBuilder;
import io.github.calicoj.netns.internal.msg.Rtnl;
import io.github.calicoj.netns.nft.NftElements;
import io.github.calicoj.netns.nft.NftFamily;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The nf_tables netlink messages calicoj writes itself, without libnftables: a batch of set element
 * commands ({@code NFT_MSG_NEWSETELEM}, {@code NFT_MSG_DELSETELEM}) between {@code
 * NFNL_MSG_BATCH_BEGIN} and {@code NFNL_MSG_BATCH_END}, which the kernel commits as one
 * transaction. Constants are from {@code linux/netfilter/nfnetlink.h} and {@code
 * linux/netfilter/nf_tables.h}. Pure functions over a buffer, no I/O.
 */
public final class NftNetlink {
  // include/uapi/linux/netlink.h
  public static final int NETLINK_NETFILTER = 12;

  // include/uapi/linux/netfilter/nfnetlink.h
  public static final int NFNL_SUBSYS_NFTABLES = 10;
  public static final int NFNL_MSG_BATCH_BEGIN = 16; // NLMSG_MIN_TYPE
  public static final int NFNL_MSG_BATCH_END = 17;

  // include/uapi/linux/netfilter/nf_tables.h, enum nf_tables_msg_types
  public static final int NFT_MSG_NEWSETELEM = 12;
  public static final int NFT_MSG_DELSETELEM = 14;

  // enum nft_set_elem_list_attributes
  public static final int NFTA_SET_ELEM_LIST_TABLE = 1;
  public static final int NFTA_SET_ELEM_LIST_SET = 2;
  public static final int NFTA_SET_ELEM_LIST_ELEMENTS = 3;
  // enum nft_list_attributes, nft_set_elem_attributes, nft_data_attributes
  public static final int NFTA_LIST_ELEM = 1;
  public static final int NFTA_SET_ELEM_KEY = 1;
  public static final int NFTA_DATA_VALUE = 1;

  // include/uapi/linux/netfilter.h, enum nfproto
  private static final int NFPROTO_INET = 1;
  private static final int NFPROTO_IPV4 = 2;
  private static final int NFPROTO_ARP = 3;
  private static final int NFPROTO_NETDEV = 5;
  private static final int NFPROTO_BRIDGE = 7;
  private static final int NFPROTO_IPV6 = 10;

  /**
   * The most elements one message carries; a command with more is split over several messages of
   * the same batch. Keeps the elements' nest well below its 16-bit length (1,024 IPv6 elements take
   * 28 KiB).
   */
  public static final int MAX_ELEMENTS_PER_MESSAGE = 1024;

  private static final int HEADERS = Rtnl.NLMSG_HDRLEN + 4; // nlmsghdr + nfgenmsg

  private NftNetlink() {}

  /**
   * One element message of a batch: the command it came from, its elements, and where the first
   * element's attribute starts from the message's {@code nlmsghdr}.
   */
  public record Message(int command, List<InetAddress> elements, int firstElementOffset) {
    /**
     * The element whose attribute holds byte {@code offset} of the message (what the kernel's
     * extended ACK points at when it refuses one), or -1.
     */
    public int elementAt(int offset) {
      int at = firstElementOffset;
      for (int i = 0; i < elements.size(); i++) {
        int next = at + elementLength(elements.get(i));
        if (offset >= at && offset < next) {
          return i;
        }
        at = next;
      }
      return -1;
    }
  }

  /** The element messages of {@code batch}, without writing them: how it splits. */
  public static List<Message> messages(NftElements batch) {
    List<Message> out = new ArrayList<>();
    int table = stringAttr(batch.table().name());
    List<NftElements.Command> commands = batch.commands();
    for (int c = 0; c < commands.size(); c++) {
      int first = HEADERS + table + stringAttr(commands.get(c).set()) + 4; // after the list's nest
      List<InetAddress> all = commands.get(c).elements();
      for (int from = 0; from < all.size(); from += MAX_ELEMENTS_PER_MESSAGE) {
        int to = Math.min(all.size(), from + MAX_ELEMENTS_PER_MESSAGE);
        out.add(new Message(c, List.copyOf(all.subList(from, to)), first));
      }
    }
    return out;
  }

  /** The exact length of the datagram {@link #writeBatch} writes for {@code batch}. */
  public static int batchLength(NftElements batch) {
    int len = 2 * HEADERS; // BATCH_BEGIN, BATCH_END
    for (Message m : messages(batch)) {
      len += m.firstElementOffset();
      for (InetAddress a : m.elements()) {
        len += elementLength(a);
      }
    }
    return len;
  }

  /**
   * Writes {@code batch} at {@code buf}'s position: BATCH_BEGIN (sequence number {@code first}),
   * one element message per {@link #messages} entry ({@code first + 1} on, each with NLM_F_ACK),
   * BATCH_END. {@code add} sends NLM_F_CREATE, {@code create} NLM_F_CREATE|NLM_F_EXCL, as nft does;
   * {@code delete} neither.
   *
   * @return the messages, in order
   * @throws java.nio.BufferOverflowException if it does not fit
   */
  public static List<Message> writeBatch(ByteBuffer buf, int first, NftElements batch) {
    List<Message> messages = messages(batch);
    int family = nfproto(batch.table().family());
    new NlBuilder(buf, NFNL_MSG_BATCH_BEGIN, Rtnl.NLM_F_REQUEST, first)
        .nfgenmsg(Rtnl.AF_UNSPEC, NFNL_SUBSYS_NFTABLES)
        .finish();
    int seq = first;
    for (Message m : messages) {
      NftElements.Command c = batch.commands().get(m.command());
      NlBuilder b =
          new NlBuilder(buf, type(c.verb()), flags(c.verb()), ++seq)
              .nfgenmsg(family, 0)
              .attrString(NFTA_SET_ELEM_LIST_TABLE, batch.table().name())
              .attrString(NFTA_SET_ELEM_LIST_SET, c.set());
      int list = b.beginNest(NFTA_SET_ELEM_LIST_ELEMENTS | Rtnl.NLA_F_NESTED);
      for (InetAddress a : m.elements()) {
        int elem = b.beginNest(NFTA_LIST_ELEM | Rtnl.NLA_F_NESTED);
        int key = b.beginNest(NFTA_SET_ELEM_KEY | Rtnl.NLA_F_NESTED);
        b.attr(NFTA_DATA_VALUE, a.getAddress()); // network order
        b.endNest(key).endNest(elem);
      }
      b.endNest(list).finish();
    }
    new NlBuilder(buf, NFNL_MSG_BATCH_END, Rtnl.NLM_F_REQUEST, seq + 1)
        .nfgenmsg(Rtnl.AF_UNSPEC, NFNL_SUBSYS_NFTABLES)
        .finish();
    return messages;
  }

  /** The message type: subsystem in the high byte, message in the low byte. */
  static int type(NftElements.Verb verb) {
    int msg = verb == NftElements.Verb.DELETE ? NFT_MSG_DELSETELEM : NFT_MSG_NEWSETELEM;
    return (NFNL_SUBSYS_NFTABLES << 8) | msg;
  }

  static int flags(NftElements.Verb verb) {
    int f = Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK;
    return switch (verb) {
      case ADD -> f | Rtnl.NLM_F_CREATE;
      case CREATE -> f | Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL;
      case DELETE -> f;
    };
  }

  /** The {@code nfgen_family} of a table family. */
  static int nfproto(NftFamily family) {
    return switch (family) {
      case IP -> NFPROTO_IPV4;
      case IP6 -> NFPROTO_IPV6;
      case INET -> NFPROTO_INET;
      case ARP -> NFPROTO_ARP;
      case BRIDGE -> NFPROTO_BRIDGE;
      case NETDEV -> NFPROTO_NETDEV;
    };
  }

  /** One element's attribute: list element, key and value headers, and the address. */
  private static int elementLength(InetAddress a) {
    return 12 + Rtnl.align(a.getAddress().length);
  }

  /** The length of a NUL-terminated string attribute, padding included. */
  private static int stringAttr(String s) {
    return 4 + Rtnl.align(s.getBytes(StandardCharsets.UTF_8).length + 1);
  }
}
