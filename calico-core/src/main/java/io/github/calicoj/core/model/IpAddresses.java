package io.github.calicoj.core.model;

import static java.util.Objects.requireNonNull;

import com.google.common.net.InetAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Optional;

/**
 * Strict parsing of textual IP addresses, never through DNS: ASCII digits, hex digits, dots and
 * colons only (no non-ASCII digits, which Java's digit parsing would otherwise accept), no IPv6
 * zone ({@code %eth0}), no IPv4-mapped IPv6 ({@code ::ffff:10.0.0.1}, which would silently become
 * IPv4), and no leading zeros in IPv4 octets. Stateless and thread-safe.
 */
public final class IpAddresses {
  private IpAddresses() {}

  /**
   * Parses an address.
   *
   * @throws IllegalArgumentException naming the text and what is wrong with it
   */
  public static InetAddress parse(String text) {
    requireNonNull(text, "text");
    return tryParse(text)
        .orElseThrow(() -> new IllegalArgumentException(problem(text) + ": " + quote(text)));
  }

  /** The address, or empty if {@code text} is not one by these rules. */
  public static Optional<InetAddress> tryParse(String text) {
    requireNonNull(text, "text");
    if (text.isEmpty() || text.length() > 45) {
      return Optional.empty();
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean ok =
          (c >= '0' && c <= '9')
              || (c >= 'a' && c <= 'f')
              || (c >= 'A' && c <= 'F')
              || c == '.'
              || c == ':';
      if (!ok) {
        return Optional.empty();
      }
    }
    if (!InetAddresses.isInetAddress(text)) {
      return Optional.empty();
    }
    InetAddress a = InetAddresses.forString(text);
    if (a instanceof Inet4Address && text.indexOf(':') >= 0) {
      return Optional.empty(); // IPv4-mapped (or compatible) IPv6 that Java turned into IPv4
    }
    return Optional.of(a);
  }

  /** True if {@code text} is an address by these rules. */
  public static boolean isValid(String text) {
    return tryParse(text).isPresent();
  }

  private static String problem(String text) {
    if (text.indexOf('%') >= 0) {
      return "An IP address must not have a zone (%)";
    }
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) > 0x7f) {
        return "An IP address must be written in ASCII";
      }
    }
    if (text.indexOf(':') >= 0 && text.indexOf('.') >= 0 && InetAddresses.isInetAddress(text)) {
      return "IPv4-mapped IPv6 addresses are not accepted; write the IPv4 address";
    }
    return "Not an IP address";
  }

  private static String quote(String text) {
    return text.length() <= 60 ? text : text.substring(0, 60) + "…";
  }
}
