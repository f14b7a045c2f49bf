package io.github.calicoj.examples.cli;

import io.github.calicoj.core.client.IpRequest;
import io.github.calicoj.core.model.IpAddresses;
import java.net.InetAddress;

/**
 * Typed values as the CLI accepts them: numbers and addresses in ASCII only (Java's parsers also
 * read other scripts' digits), addresses without a zone ({@code %eth0}) and no IPv4-mapped IPv6
 * address standing in for an IPv4 one. Stateless.
 */
final class Inputs {
  private Inputs() {}

  /**
   * A whole number of at most nine ASCII digits, with an optional minus sign.
   *
   * @throws NumberFormatException for anything else
   */
  static int integer(String text) {
    int start = text.startsWith("-") ? 1 : 0;
    int digits = text.length() - start;
    if (digits < 1 || digits > 9) {
      throw new NumberFormatException(text);
    }
    for (int i = start; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        throw new NumberFormatException(text);
      }
    }
    return Integer.parseInt(text);
  }

  /** Whether {@code text} is an IPv4 or IPv6 address as {@link #ip} accepts it. */
  static boolean isIp(String text) {
    return IpAddresses.isValid(text);
  }

  /**
   * An IPv4 or IPv6 address in ASCII, without a zone, not IPv4-mapped.
   *
   * @throws IllegalArgumentException for anything else
   */
  static InetAddress ip(String text) {
    if (!isIp(text)) {
      throw new IllegalArgumentException("Not an IP address: " + Messages.echo(text));
    }
    return IpAddresses.parse(text);
  }

  /**
   * {@link IpRequest#parse}, which takes only ASCII addresses without a zone, not IPv4-mapped.
   *
   * @throws IllegalArgumentException for anything else
   */
  static IpRequest ipRequest(String text) {
    return IpRequest.parse(text);
  }
}
