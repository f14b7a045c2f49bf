package io.github.calicoj.core.ipam;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Who an allocation belongs to, in Calico's IPAM layout: the handle (the key {@code
 * /calico/ipam/v2/handle/<id>} counting its addresses per block, and the block attribute's {@code
 * handle_id}) and the attribute's free-form {@code secondary} map. Releases by handle free only
 * what this owner holds. Immutable.
 *
 * @param handleId the handle, or null for an unowned allocation (as the reference's calicoctl made
 *     them)
 * @param attributes the block attribute's {@code secondary} entries
 */
public record IpOwner(@Nullable String handleId, Map<String, String> attributes) {

  /** No handle and no attributes: what the reference's calicoctl wrote. */
  public static final IpOwner UNOWNED = new IpOwner(null, Map.of());

  /** Checks the handle id is a key segment; copies the map. */
  public IpOwner {
    checkArgument(
        handleId == null || (!handleId.isEmpty() && handleId.indexOf('/') < 0),
        "A handle id must be a non-empty key segment without '/': %s",
        handleId);
    attributes = Map.copyOf(attributes);
  }

  /** An owner with this handle and these attributes. */
  public static IpOwner of(String handleId, Map<String, String> attributes) {
    return new IpOwner(handleId, attributes);
  }
}
