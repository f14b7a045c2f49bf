package io.github.calicoj.netns;

import static java.util.Objects.requireNonNull;

/**
 * A network interface as the kernel reported it ({@code ip link show}). Immutable snapshot.
 *
 * @param index the interface index, unique within its namespace
 * @param name the interface name
 * @param mac the hardware address ({@link MacAddress#ZERO} if it has none)
 * @param mtu the MTU
 * @param up true if administratively up ({@code IFF_UP})
 * @param group the interface group ({@code IFLA_GROUP}, 0 by default)
 */
public record Link(int index, InterfaceName name, MacAddress mac, int mtu, boolean up, int group) {

  /** Rejects nulls. */
  public Link {
    requireNonNull(name, "name");
    requireNonNull(mac, "mac");
  }
}
