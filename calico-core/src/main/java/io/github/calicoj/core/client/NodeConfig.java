package io.github.calicoj.core.client;

import static java.util.Objects.requireNonNull;

import java.net.Inet4Address;
import java.net.Inet6Address;
import org.jspecify.annotations.Nullable;

/**
 * What {@code calicoctl node} configures for this host: its BGP addresses, which are its workloads'
 * era-A next hops, and optionally its AS number. Immutable; start from {@link #ipv4}, {@link #ipv6}
 * or {@link #none()} and add with the withers.
 *
 * @param ipv4 the host's IPv4 address, or null
 * @param ipv6 the host's IPv6 address, or null
 * @param asNumber the host's AS number ({@code 64512} or dotted {@code 1.10}), or null for the
 *     global one
 */
public record NodeConfig(
    @Nullable Inet4Address ipv4, @Nullable Inet6Address ipv6, @Nullable String asNumber) {

  /** No addresses and no AS number: the host has no next hop of either family. */
  public static NodeConfig none() {
    return new NodeConfig(null, null, null);
  }

  /** An IPv4-only host. */
  public static NodeConfig ipv4(Inet4Address address) {
    return new NodeConfig(requireNonNull(address, "address"), null, null);
  }

  /** An IPv6-only host. */
  public static NodeConfig ipv6(Inet6Address address) {
    return new NodeConfig(null, requireNonNull(address, "address"), null);
  }

  /** This config with an IPv4 address. */
  public NodeConfig withIpv4(Inet4Address address) {
    return new NodeConfig(requireNonNull(address, "address"), ipv6, asNumber);
  }

  /** This config with an IPv6 address. */
  public NodeConfig withIpv6(Inet6Address address) {
    return new NodeConfig(ipv4, requireNonNull(address, "address"), asNumber);
  }

  /** This config with an AS number. */
  public NodeConfig withAsNumber(String as) {
    return new NodeConfig(ipv4, ipv6, requireNonNull(as, "as"));
  }
}
