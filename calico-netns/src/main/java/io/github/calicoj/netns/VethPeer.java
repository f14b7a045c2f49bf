package io.github.calicoj.netns;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

/**
 * The other end of a veth, as seen from the namespace of the end that was asked about ({@link
 * Netlink#peerOf}). Immutable.
 *
 * @param index the peer's interface index, valid in the peer's namespace
 * @param name the peer's name in its namespace
 * @param namespaceId the peer namespace's id as the asking namespace numbers it ({@code ip -d link
 *     show}'s {@code link-netnsid}), or {@link Link#SAME_NAMESPACE} if both ends are in one
 *     namespace
 */
public record VethPeer(int index, InterfaceName name, int namespaceId) {

  /** Validates the index and the id. */
  public VethPeer {
    checkArgument(index > 0, "Peer index must be positive: %s", index);
    requireNonNull(name, "name");
    checkArgument(
        namespaceId >= Link.SAME_NAMESPACE, "Namespace id must be -1 or more: %s", namespaceId);
  }

  /** True if both ends are in one namespace. */
  public boolean inSameNamespace() {
    return namespaceId == Link.SAME_NAMESPACE;
  }
}
