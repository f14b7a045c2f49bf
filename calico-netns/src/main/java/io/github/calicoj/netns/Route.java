package io.github.calicoj.netns;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.net.InetAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A route in the main table. Build one with {@link #onLink}, {@link #defaultVia} or {@link
 * #toDevice}. Immutable.
 *
 * @param destination where the route leads ({@code 0.0.0.0/0} or {@code ::/0} for default)
 * @param gateway the next hop, or null for a route straight onto the device
 * @param device the output interface
 * @param linkScope true for {@code scope link} (directly reachable), false for {@code scope global}
 */
public record Route(
    IpPrefix destination, @Nullable InetAddress gateway, InterfaceName device, boolean linkScope) {

  /** Checks that destination and gateway are of one family. */
  public Route {
    requireNonNull(destination, "destination");
    requireNonNull(device, "device");
    checkArgument(
        gateway == null || (gateway instanceof Inet4Address) == destination.isIpv4(),
        "Gateway %s and destination %s are of different IP families",
        gateway,
        destination);
  }

  /**
   * The route that makes {@code gateway} directly reachable on {@code device}: {@code ip route add
   * GATEWAY/32 dev DEVICE scope link}. Add it before the {@link #defaultVia default route}, which
   * the kernel refuses with ENETUNREACH ("Nexthop has invalid gateway") while the gateway is not
   * reachable.
   */
  public static Route onLink(InetAddress gateway, InterfaceName device) {
    return new Route(IpPrefix.host(gateway), null, device, true);
  }

  /** {@code ip route add default via GATEWAY dev DEVICE}. */
  public static Route defaultVia(InetAddress gateway, InterfaceName device) {
    return new Route(
        new IpPrefix(anyAddress(gateway instanceof Inet4Address), 0), gateway, device, false);
  }

  /**
   * {@code ip route add DESTINATION dev DEVICE scope link}: the host-side route to a workload
   * address through its veth.
   */
  public static Route toDevice(IpPrefix destination, InterfaceName device) {
    return new Route(destination, null, device, true);
  }

  /** The gateway, if the route has one. */
  public Optional<InetAddress> via() {
    return Optional.ofNullable(gateway);
  }

  /** True for IPv4. */
  public boolean isIpv4() {
    return destination.isIpv4();
  }

  private static InetAddress anyAddress(boolean ipv4) {
    try {
      return InetAddress.getByAddress(new byte[ipv4 ? 4 : 16]);
    } catch (UnknownHostException e) {
      throw new AssertionError(e); // cannot happen for a 4- or 16-byte array
    }
  }

  /** In {@code ip route} syntax. */
  @Override
  public String toString() {
    String dst = destination.prefixLength() == 0 ? "default" : destination.toString();
    return dst
        + (gateway == null ? "" : " via " + InetAddresses.toAddrString(gateway))
        + " dev "
        + device
        + (linkScope ? " scope link" : "");
  }
}
