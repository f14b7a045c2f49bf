package io.github.calicoj.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.net.InetAddresses;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IP network in CIDR form. {@link #parse} keeps the address as written (an endpoint's {@code
 * 10.65.0.7/32}); {@link #normalized} clears the host bits ({@code 10.1.1.1/8} → {@code
 * 10.0.0.0/8}), as pools and blocks need. {@code toString} is the wire form: IPv6 compact, {@code
 * /} between address and length. Immutable.
 *
 * @param address the address as given
 * @param prefixLength 0..32 or 0..128
 */
public record Cidr(InetAddress address, int prefixLength) implements Comparable<Cidr> {

  /** Checks the prefix length against the family. */
  public Cidr {
    requireNonNull(address, "address");
    checkArgument(
        prefixLength >= 0 && prefixLength <= bits(address),
        "Invalid CIDR: prefix length %s out of range for %s",
        prefixLength,
        InetAddresses.toAddrString(address));
  }

  /**
   * Parses {@code ADDRESS/LENGTH}; a bare address is a host network (/32 or /128), as netaddr's
   * {@code IPNetwork} reads it.
   *
   * @throws IllegalArgumentException naming the text if it is not a CIDR
   */
  public static Cidr parse(String text) {
    requireNonNull(text, "text");
    String t = text.trim();
    int slash = t.indexOf('/');
    String addr = slash < 0 ? t : t.substring(0, slash);
    InetAddress address =
        IpAddresses.tryParse(addr)
            .orElseThrow(() -> new IllegalArgumentException("Invalid CIDR: " + quote(text)));
    if (slash < 0) {
      return new Cidr(address, bits(address));
    }
    String len = t.substring(slash + 1);
    checkArgument(len.matches("[0-9]{1,3}"), "Invalid CIDR: %s", quote(text));
    int prefix = Integer.parseInt(len);
    checkArgument(prefix <= bits(address), "Invalid CIDR: %s", quote(text));
    return new Cidr(address, prefix);
  }

  private static String quote(String text) {
    return text.length() <= 60 ? text : text.substring(0, 60) + "…";
  }

  /** Parses and clears the host bits. */
  public static Cidr parseNormalized(String text) {
    return parse(text).normalized();
  }

  /** The host network of an address: /32 or /128. */
  public static Cidr host(InetAddress address) {
    return new Cidr(address, bits(address));
  }

  /** The network that contains {@code address} with this prefix length, host bits cleared. */
  public static Cidr containing(InetAddress address, int prefixLength) {
    return new Cidr(address, prefixLength).normalized();
  }

  /** This network with its host bits cleared. */
  public Cidr normalized() {
    BigInteger mask = mask();
    BigInteger net = toInteger(address).and(mask);
    return new Cidr(fromInteger(net, isIpv4()), prefixLength);
  }

  /** True if the host bits are all zero. */
  public boolean isNormalized() {
    return normalized().equals(this);
  }

  /** 4 or 6. */
  public int version() {
    return isIpv4() ? 4 : 6;
  }

  /** True for IPv4. */
  public boolean isIpv4() {
    return address instanceof Inet4Address;
  }

  /** The first address of the network. */
  public InetAddress first() {
    return normalized().address;
  }

  /** The last address of the network. */
  public InetAddress last() {
    BigInteger hostBits = mask().not().and(allOnes());
    return fromInteger(toInteger(first()).or(hostBits), isIpv4());
  }

  /** The number of addresses in the network. */
  public BigInteger size() {
    return BigInteger.ONE.shiftLeft(bits(address) - prefixLength);
  }

  /** True if {@code ip} is of this family and inside the network. */
  public boolean contains(InetAddress ip) {
    if ((ip instanceof Inet4Address) != isIpv4()) {
      return false;
    }
    return toInteger(ip).and(mask()).equals(toInteger(address).and(mask()));
  }

  /** True if {@code other} lies entirely inside this network. */
  public boolean contains(Cidr other) {
    return other.isIpv4() == isIpv4()
        && other.prefixLength >= prefixLength
        && contains(other.address);
  }

  /** True if the two networks share an address. */
  public boolean overlaps(Cidr other) {
    return contains(other) || other.contains(this);
  }

  /** The address at {@code offset} from the first one. */
  public InetAddress addressAt(long offset) {
    checkArgument(
        offset >= 0 && BigInteger.valueOf(offset).compareTo(size()) < 0,
        "Offset %s outside %s",
        offset,
        this);
    return fromInteger(toInteger(first()).add(BigInteger.valueOf(offset)), isIpv4());
  }

  /** The offset of {@code ip} from the first address; {@code ip} must be inside. */
  public long offsetOf(InetAddress ip) {
    checkArgument(contains(ip), "%s is not in %s", InetAddresses.toAddrString(ip), this);
    return toInteger(ip).subtract(toInteger(first())).longValueExact();
  }

  /** The key form: {@code /} replaced by {@code -} ({@code 192.168.0.0-16}). */
  public String toKeySegment() {
    return toString().replace('/', '-');
  }

  /** Parses the key form back. */
  public static Cidr fromKeySegment(String segment) {
    int dash = segment.lastIndexOf('-');
    checkArgument(dash > 0, "Not a CIDR key segment: %s", segment);
    return parse(segment.substring(0, dash) + "/" + segment.substring(dash + 1));
  }

  /** {@code ADDRESS/LENGTH}, IPv6 compact. */
  @Override
  public String toString() {
    return InetAddresses.toAddrString(address) + "/" + prefixLength;
  }

  /** IPv4 before IPv6, then by address, then by prefix length. */
  @Override
  public int compareTo(Cidr o) {
    if (isIpv4() != o.isIpv4()) {
      return isIpv4() ? -1 : 1;
    }
    int c = toInteger(address).compareTo(toInteger(o.address));
    return c != 0 ? c : Integer.compare(prefixLength, o.prefixLength);
  }

  /** The address as an unsigned integer. */
  public static BigInteger toInteger(InetAddress ip) {
    return new BigInteger(1, ip.getAddress());
  }

  /** The address of the family with this unsigned value. */
  public static InetAddress fromInteger(BigInteger value, boolean ipv4) {
    byte[] raw = value.toByteArray();
    byte[] out = new byte[ipv4 ? 4 : 16];
    int n = Math.min(raw.length, out.length);
    System.arraycopy(raw, raw.length - n, out, out.length - n, n);
    try {
      return InetAddress.getByAddress(out);
    } catch (UnknownHostException e) {
      throw new AssertionError(e); // 4 or 16 bytes never fail
    }
  }

  private static int bits(InetAddress a) {
    return a instanceof Inet4Address ? 32 : 128;
  }

  private BigInteger allOnes() {
    return BigInteger.ONE.shiftLeft(bits(address)).subtract(BigInteger.ONE);
  }

  private BigInteger mask() {
    int host = bits(address) - prefixLength;
    return allOnes().shiftRight(host).shiftLeft(host);
  }
}
