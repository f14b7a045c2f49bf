package io.github.calicoj.netns.internal.msg;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One received netlink message: the header fields and its payload (everything after the 16-byte
 * header), plus the decoders for the replies we use.
 *
 * @param type nlmsg_type
 * @param flags nlmsg_flags
 * @param seq nlmsg_seq
 * @param pid nlmsg_pid (0 for messages from the kernel)
 * @param payload a native-order view of the payload, position 0
 */
public record NlMessage(int type, int flags, int seq, int pid, ByteBuffer payload) {

  /**
   * Splits {@code len} bytes of {@code buf} (from position 0) into messages.
   *
   * @throws IllegalArgumentException if a message is truncated or malformed
   */
  public static List<NlMessage> parseAll(ByteBuffer buf, int len) {
    ByteBuffer b = buf.duplicate().order(ByteOrder.nativeOrder());
    List<NlMessage> out = new ArrayList<>();
    int off = 0;
    while (off + Rtnl.NLMSG_HDRLEN <= len) {
      int msgLen = b.getInt(off);
      if (msgLen < Rtnl.NLMSG_HDRLEN || off + msgLen > len) {
        throw new IllegalArgumentException(
            "Malformed netlink message at offset " + off + ": length " + msgLen + " of " + len);
      }
      int type = Short.toUnsignedInt(b.getShort(off + 4));
      int flags = Short.toUnsignedInt(b.getShort(off + 6));
      int seq = b.getInt(off + 8);
      int pid = b.getInt(off + 12);
      ByteBuffer payload =
          b.slice(off + Rtnl.NLMSG_HDRLEN, msgLen - Rtnl.NLMSG_HDRLEN)
              .order(ByteOrder.nativeOrder());
      out.add(new NlMessage(type, flags, seq, pid, payload));
      off += Rtnl.align(msgLen);
    }
    return out;
  }

  /** For NLMSG_ERROR: the positive errno, or 0 for an ACK. */
  public int errno() {
    return -payload.getInt(0);
  }

  /** For NLMSG_ERROR with extended ack: the kernel's message, or null. */
  public @Nullable String extAckMessage() {
    ByteBuffer msg = ackAttributes().get(Rtnl.NLMSGERR_ATTR_MSG);
    return msg == null ? null : cString(msg);
  }

  /**
   * For NLMSG_ERROR with extended ack: NLMSGERR_ATTR_OFFS, the offset of the attribute the kernel
   * refused from the start of the request's {@code nlmsghdr}; -1 if absent.
   */
  public int extAckOffset() {
    ByteBuffer offs = ackAttributes().get(Rtnl.NLMSGERR_ATTR_OFFS);
    return offs == null || offs.limit() < 4 ? -1 : offs.getInt(0);
  }

  /** For NLMSG_ERROR: the extended-ack attributes, empty if there are none. */
  private Map<Integer, ByteBuffer> ackAttributes() {
    if ((flags & Rtnl.NLM_F_ACK_TLVS) == 0 || payload.limit() < Rtnl.NLMSGERR_LEN) {
      return Map.of();
    }
    // struct nlmsgerr { int error; struct nlmsghdr msg; } then the echoed payload unless CAPPED.
    int echoed = (flags & Rtnl.NLM_F_CAPPED) != 0 ? Rtnl.NLMSG_HDRLEN : payload.getInt(4);
    int attrs = 4 + Rtnl.align(echoed);
    return attrs > payload.limit() ? Map.of() : attributes(payload, attrs);
  }

  /**
   * For RTM_NEWNSID: NETNSA_NSID, or {@link Rtnl#NETNSA_NSID_NOT_ASSIGNED} if absent.
   *
   * @throws IllegalArgumentException if the payload is too short or malformed
   */
  public int nsid() {
    if (payload.limit() < Rtnl.RTGENMSG_LEN) {
      throw new IllegalArgumentException("RTM_NEWNSID payload too short: " + payload.limit());
    }
    ByteBuffer id = attributes(payload, Rtnl.RTGENMSG_LEN).get(Rtnl.NETNSA_NSID);
    return id == null ? Rtnl.NETNSA_NSID_NOT_ASSIGNED : id.getInt(0);
  }

  /**
   * Parses the attributes that start at {@code offset} of {@code payload}; the first occurrence of
   * each type wins. Nested-flag bits are masked off.
   */
  public static Map<Integer, ByteBuffer> attributes(ByteBuffer payload, int offset) {
    Map<Integer, ByteBuffer> attrs = new HashMap<>();
    int off = offset;
    int end = payload.limit();
    while (off + 4 <= end) {
      int len = attributeLength(payload, off, end);
      int type = attributeType(payload, off);
      attrs.putIfAbsent(type, payload.slice(off + 4, len - 4).order(ByteOrder.nativeOrder()));
      off += Rtnl.align(len);
    }
    return attrs;
  }

  /** A NUL-terminated (or unterminated) string attribute. */
  public static String cString(ByteBuffer attr) {
    return cString(attr, 0, attr.limit());
  }

  /** The bytes of an attribute. */
  public static byte[] bytes(ByteBuffer attr) {
    return bytes(attr, 0, attr.limit());
  }

  /**
   * The length field of the attribute at {@code off}, checked against {@code end}.
   *
   * @throws IllegalArgumentException if the attribute is malformed
   */
  static int attributeLength(ByteBuffer buf, int off, int end) {
    int len = Short.toUnsignedInt(buf.getShort(off));
    if (len < 4 || off + len > end) {
      throw new IllegalArgumentException(
          "Malformed attribute at offset " + off + ": length " + len + " of " + end);
    }
    return len;
  }

  /** The type of the attribute at {@code off}, without the nested and byte-order flags. */
  static int attributeType(ByteBuffer buf, int off) {
    return Short.toUnsignedInt(buf.getShort(off + 2)) & 0x3fff;
  }

  /** The string of {@code size} bytes at {@code at}, up to its first NUL. */
  static String cString(ByteBuffer buf, int at, int size) {
    int n = 0;
    while (n < size && buf.get(at + n) != 0) {
      n++;
    }
    byte[] s = new byte[n];
    buf.get(at, s);
    return new String(s, StandardCharsets.UTF_8);
  }

  /** A copy of {@code size} bytes at {@code at}. */
  static byte[] bytes(ByteBuffer buf, int at, int size) {
    byte[] b = new byte[size];
    buf.get(at, b);
    return b;
  }

  /**
   * The u32 at {@code at}.
   *
   * @throws IllegalArgumentException if the attribute's payload is shorter than 4 bytes
   */
  static int u32(ByteBuffer buf, int at, int size) {
    if (size < 4) {
      throw new IllegalArgumentException("u32 attribute of " + size + " bytes at " + at);
    }
    return buf.getInt(at);
  }
}
