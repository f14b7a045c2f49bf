package io.github.calicoj.netns.internal.msg;

import static io.github.calicoj.netns.internal.msg.Rtnl.align;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes one netlink request into a buffer: the {@code nlmsghdr}, a family header and attributes,
 * with 4-byte alignment and nested attributes. Integers are in native order, addresses in network
 * order, as the kernel expects. Not thread-safe; one builder per message.
 */
public final class NlBuilder {
  private final ByteBuffer buf;
  private final int start;

  /**
   * Starts a message at {@code buf}'s position.
   *
   * @param buf the target; its byte order is set to native order
   */
  public NlBuilder(ByteBuffer buf, int type, int flags, int seq) {
    this.buf = buf.order(ByteOrder.nativeOrder());
    this.start = buf.position();
    buf.putInt(0); // nlmsg_len, patched by finish()
    buf.putShort((short) type);
    buf.putShort((short) flags);
    buf.putInt(seq);
    buf.putInt(0); // nlmsg_pid: 0 = to the kernel
  }

  /** A builder over a fresh heap buffer, for tests and one-off messages. */
  public static NlBuilder heap(int type, int flags, int seq) {
    return new NlBuilder(ByteBuffer.allocate(4096), type, flags, seq);
  }

  /** {@code struct ifinfomsg} (16 bytes). */
  public NlBuilder ifinfomsg(int family, int index, int flags, int change) {
    buf.put((byte) family);
    buf.put((byte) 0); // __ifi_pad
    buf.putShort((short) 0); // ifi_type
    buf.putInt(index);
    buf.putInt(flags);
    buf.putInt(change);
    return this;
  }

  /** {@code struct rtgenmsg}: the family byte, padded to 4 bytes. */
  public NlBuilder rtgenmsg(int family) {
    buf.put((byte) family);
    buf.put((byte) 0);
    buf.putShort((short) 0);
    return this;
  }

  /** {@code struct ifaddrmsg} (8 bytes). */
  public NlBuilder ifaddrmsg(int family, int prefixLen, int flags, int scope, int index) {
    buf.put((byte) family);
    buf.put((byte) prefixLen);
    buf.put((byte) flags);
    buf.put((byte) scope);
    buf.putInt(index);
    return this;
  }

  /** {@code struct rtmsg} (12 bytes). */
  public NlBuilder rtmsg(int family, int dstLen, int table, int protocol, int scope, int type) {
    buf.put((byte) family);
    buf.put((byte) dstLen);
    buf.put((byte) 0); // rtm_src_len
    buf.put((byte) 0); // rtm_tos
    buf.put((byte) table);
    buf.put((byte) protocol);
    buf.put((byte) scope);
    buf.put((byte) type);
    buf.putInt(0); // rtm_flags
    return this;
  }

  /** {@code struct ndmsg} (12 bytes). */
  public NlBuilder ndmsg(int family, int index, int state, int flags, int type) {
    buf.put((byte) family);
    buf.put((byte) 0); // ndm_pad1
    buf.putShort((short) 0); // ndm_pad2
    buf.putInt(index);
    buf.putShort((short) state);
    buf.put((byte) flags);
    buf.put((byte) type);
    return this;
  }

  /**
   * {@code struct nfgenmsg} (4 bytes, {@code linux/netfilter/nfnetlink.h}): the family byte,
   * version {@code NFNETLINK_V0}, and {@code res_id} in network order.
   */
  public NlBuilder nfgenmsg(int family, int resId) {
    buf.put((byte) family);
    buf.put((byte) 0); // NFNETLINK_V0
    buf.put((byte) (resId >>> 8));
    buf.put((byte) resId);
    return this;
  }

  /** An attribute with raw bytes. */
  public NlBuilder attr(int type, byte[] payload) {
    buf.putShort((short) (4 + payload.length));
    buf.putShort((short) type);
    buf.put(payload);
    pad();
    return this;
  }

  /** A u32 attribute. */
  public NlBuilder attrU32(int type, int value) {
    buf.putShort((short) 8);
    buf.putShort((short) type);
    buf.putInt(value);
    return this;
  }

  /** A NUL-terminated string attribute (IFLA_IFNAME). */
  public NlBuilder attrString(int type, String value) {
    byte[] s = value.getBytes(StandardCharsets.UTF_8);
    buf.putShort((short) (4 + s.length + 1));
    buf.putShort((short) type);
    buf.put(s);
    buf.put((byte) 0);
    pad();
    return this;
  }

  /** A string attribute without the NUL (IFLA_INFO_KIND, as iproute2 sends it). */
  public NlBuilder attrStringNoNul(int type, String value) {
    return attr(type, value.getBytes(StandardCharsets.UTF_8));
  }

  /** Opens a nested attribute; pass the result to {@link #endNest}. */
  public int beginNest(int type) {
    int at = buf.position();
    buf.putShort((short) 0); // patched by endNest
    buf.putShort((short) type);
    return at;
  }

  /** Closes a nest: its length covers its header and children, padding included. */
  public NlBuilder endNest(int at) {
    buf.putShort(at, (short) (buf.position() - at));
    return this;
  }

  /** Patches {@code nlmsg_len} and returns the message's length. */
  public int finish() {
    int len = buf.position() - start;
    buf.putInt(start, len);
    return len;
  }

  /** Finishes and returns a copy of the message bytes. */
  public byte[] toBytes() {
    int len = finish();
    byte[] out = new byte[len];
    buf.get(start, out);
    return out;
  }

  private void pad() {
    int target = start + align(buf.position() - start);
    while (buf.position() < target) {
      buf.put((byte) 0);
    }
  }
}
