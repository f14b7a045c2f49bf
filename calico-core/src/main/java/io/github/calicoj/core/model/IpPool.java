package io.github.calicoj.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

/**
 * An IP pool, stored at {@code /calico/v1/ipam/v4|v6/pool/<cidr-dash>}. Immutable.
 *
 * @param cidr the pool's network, normalized ({@code 10.1.1.1/8} becomes {@code 10.0.0.0/8})
 * @param ipip IP-in-IP ({@code "ipip": "tunl0"} on the wire); IPv4 only
 * @param masquerade NAT-outgoing
 * @param ipam whether Calico IPAM assigns from it
 * @param disabled whether new blocks may come from it
 */
public record IpPool(Cidr cidr, boolean ipip, boolean masquerade, boolean ipam, boolean disabled) {

  /** The block prefix length Calico IPAM uses: /26 for IPv4, /122 for IPv6. */
  public static int blockPrefix(int version) {
    return version == 4 ? 26 : 122;
  }

  /** Normalizes the CIDR and applies the reference's pool rules. */
  public IpPool {
    requireNonNull(cidr, "cidr");
    cidr = cidr.normalized();
    checkArgument(!(ipip && !cidr.isIpv4()), "IP in IP not supported for IPv6 pools");
    int max = blockPrefix(cidr.version());
    checkArgument(
        !ipam || cidr.prefixLength() <= max,
        "The CIDR block size for an IPv%s pool when using Calico IPAM must have a prefix length of"
            + " %s or lower. Given: %s",
        cidr.version(),
        max,
        cidr.prefixLength());
  }

  /** A plain IPAM pool: no IP-in-IP, no NAT, enabled. */
  public static IpPool of(Cidr cidr) {
    return new IpPool(cidr, false, false, true, false);
  }

  /** With IP-in-IP and NAT-outgoing set as given. */
  public IpPool withOptions(boolean ipip, boolean masquerade) {
    return new IpPool(cidr, ipip, masquerade, ipam, disabled);
  }

  /** Disabled (or not). */
  public IpPool withDisabled(boolean disabled) {
    return new IpPool(cidr, ipip, masquerade, ipam, disabled);
  }
}
