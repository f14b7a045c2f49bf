package io.github.calicoj.core.client;

import static java.util.Objects.requireNonNull;

import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Locale;
import java.util.Optional;

/**
 * What address a container gets: a specific IP, the next free {@code ipv4} or {@code ipv6}, or the
 * next free address of a pool given by its CIDR. Immutable.
 */
public sealed interface IpRequest permits IpRequest.Specific, IpRequest.Auto, IpRequest.FromPool {

  /** The reference's message for an argument that is none of these. */
  String INVALID = "Invalid IP address specified.  Argument must be a valid IP or CIDR.";

  /** 4 or 6. */
  int version();

  /**
   * Parses {@code 192.168.0.1}, {@code fd00::1}, {@code ipv4}, {@code ipv6} (any case) or a CIDR.
   *
   * @throws IllegalArgumentException with the reference's message
   */
  static IpRequest parse(String text) {
    requireNonNull(text, "text");
    String t = text.trim();
    String lower = t.toLowerCase(Locale.ROOT);
    if (lower.equals("ipv4")) {
      return new Auto(4);
    }
    if (lower.equals("ipv6")) {
      return new Auto(6);
    }
    if (t.contains("/")) {
      try {
        return new FromPool(Cidr.parseNormalized(t));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(INVALID + " Got: " + quote(text), e);
      }
    }
    Optional<InetAddress> ip = IpAddresses.tryParse(t);
    if (ip.isPresent()) {
      return new Specific(ip.get());
    }
    try {
      IpAddresses.parse(t);
    } catch (IllegalArgumentException why) {
      throw new IllegalArgumentException(INVALID + " Got: " + quote(text), why);
    }
    throw new IllegalArgumentException(INVALID + " Got: " + quote(text));
  }

  private static String quote(String text) {
    return text.length() <= 60 ? text : text.substring(0, 60) + "…";
  }

  /**
   * This address.
   *
   * @param address the address
   */
  record Specific(InetAddress address) implements IpRequest {
    /** Rejects null. */
    public Specific {
      requireNonNull(address, "address");
    }

    @Override
    public int version() {
      return address instanceof Inet4Address ? 4 : 6;
    }
  }

  /**
   * Any free address of this version.
   *
   * @param version 4 or 6
   */
  record Auto(int version) implements IpRequest {}

  /**
   * Any free address of this pool.
   *
   * @param pool the pool's CIDR (normalized)
   */
  record FromPool(Cidr pool) implements IpRequest {
    /** Rejects null. */
    public FromPool {
      requireNonNull(pool, "pool");
    }

    @Override
    public int version() {
      return pool.version();
    }
  }
}
