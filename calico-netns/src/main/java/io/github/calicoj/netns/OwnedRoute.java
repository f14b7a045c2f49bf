package io.github.calicoj.netns;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.net.InetAddresses;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import org.jspecify.annotations.Nullable;

/**
 * A route in the main table that belongs to a routing daemon, tagged with that daemon's protocol
 * number ({@code ip route ... proto N}), so that the daemon can list exactly its own routes ({@link
 * Netlink#ownedRoutes}) and reconcile them without touching anyone else's. Build one with {@link
 * #via}, {@link #device} or {@link #blackhole}. Immutable; {@code toString} is the {@code ip route}
 * form.
 *
 * @param destination the destination network; its host bits must be clear
 * @param kind how the destination is reached
 * @param gateway the next hop, for {@link Kind#VIA} only
 * @param device the output interface: required for {@link Kind#DEVICE}; for {@link Kind#VIA}
 *     optional when building (the kernel picks the interface that reaches the gateway) and filled
 *     in by {@link Netlink#ownedRoutes}
 * @param protocol the owner's protocol number, {@value #MIN_PROTOCOL} to 255 (0 to 4 are the
 *     kernel's, boot and static routes, which no daemon owns)
 */
public record OwnedRoute(
    IpPrefix destination,
    Kind kind,
    @Nullable InetAddress gateway,
    @Nullable InterfaceName device,
    int protocol) {

  /** The lowest protocol number a daemon may own: above {@code RTPROT_STATIC} (4). */
  public static final int MIN_PROTOCOL = 5;

  /** How a route reaches its destination. */
  public enum Kind {
    /** {@code DEST via GATEWAY}: through a next hop. */
    VIA,
    /** {@code DEST dev IFACE scope link}: straight onto an interface. */
    DEVICE,
    /** {@code blackhole DEST}: packets are dropped silently. */
    BLACKHOLE
  }

  /** Checks the fields against the kind, the family and the protocol range. */
  public OwnedRoute {
    requireNonNull(destination, "destination");
    requireNonNull(kind, "kind");
    checkArgument(
        protocol >= MIN_PROTOCOL && protocol <= 255,
        "Route protocol %s out of range %s..255",
        protocol,
        MIN_PROTOCOL);
    checkArgument(
        hostBitsClear(destination), "Route destination %s has host bits set", destination);
    checkArgument(
        (kind == Kind.VIA) == (gateway != null), "A %s route with gateway %s", kind, gateway);
    checkArgument(
        kind != Kind.DEVICE || device != null, "A device route needs a device: %s", destination);
    checkArgument(
        kind != Kind.BLACKHOLE || device == null, "A blackhole route has no device: %s", device);
    checkArgument(
        gateway == null || (gateway instanceof Inet4Address) == destination.isIpv4(),
        "Gateway %s and destination %s are of different IP families",
        gateway == null ? null : InetAddresses.toAddrString(gateway),
        destination);
  }

  /** {@code ip route replace DEST via GATEWAY proto PROTOCOL}. */
  public static OwnedRoute via(IpPrefix destination, InetAddress gateway, int protocol) {
    return new OwnedRoute(
        destination, Kind.VIA, requireNonNull(gateway, "gateway"), null, protocol);
  }

  /** {@code ip route replace DEST dev DEVICE proto PROTOCOL scope link}. */
  public static OwnedRoute device(IpPrefix destination, InterfaceName device, int protocol) {
    return new OwnedRoute(
        destination, Kind.DEVICE, null, requireNonNull(device, "device"), protocol);
  }

  /** {@code ip route replace blackhole DEST proto PROTOCOL}. */
  public static OwnedRoute blackhole(IpPrefix destination, int protocol) {
    return new OwnedRoute(destination, Kind.BLACKHOLE, null, null, protocol);
  }

  /** True for IPv4. */
  public boolean isIpv4() {
    return destination.isIpv4();
  }

  /**
   * True if the two routes send packets the same way: the same destination, kind, gateway and
   * protocol, and the same device unless this one leaves the device to the kernel ({@link Kind#VIA}
   * without one; a blackhole has none). Compares a wanted route with one {@link
   * Netlink#ownedRoutes} listed.
   */
  public boolean matches(OwnedRoute listed) {
    return destination.equals(listed.destination)
        && kind == listed.kind
        && protocol == listed.protocol
        && java.util.Objects.equals(gateway, listed.gateway)
        && (device == null || device.equals(listed.device));
  }

  private static boolean hostBitsClear(IpPrefix p) {
    byte[] a = p.address().getAddress();
    BigInteger v = new BigInteger(1, a);
    return v.signum() == 0 || v.getLowestSetBit() >= a.length * 8 - p.prefixLength();
  }

  /** In {@code ip route} syntax. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    if (kind == Kind.BLACKHOLE) {
      b.append("blackhole ");
    }
    b.append(destination);
    if (gateway != null) {
      b.append(" via ").append(InetAddresses.toAddrString(gateway));
    }
    if (device != null) {
      b.append(" dev ").append(device);
    }
    b.append(" proto ").append(protocol);
    if (kind == Kind.DEVICE) {
      b.append(" scope link");
    }
    return b.toString();
  }
}
