package io.github.calicoj.netns.nft.internal;

import io.github.calicoj.netns.MacAddress;
import io.github.calicoj.netns.internal.msg.NlBuilder;
import io.github.calicoj.netns.internal.msg.Rtnl;
import io.github.calicoj.netns.nft.NftCommands;
import io.github.calicoj.netns.nft.NftElements;
import io.github.calicoj.netns.nft.NftExpr;
import io.github.calicoj.netns.nft.NftFamily;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The nf_tables netlink messages calicoj writes itself, without libnftables: batches of set element
 * commands ({@code NFT_MSG_NEWSETELEM}, {@code NFT_MSG_DELSETELEM}) and of {@link NftCommands}
 * (chains, rules and their expressions, elements) between {@code NFNL_MSG_BATCH_BEGIN} and {@code
 * NFNL_MSG_BATCH_END}, which the kernel commits as one transaction. Constants are from {@code
 * linux/netfilter/nfnetlink.h} and {@code linux/netfilter/nf_tables.h}. Pure functions over a
 * buffer, no I/O.
 *
 * <p>It is one class of about 500 lines because it is the whole nf_tables wire format that calicoj
 * writes (every command, expression and element attribute), kept in one place so that its
 * byte-exact tests read against one file.
 */
public final class NftNetlink {
  // include/uapi/linux/netlink.h
  public static final int NETLINK_NETFILTER = 12;

  // include/uapi/linux/netfilter/nfnetlink.h
  public static final int NFNL_SUBSYS_NFTABLES = 10;
  public static final int NFNL_MSG_BATCH_BEGIN = 16; // NLMSG_MIN_TYPE
  public static final int NFNL_MSG_BATCH_END = 17;

  // include/uapi/linux/netfilter/nf_tables.h, enum nf_tables_msg_types
  public static final int NFT_MSG_NEWCHAIN = 3;
  public static final int NFT_MSG_DELCHAIN = 5;
  public static final int NFT_MSG_NEWRULE = 6;
  public static final int NFT_MSG_DELRULE = 8;
  public static final int NFT_MSG_NEWSETELEM = 12;
  public static final int NFT_MSG_DELSETELEM = 14;
  // include/uapi/linux/netlink.h: NEWRULE appends instead of inserting at the start
  private static final int NLM_F_APPEND = 0x800;

