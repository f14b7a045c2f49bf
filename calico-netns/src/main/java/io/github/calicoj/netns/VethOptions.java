package io.github.calicoj.netns;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Options for {@link Netlink#createVeth}: the host end's MAC, the MTU of both ends, whether the
 * host end comes up at creation, and an interface group. Immutable; start from {@link #DEFAULT}.
 *
 * @param hostMac the host end's MAC, or null for a kernel-chosen one (Calico uses {@link
 *     MacAddress#CALICO_HOST})
 * @param mtu the MTU of both ends, or 0 for the kernel default
 * @param hostUp whether the host end is brought up in the same request
 * @param group the host end's interface group ({@code IFLA_GROUP}), or 0
 */
public record VethOptions(@Nullable MacAddress hostMac, int mtu, boolean hostUp, int group) {

  /** No MAC, default MTU, host end up, group 0. */
  public static final VethOptions DEFAULT = new VethOptions(null, 0, true, 0);

  /** Checks the ranges. */
  public VethOptions {
    checkArgument(mtu == 0 || (mtu >= 68 && mtu <= 65535), "MTU out of range 68..65535: %s", mtu);
  }

  /** With this host-end MAC. */
  public VethOptions withHostMac(MacAddress mac) {
    return new VethOptions(mac, mtu, hostUp, group);
  }

  /** With this MTU on both ends. */
  public VethOptions withMtu(int mtu) {
    return new VethOptions(hostMac, mtu, hostUp, group);
  }

  /** With the host end up (or not) at creation. */
  public VethOptions withHostUp(boolean up) {
    return new VethOptions(hostMac, mtu, up, group);
  }

  /** With the host end in interface group {@code group}. */
  public VethOptions withGroup(int group) {
    return new VethOptions(hostMac, mtu, hostUp, group);
  }

  /** The host MAC, if set. */
  public Optional<MacAddress> hostMacAddress() {
    return Optional.ofNullable(hostMac);
  }
}
