package io.github.calicoj.netns;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A 48-bit Ethernet address, printed lowercase and colon-separated ({@code ee:ee:ee:ee:ee:ee}), as
 * Calico stores it. Immutable.
 */
public final class MacAddress {
  private static final HexFormat HEX = HexFormat.ofDelimiter(":");

  /** The fixed host-side MAC that Calico gives every {@code cali} interface. */
  public static final MacAddress CALICO_HOST = parse("ee:ee:ee:ee:ee:ee");

  /** All zeroes: what the kernel reports for links without an address, such as {@code lo}. */
  public static final MacAddress ZERO = of(new byte[6]);

  private final byte[] bytes;

  private MacAddress(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Returns the address with these 6 bytes. */
  public static MacAddress of(byte[] bytes) {
    requireNonNull(bytes, "bytes");
    checkArgument(bytes.length == 6, "MAC address needs 6 bytes, got %s", bytes.length);
    return new MacAddress(bytes.clone());
  }

  /** Parses {@code aa:bb:cc:dd:ee:ff} (either case). */
  public static MacAddress parse(String text) {
    requireNonNull(text, "text");
    checkArgument(
        text.matches("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}"), "Not a MAC address: %s", text);
    return new MacAddress(HEX.parseHex(text));
  }

  /** The 6 bytes (a copy). */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** True for a locally administered unicast address, as the kernel gives veths. */
  public boolean isLocallyAdministeredUnicast() {
    return (bytes[0] & 0x02) != 0 && (bytes[0] & 0x01) == 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MacAddress m && Arrays.equals(bytes, m.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /** Lowercase, colon-separated; {@link #parse} reads it back. */
  @Override
  public String toString() {
    return HEX.formatHex(bytes);
  }
}
