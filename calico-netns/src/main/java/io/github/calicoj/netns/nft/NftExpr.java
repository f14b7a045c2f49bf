package io.github.calicoj.netns.nft;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.github.calicoj.netns.nft.internal.NftJson;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * One expression of a rule as the kernel runs it (what {@code nft --debug=netlink} prints), for the
 * rules calicoj encodes itself ({@link NftCommands}). Loads go to register 1 and comparisons and
 * stores read it, as nft's own rules of this shape do; {@code nft list} shows such a rule as it
 * shows the same rule added through libnftables. Only the expressions calicoj needs are here.
 * Immutable values.
 */
public sealed interface NftExpr {

  /** Keys of {@code meta} ({@code enum nft_meta_keys}). */
  enum MetaKey {
    /** {@code meta mark}, 4 bytes. */
    MARK(3),
    /** {@code meta iiftype}, 2 bytes ({@code ARPHRD_ETHER} is 1). */
    IIFTYPE(8),
    /** {@code meta nfproto}, 1 byte ({@code NFPROTO_IPV4} 2, {@code NFPROTO_IPV6} 10). */
    NFPROTO(15),
    /** {@code meta l4proto}, 1 byte (the IP protocol number). */
    L4PROTO(16);

    private final int code;

    MetaKey(int code) {
      this.code = code;
    }

    /** The kernel's number. */
    public int code() {
      return code;
    }
  }

  /** Headers a payload is loaded from ({@code enum nft_payload_bases}). */
  enum PayloadBase {
    LINK,
    NETWORK,
    TRANSPORT
  }

  /** Comparisons ({@code enum nft_cmp_ops}; a range knows only {@code EQ} and {@code NEQ}). */
  enum CmpOp {
    EQ(0),
    NEQ(1),
    LTE(3),
    GTE(5);

    private final int code;

    CmpOp(int code) {
      this.code = code;
    }

    /** The kernel's number. */
    public int code() {
      return code;
    }
  }

  /** Verdicts ({@code enum nft_verdicts} and {@code NF_DROP}/{@code NF_ACCEPT}). */
  enum VerdictCode {
    DROP(0),
    ACCEPT(1),
    JUMP(-3),
    GOTO(-4),
    RETURN(-5);

    private final int code;

    VerdictCode(int code) {
      this.code = code;
    }

    /** The kernel's number. */
    public int code() {
      return code;
    }
  }

  /** {@code meta load KEY => reg 1}. */
  record Meta(MetaKey key) implements NftExpr {
    /** Rejects null. */
    public Meta {
      requireNonNull(key, "key");
    }
  }

  /** {@code meta set KEY with reg 1}. */
  record SetMeta(MetaKey key) implements NftExpr {
    /** Rejects null. */
    public SetMeta {
      requireNonNull(key, "key");
    }
  }

  /** {@code payload load LENGTHb @ BASE header + OFFSET => reg 1}. */
  record Payload(PayloadBase base, int offset, int length) implements NftExpr {
    /**
     * Validates the range.
     *
     * @throws IllegalArgumentException if the offset is negative or the length not 1 to 16
     */
    public Payload {
      requireNonNull(base, "base");
      checkArgument(offset >= 0, "Negative payload offset %s", offset);
      checkArgument(length >= 1 && length <= 16, "Payload length %s not in 1..16", length);
    }
  }

  /** {@code bitwise reg 1 = (reg 1 & MASK) ^ XOR}; both of one length. */
  record Bitwise(Data mask, Data xor) implements NftExpr {
    /**
     * Checks the lengths.
     *
     * @throws IllegalArgumentException if mask and xor differ in length
     */
    public Bitwise {
      checkArgument(
          mask.length() == xor.length(), "mask %s and xor %s differ in length", mask, xor);
    }
  }

  /** {@code cmp OP reg 1 DATA}. */
  record Cmp(CmpOp op, Data data) implements NftExpr {
    /** Rejects nulls. */
    public Cmp {
      requireNonNull(op, "op");
      requireNonNull(data, "data");
    }
  }

  /** {@code range OP reg 1 FROM TO}: inclusive; {@code EQ} or {@code NEQ}. */
  record Range(CmpOp op, Data from, Data to) implements NftExpr {
    /**
     * Checks the operator and lengths.
     *
     * @throws IllegalArgumentException if the operator is not EQ or NEQ or the lengths differ
     */
    public Range {
      checkArgument(op == CmpOp.EQ || op == CmpOp.NEQ, "A range compares EQ or NEQ, not %s", op);
      checkArgument(from.length() == to.length(), "from %s and to %s differ in length", from, to);
    }
  }

  /** {@code lookup reg 1 set SET} ({@code inverted}: the element must be absent). */
  record Lookup(String set, boolean inverted) implements NftExpr {
    /** Checks the set's name. */
    public Lookup {
      NftJson.checkName("set", set);
    }
  }

  /** {@code log prefix PREFIX level LEVEL} (syslog levels: 5 is {@code notice}). */
  record Log(String prefix, int level) implements NftExpr {
    /**
     * Checks the prefix and the level.
     *
     * @throws IllegalArgumentException if the prefix has a NUL or over 127 bytes, or the level is
     *     not 0 to 7
     */
    public Log {
      checkArgument(
          prefix.indexOf('\0') < 0 && prefix.getBytes(StandardCharsets.UTF_8).length <= 127,
          "Bad log prefix: %s",
          prefix);
      checkArgument(level >= 0 && level <= 7, "Log level %s not in 0..7", level);
    }
  }

  /** {@code immediate reg 0 VERDICT}, with the target of a jump or goto. */
  record Verdict(VerdictCode code, @Nullable String chain) implements NftExpr {
    /**
     * Checks that jumps and gotos, and only they, have a target.
     *
     * @throws IllegalArgumentException otherwise, or if the target is not a plain identifier
     */
    public Verdict {
      boolean needs = code == VerdictCode.JUMP || code == VerdictCode.GOTO;
      checkArgument(needs == (chain != null), "%s with target %s", code, chain);
      if (chain != null) {
        NftJson.checkName("chain", chain);
      }
    }
  }

  /** Bytes of a register value, in the order the kernel compares them. Immutable. */
  final class Data {
    private final byte[] bytes;

    private Data(byte[] bytes) {
      checkArgument(bytes.length >= 1 && bytes.length <= 16, "%s bytes: want 1..16", bytes.length);
      this.bytes = bytes;
    }

    /** A copy of {@code bytes}. */
    public static Data of(byte[] bytes) {
      return new Data(bytes.clone());
    }

    /** A 32-bit value in host order (marks). */
    public static Data u32(int value) {
      return new Data(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array());
    }

    /** A 16-bit value in host order ({@code meta iiftype}). */
    public static Data u16(int value) {
      return new Data(
          ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()).putShort((short) value).array());
    }

    /** One byte ({@code meta nfproto}). */
    public static Data u8(int value) {
      return new Data(new byte[] {(byte) value});
    }

    /** The length in bytes. */
    public int length() {
      return bytes.length;
    }

    /** A copy of the bytes. */
    public byte[] bytes() {
      return bytes.clone();
    }

    @Override
    public boolean equals(@Nullable Object o) {
      return o instanceof Data d && Arrays.equals(bytes, d.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    /** The bytes in hex, e.g. {@code 0a010003}. */
    @Override
    public String toString() {
      return HexFormat.of().formatHex(bytes);
    }
  }
}