  // enum nft_chain_attributes, nft_rule_attributes
  private static final int NFTA_CHAIN_TABLE = 1;
  private static final int NFTA_CHAIN_NAME = 3;
  private static final int NFTA_RULE_TABLE = 1;
  private static final int NFTA_RULE_CHAIN = 2;
  private static final int NFTA_RULE_EXPRESSIONS = 4;
  private static final int NFTA_RULE_USERDATA = 7;
  // libnftnl's rule user data: the comment TLV (NFTNL_UDATA_RULE_COMMENT), NUL-terminated
  private static final int UDATA_RULE_COMMENT = 0;
  // enum nft_expr_attributes and each expression's
  private static final int NFTA_EXPR_NAME = 1;
  private static final int NFTA_EXPR_DATA = 2;
  private static final int NFTA_META_DREG = 1;
  private static final int NFTA_META_KEY = 2;
  private static final int NFTA_META_SREG = 3;
  private static final int NFTA_PAYLOAD_DREG = 1;
  private static final int NFTA_PAYLOAD_BASE = 2;
  private static final int NFTA_PAYLOAD_OFFSET = 3;
  private static final int NFTA_PAYLOAD_LEN = 4;
  private static final int NFTA_BITWISE_SREG = 1;
  private static final int NFTA_BITWISE_DREG = 2;
  private static final int NFTA_BITWISE_LEN = 3;
  private static final int NFTA_BITWISE_MASK = 4;
  private static final int NFTA_BITWISE_XOR = 5;
  private static final int NFTA_BITWISE_OP = 6;
  private static final int NFTA_CMP_SREG = 1;
  private static final int NFTA_CMP_OP = 2;
  private static final int NFTA_CMP_DATA = 3;
  private static final int NFTA_LOOKUP_SET = 1;
  private static final int NFTA_LOOKUP_SREG = 2;
  private static final int NFTA_LOOKUP_FLAGS = 5;
  private static final int NFT_LOOKUP_F_INV = 1;
  private static final int NFTA_RANGE_SREG = 1;
  private static final int NFTA_RANGE_OP = 2;
  private static final int NFTA_RANGE_FROM_DATA = 3;
  private static final int NFTA_RANGE_TO_DATA = 4;
  private static final int NFTA_LOG_PREFIX = 2;
  private static final int NFTA_LOG_LEVEL = 5;
  private static final int NFTA_IMMEDIATE_DREG = 1;
  private static final int NFTA_IMMEDIATE_DATA = 2;
  // enum nft_data_attributes, nft_verdict_attributes
  private static final int NFTA_DATA_VERDICT = 2;
  private static final int NFTA_VERDICT_CODE = 1;
  private static final int NFTA_VERDICT_CHAIN = 2;
  // enum nft_set_elem_attributes
  private static final int NFTA_SET_ELEM_DATA = 2;
  // enum nft_registers: the verdict register and the first 16-byte register, as nft uses them
  private static final int NFT_REG_VERDICT = 0;
  private static final int NFT_REG_1 = 1;
  // IFNAMSIZ: an ifname key is the name, NUL-padded to 16 bytes
  private static final int IFNAMSIZ = 16;

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
    return type(verb == NftElements.Verb.DELETE ? NFT_MSG_DELSETELEM : NFT_MSG_NEWSETELEM);
  }

  private static int type(int msg) {
    return (NFNL_SUBSYS_NFTABLES << 8) | msg;
  }

  /**
   * Writes {@code batch} at {@code buf}'s position: BATCH_BEGIN (sequence number {@code first}),
   * one message per command ({@code first + 1} on, each with NLM_F_ACK), BATCH_END.
   *
   * @throws java.nio.BufferOverflowException if it does not fit
   */
  public static void writeCommands(ByteBuffer buf, int first, NftCommands batch) {
    String table = batch.table().name();
    int family = nfproto(batch.table().family());
    new NlBuilder(buf, NFNL_MSG_BATCH_BEGIN, Rtnl.NLM_F_REQUEST, first)
        .nfgenmsg(Rtnl.AF_UNSPEC, NFNL_SUBSYS_NFTABLES)
        .finish();
    int seq = first;
    int ack = Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK;
    for (NftCommands.Command c : batch.commands()) {
      seq++;
      NlBuilder b;
      if (c instanceof NftCommands.AddChain a) {
        b = message(buf, NFT_MSG_NEWCHAIN, ack | Rtnl.NLM_F_CREATE, seq, family);
        b.attrString(NFTA_CHAIN_TABLE, table).attrString(NFTA_CHAIN_NAME, a.chain());
      } else if (c instanceof NftCommands.DeleteChain d) {
        b = message(buf, NFT_MSG_DELCHAIN, ack, seq, family);
        b.attrString(NFTA_CHAIN_TABLE, table).attrString(NFTA_CHAIN_NAME, d.chain());
      } else if (c instanceof NftCommands.FlushChain f) {
        b = message(buf, NFT_MSG_DELRULE, ack, seq, family); // no handle: every rule
        b.attrString(NFTA_RULE_TABLE, table).attrString(NFTA_RULE_CHAIN, f.chain());
      } else if (c instanceof NftCommands.AddRule r) {
        b = message(buf, NFT_MSG_NEWRULE, ack | Rtnl.NLM_F_CREATE | NLM_F_APPEND, seq, family);
        b.attrString(NFTA_RULE_TABLE, table).attrString(NFTA_RULE_CHAIN, r.chain());
        int list = b.beginNest(NFTA_RULE_EXPRESSIONS | Rtnl.NLA_F_NESTED);
        for (NftExpr e : r.exprs()) {
          int elem = b.beginNest(NFTA_LIST_ELEM | Rtnl.NLA_F_NESTED);
          expression(b, e);
          b.endNest(elem);
        }
        b.endNest(list);
        String comment = r.comment();
        if (comment != null) {
          byte[] text = comment.getBytes(StandardCharsets.UTF_8);
          byte[] tlv = new byte[text.length + 3];
          tlv[0] = UDATA_RULE_COMMENT;
          tlv[1] = (byte) (text.length + 1);
          System.arraycopy(text, 0, tlv, 2, text.length);
          b.attr(NFTA_RULE_USERDATA, tlv);
        }
      } else if (c instanceof NftCommands.Elements e) {
        NftElements.Command ec = e.elements();
        b = message(buf, type(ec.verb()) & 0xff, flags(ec.verb()), seq, family);
        b.attrString(NFTA_SET_ELEM_LIST_TABLE, table).attrString(NFTA_SET_ELEM_LIST_SET, ec.set());
        int list = b.beginNest(NFTA_SET_ELEM_LIST_ELEMENTS | Rtnl.NLA_F_NESTED);
        for (InetAddress a : ec.elements()) {
          key(b, a.getAddress());
        }
        b.endNest(list);
      } else if (c instanceof NftCommands.InterfaceElements e) {
        b = message(buf, type(e.verb()) & 0xff, flags(e.verb()), seq, family);
        b.attrString(NFTA_SET_ELEM_LIST_TABLE, table).attrString(NFTA_SET_ELEM_LIST_SET, e.set());
        int list = b.beginNest(NFTA_SET_ELEM_LIST_ELEMENTS | Rtnl.NLA_F_NESTED);
        for (NftCommands.InterfaceKey k : e.keys()) {
          key(b, interfaceKey(k));
        }
        b.endNest(list);
      } else if (c instanceof NftCommands.AddGotos g) {
        b = verdictElements(buf, seq, family, table, g.map(), NftExpr.VerdictCode.GOTO, g.gotos());
      } else if (c instanceof NftCommands.AddJumps j) {
        b = verdictElements(buf, seq, family, table, j.map(), NftExpr.VerdictCode.JUMP, j.jumps());
      } else {
        NftCommands.DeleteKeys k = (NftCommands.DeleteKeys) c;
        b = message(buf, NFT_MSG_DELSETELEM, ack, seq, family);
        b.attrString(NFTA_SET_ELEM_LIST_TABLE, table).attrString(NFTA_SET_ELEM_LIST_SET, k.map());
        int list = b.beginNest(NFTA_SET_ELEM_LIST_ELEMENTS | Rtnl.NLA_F_NESTED);
        for (String name : k.keys()) {
          key(b, ifname(name));
        }
        b.endNest(list);
      }
      b.finish();
    }
    new NlBuilder(buf, NFNL_MSG_BATCH_END, Rtnl.NLM_F_REQUEST, seq + 1)
        .nfgenmsg(Rtnl.AF_UNSPEC, NFNL_SUBSYS_NFTABLES)
        .finish();
  }

  /** NEWSETELEM of {@code "ifname" : CODE CHAIN} entries of a verdict map. */
  private static NlBuilder verdictElements(
      ByteBuffer buf,
      int seq,
      int family,
      String table,
      String map,
      NftExpr.VerdictCode code,
      Map<String, String> targets) {
    int ack = Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK;
    NlBuilder b = message(buf, NFT_MSG_NEWSETELEM, ack | Rtnl.NLM_F_CREATE, seq, family);
    b.attrString(NFTA_SET_ELEM_LIST_TABLE, table).attrString(NFTA_SET_ELEM_LIST_SET, map);
    int list = b.beginNest(NFTA_SET_ELEM_LIST_ELEMENTS | Rtnl.NLA_F_NESTED);
    for (var entry : targets.entrySet()) {
      int elem = b.beginNest(NFTA_LIST_ELEM | Rtnl.NLA_F_NESTED);
      int key = b.beginNest(NFTA_SET_ELEM_KEY | Rtnl.NLA_F_NESTED);
      b.attr(NFTA_DATA_VALUE, ifname(entry.getKey())).endNest(key);
      int data = b.beginNest(NFTA_SET_ELEM_DATA | Rtnl.NLA_F_NESTED);
      verdict(b, code, entry.getValue());
      b.endNest(data).endNest(elem);
    }
    b.endNest(list);
    return b;
  }

  private static NlBuilder message(ByteBuffer buf, int msg, int flags, int seq, int family) {
    return new NlBuilder(buf, type(msg), flags, seq).nfgenmsg(family, 0);
  }

  /** {@code NFTA_LIST_ELEM { NFTA_SET_ELEM_KEY { NFTA_DATA_VALUE } }}. */
  private static void key(NlBuilder b, byte[] value) {
    int elem = b.beginNest(NFTA_LIST_ELEM | Rtnl.NLA_F_NESTED);
    int key = b.beginNest(NFTA_SET_ELEM_KEY | Rtnl.NLA_F_NESTED);
    b.attr(NFTA_DATA_VALUE, value).endNest(key).endNest(elem);
  }

  /** {@code NFTA_DATA_VERDICT { NFTA_VERDICT_CODE, NFTA_VERDICT_CHAIN }}. */
  private static void verdict(NlBuilder b, NftExpr.VerdictCode code, @Nullable String chain) {
    int v = b.beginNest(NFTA_DATA_VERDICT | Rtnl.NLA_F_NESTED);
    b.attr(NFTA_VERDICT_CODE, be32(code.code()));
    if (chain != null) {
      b.attrString(NFTA_VERDICT_CHAIN, chain);
    }
    b.endNest(v);
  }

  /** {@code NFTA_EXPR_NAME} and {@code NFTA_EXPR_DATA} of one expression, as nft writes them. */
  private static void expression(NlBuilder b, NftExpr e) {
    if (e instanceof NftExpr.Meta m) {
      int d = b.attrString(NFTA_EXPR_NAME, "meta").beginNest(NFTA_EXPR_DATA | Rtnl.NLA_F_NESTED);
      b.attr(NFTA_META_KEY, be32(m.key().code())).attr(NFTA_META_DREG, be32(NFT_REG_1));
      b.endNest(d);
    } else if (e instanceof NftExpr.SetMeta m) {
      int d = b.attrString(NFTA_EXPR_NAME, "meta").beginNest(NFTA_EXPR_DATA | Rtnl.NLA_F_NESTED);
      b.attr(NFTA_META_KEY, be32(m.key().code())).attr(NFTA_META_SREG, be32(NFT_REG_1));
      b.endNest(d);
    } else if (e instanceof NftExpr.Payload p) {
      int d = b.attrString(NFTA_EXPR_NAME, "payload").beginNest(NFTA_EXPR_DATA | Rtnl.NLA_F_NESTED);
      b.attr(NFTA_PAYLOAD_DREG, be32(NFT_REG_1))
          .attr(NFTA_PAYLOAD_BASE, be32(base(p.base())))
          .attr(NFTA_PAYLOAD_OFFSET, be32(p.offset()))
          .attr(NFTA_PAYLOAD_LEN, be32(p.length()));
      b.endNest(d);
    } else if (e instanceof NftExpr.Bitwise w) {
      int d = b.attrString(NFTA_EXPR_NAME, "bitwise").beginNest(NFTA_EXPR_DATA | Rtnl.NLA_F_NESTED);
      b.attr(NFTA_BITWISE_SREG, be32(NFT_REG_1))
          .attr(NFTA_BITWISE_DREG, be32(NFT_REG_1))
          .attr(NFTA_BITWISE_OP, be32(0)) // NFT_BITWISE_BOOL
          .attr(NFTA_BITWISE_LEN, be32(w.mask().length()));
      value(b, NFTA_BITWISE_MASK, w.mask().bytes());
      value(b, NFTA_BITWISE_XOR, w.xor().bytes());
      b.endNest(d);
    } else if (e instanceof NftExpr.Cmp c) {
      int d = b.attrString(NFTA_EXPR_NAME, "cmp").beginNest(NFTA_EXPR_DATA | Rtnl.NLA_F_NESTED);
      b.attr(NFTA_CMP_SREG, be32(NFT_REG_1)).attr(NFTA_CMP_OP, be32(c.op().code()));
      value(b, NFTA_CMP_DATA, c.data().bytes());
      b.endNest(d);
    } else if (e instanceof NftExpr.Range r) {
      int d = b.attrString(NFTA_EXPR_NAME, "range").beginNest(NFTA_EXPR_DATA | Rtnl.NLA_F_NESTED);
      b.attr(NFTA_RANGE_SREG, be32(NFT_REG_1)).attr(NFTA_RANGE_OP, be32(r.op().code())); // 0, 1
      value(b, NFTA_RANGE_FROM_DATA, r.from().bytes());
      value(b, NFTA_RANGE_TO_DATA, r.to().bytes());
      b.endNest(d);
    } else if (e instanceof NftExpr.Lookup l) {
      int d = b.attrString(NFTA_EXPR_NAME, "lookup").beginNest(NFTA_EXPR_DATA | Rtnl.NLA_F_NESTED);
      b.attr(NFTA_LOOKUP_SREG, be32(NFT_REG_1)).attrString(NFTA_LOOKUP_SET, l.set());
      if (l.inverted()) {
        b.attr(NFTA_LOOKUP_FLAGS, be32(NFT_LOOKUP_F_INV));
      }
      b.endNest(d);
    } else if (e instanceof NftExpr.Log l) {
      int d = b.attrString(NFTA_EXPR_NAME, "log").beginNest(NFTA_EXPR_DATA | Rtnl.NLA_F_NESTED);
      b.attrString(NFTA_LOG_PREFIX, l.prefix()).attr(NFTA_LOG_LEVEL, be32(l.level()));
      b.endNest(d);
    } else {
      NftExpr.Verdict v = (NftExpr.Verdict) e;
      int d =
          b.attrString(NFTA_EXPR_NAME, "immediate").beginNest(NFTA_EXPR_DATA | Rtnl.NLA_F_NESTED);
      b.attr(NFTA_IMMEDIATE_DREG, be32(NFT_REG_VERDICT));
      int data = b.beginNest(NFTA_IMMEDIATE_DATA | Rtnl.NLA_F_NESTED);
      verdict(b, v.code(), v.chain());
      b.endNest(data).endNest(d);
    }
  }

  /** {@code enum nft_payload_bases}. */
  private static int base(NftExpr.PayloadBase b) {
    return switch (b) {
      case LINK -> 0;
      case NETWORK -> 1;
      case TRANSPORT -> 2;
    };
  }

  /** {@code TYPE { NFTA_DATA_VALUE bytes }}. */
  private static void value(NlBuilder b, int type, byte[] bytes) {
    int n = b.beginNest(type | Rtnl.NLA_F_NESTED);
    b.attr(NFTA_DATA_VALUE, bytes).endNest(n);
  }

  /** A 32-bit attribute in network order (nf_tables reads them with {@code ntohl}). */
  private static byte[] be32(int v) {
    return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
  }

  /** An interface name as an {@code ifname} key: its bytes, NUL-padded to IFNAMSIZ. */
  private static byte[] ifname(String name) {
    byte[] out = new byte[IFNAMSIZ];
    byte[] s = name.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(s, 0, out, 0, s.length);
    return out;
  }

  /**
   * An interface-keyed element's key as the kernel stores a concatenation: each part in its own
   * 32-bit registers, so padded to a multiple of 4 bytes (ifname 16, IPv4 4, IPv6 16, MAC 6 + 2).
   */
  static byte[] interfaceKey(NftCommands.InterfaceKey k) {
    byte[] name = ifname(k.iface());
    byte[] part;
    InetAddress a = k.address();
    MacAddress mac = k.mac();
    if (a != null) {
      part = a.getAddress();
    } else if (mac != null) {
      part = Arrays.copyOf(mac.bytes(), 8);
    } else {
      return name;
    }
    byte[] out = Arrays.copyOf(name, name.length + part.length);
    System.arraycopy(part, 0, out, name.length, part.length);
    return out;
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
