package io.github.calicoj.node.internal.nft;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableSortedSet;
import io.github.calicoj.core.model.Cidr;

/**
 * A named set of addresses of one family ({@code ipv4_addr} or {@code ipv6_addr}); with {@code
 * interval} it holds networks, which must not overlap. Immutable.
 *
 * @param name the set's name
 * @param type {@code ipv4_addr} or {@code ipv6_addr}
 * @param interval whether it holds networks ({@code flags interval})
 * @param elements the addresses (host networks) or networks
 */
public record NftSet(
    String name, String type, boolean interval, ImmutableSortedSet<Cidr> elements) {

  /** Checks the element families and, without {@code interval}, that elements are hosts. */
  public NftSet {
    requireNonNull(name, "name");
    checkArgument(type.equals("ipv4_addr") || type.equals("ipv6_addr"), "Bad set type %s", type);
    for (Cidr c : elements) {
      checkArgument(c.isIpv4() == type.equals("ipv4_addr"), "%s is not a %s", c, type);
      checkArgument(
          interval || c.prefixLength() == (c.isIpv4() ? 32 : 128),
          "%s needs an interval set (%s)",
          c,
          name);
    }
  }

  /** True if the two sets differ only in their elements. */
  public boolean sameSpec(NftSet o) {
    return name.equals(o.name) && type.equals(o.type) && interval == o.interval;
  }
}
