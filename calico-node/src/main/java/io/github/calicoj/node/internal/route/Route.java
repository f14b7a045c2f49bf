package io.github.calicoj.node.internal.route;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.node.internal.model.IpFamily;
import java.net.Inet4Address;
import java.net.InetAddress;
import org.jspecify.annotations.Nullable;

/**
 * One route the agent wants: a destination reached via a gateway, through a device, or blackholed.
 * Immutable; {@code toString} is the {@code ip route} form.
 *
 * @param destination the destination network, host bits clear
 * @param kind via a gateway, through a device, or blackhole
 * @param gateway the next hop, for {@link Kind#VIA} only
 * @param device the interface, for {@link Kind#DEVICE} only
 */
public record Route(
    Cidr destination, Kind kind, @Nullable InetAddress gateway, @Nullable String device) {

  /** How the destination is reached. */
  public enum Kind {
    /** {@code ip route replace DEST via GATEWAY}: another host's block or workload. */
    VIA,
    /** {@code ip route replace DEST dev IFACE}: a local workload. */
    DEVICE,
    /** {@code ip route replace blackhole DEST}: this host's block, outside its workloads. */
    BLACKHOLE
  }

  /** Checks that the fields fit the kind and the family. */
  public Route {
    requireNonNull(destination, "destination");
    requireNonNull(kind, "kind");
    checkArgument(destination.isNormalized(), "Destination has host bits: %s", destination);
    checkArgument(
        (kind == Kind.VIA) == (gateway != null), "%s route with gateway %s", kind, gateway);
    checkArgument(
        (kind == Kind.DEVICE) == (device != null), "%s route with device %s", kind, device);
    checkArgument(
        gateway == null || (gateway instanceof Inet4Address) == destination.isIpv4(),
        "Gateway %s is not of the family of %s",
        gateway,
        destination);
  }

  /** {@code DEST via GATEWAY}. */
  public static Route via(Cidr destination, InetAddress gateway) {
    return new Route(destination, Kind.VIA, requireNonNull(gateway, "gateway"), null);
  }

  /** {@code DEST dev IFACE}. */
  public static Route device(Cidr destination, String device) {
    return new Route(destination, Kind.DEVICE, null, requireNonNull(device, "device"));
  }

  /** {@code blackhole DEST}. */
  public static Route blackhole(Cidr destination) {
    return new Route(destination, Kind.BLACKHOLE, null, null);
  }

  /** The destination's family. */
  public IpFamily family() {
    return IpFamily.of(destination);
  }

  @Override
  public String toString() {
    return switch (kind) {
      case VIA -> destination + " via " + InetAddresses.toAddrString(requireNonNull(gateway));
      case DEVICE -> destination + " dev " + device;
      case BLACKHOLE -> "blackhole " + destination;
    };
  }
}
