package io.github.calicoj.netns;

import static java.util.Objects.requireNonNull;

/**
 * A network interface as the kernel reported it ({@code ip -d link show}). Immutable snapshot.
 *
 * <p>For a veth, {@link #linkIndex()} is the peer's interface index and {@link #linkNetnsId()} says
 * in which namespace that index is valid: {@link #SAME_NAMESPACE} when the peer is in the link's
 * own namespace, else the peer namespace's id as the link's namespace numbers it (what {@code ip -d
 * link show} prints as {@code link-netnsid}, and {@link Netlink#namespaceId} returns for a {@link
 * NetNs}).
 *
 * @param index the interface index, unique within its namespace
 * @param name the interface name
 * @param mac the hardware address ({@link MacAddress#ZERO} if it has none)
 * @param mtu the MTU
 * @param up true if administratively up ({@code IFF_UP})
 * @param group the interface group ({@code IFLA_GROUP}, 0 by default)
 * @param kind the link type ({@code IFLA_INFO_KIND}, such as {@code veth}); empty for a device
 *     without one, such as {@code lo} or a physical NIC
 * @param linkIndex the index of the linked device ({@code IFLA_LINK}): a veth's peer, a VLAN's
 *     parent; 0 if none
 * @param linkNetnsId the id of the linked device's namespace ({@code IFLA_LINK_NETNSID}), or {@link
 *     #SAME_NAMESPACE}
 */
public record Link(
    int index,
    InterfaceName name,
    MacAddress mac,
    int mtu,
    boolean up,
    int group,
    String kind,
    int linkIndex,
    int linkNetnsId) {

  /**
   * {@link #linkNetnsId()} when the kernel reports no namespace id: the linked device is in the
   * link's own namespace ({@code NETNSA_NSID_NOT_ASSIGNED}).
   */
  public static final int SAME_NAMESPACE = -1;

  /** The {@link #kind()} of a veth. */
  public static final String VETH = "veth";

  /** Rejects nulls. */
  public Link {
    requireNonNull(name, "name");
    requireNonNull(mac, "mac");
    requireNonNull(kind, "kind");
  }

  /** A link without a kind or a linked device. */
  public Link(int index, InterfaceName name, MacAddress mac, int mtu, boolean up, int group) {
    this(index, name, mac, mtu, up, group, "", 0, SAME_NAMESPACE);
  }

  /** True if this is one end of a veth pair. */
  public boolean isVeth() {
    return VETH.equals(kind);
  }
}
