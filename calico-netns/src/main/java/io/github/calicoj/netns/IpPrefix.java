package io.github.calicoj.netns;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.net.InetAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * An IP address with a prefix length, such as {@code 10.65.0.7/32} or {@code fd00::7/128}. The
 * address is kept as given (host bits are not cleared), as for an interface address. Immutable.
 *
 * @param address the address
 * @param prefixLength 0..32 for IPv4, 0..128 for IPv6
 */
public record IpPrefix(InetAddress address, int prefixLength) {

  /** Checks the prefix length against the family. */
  public IpPrefix {
    requireNonNull(address, "address");
    int max = address instanceof Inet4Address ? 32 : 128;
    checkArgument(
        prefixLength >= 0 && prefixLength <= max,
        "Prefix length %s out of range 0..%s for %s",
        prefixLength,
        max,
        InetAddresses.toAddrString(address));
  }

  /** Parses {@code ADDRESS/LENGTH}, or a bare address as a host prefix (/32 or /128). */
  public static IpPrefix parse(String text) {
    requireNonNull(text, "text");
    int slash = text.indexOf('/');
    String addr = slash < 0 ? text : text.substring(0, slash);
    checkArgument(InetAddresses.isInetAddress(addr), "Not an IP address: %s", text);
    InetAddress address = InetAddresses.forString(addr);
    if (slash < 0) {
      return host(address);
    }
    String len = text.substring(slash + 1);
    checkArgument(len.matches("[0-9]{1,3}"), "Bad prefix length in %s", text);
    return new IpPrefix(address, Integer.parseInt(len));
  }

  /** The host prefix of an address: /32 for IPv4, /128 for IPv6. */
  public static IpPrefix host(InetAddress address) {
    return new IpPrefix(address, address instanceof Inet4Address ? 32 : 128);
  }

  /** True for IPv4. */
  public boolean isIpv4() {
    return address instanceof Inet4Address;
  }

  /** {@code ADDRESS/LENGTH}, IPv6 in its shortest form. */
  @Override
  public String toString() {
    return InetAddresses.toAddrString(address) + "/" + prefixLength;
  }
}
