package io.github.calicoj.core.model;

import static com.google.common.base.Preconditions.checkArgument;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A host's BGP configuration: its IPv4 and IPv6 addresses (the era-A next hops of its workloads)
 * and its AS number. Immutable.
 *
 * @param hostname the host
 * @param ipv4 the host's IPv4 address, or null
 * @param ipv6 the host's IPv6 address, or null
 * @param asNumber the AS number ({@code 0..4294967295} or dotted {@code a.b}), or null
 */
public record HostConfig(
    String hostname,
    @Nullable Inet4Address ipv4,
    @Nullable Inet6Address ipv6,
    @Nullable String asNumber) {

  /** Checks the hostname and AS number. */
  public HostConfig {
    Names.checkHostname(hostname);
    checkArgument(asNumber == null || isValidAsNumber(asNumber), "Invalid AS number: %s", asNumber);
  }

  /** The next hop for IPv4 or IPv6 workloads (era A), if configured. */
  public Optional<InetAddress> nextHop(int version) {
    return Optional.ofNullable(version == 4 ? ipv4 : ipv6);
  }

  /** {@code 0..4294967295}, or dotted {@code a.b} with each part 0..65535. */
  public static boolean isValidAsNumber(String as) {
    if (as.matches("\\d{1,10}")) {
      return Long.parseLong(as) <= 4294967295L;
    }
    if (as.matches("\\d{1,5}\\.\\d{1,5}")) {
      String[] p = as.split("\\.", -1);
      return Integer.parseInt(p[0]) <= 65535 && Integer.parseInt(p[1]) <= 65535;
    }
    return false;
  }
}
