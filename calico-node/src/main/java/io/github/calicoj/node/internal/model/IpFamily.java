package io.github.calicoj.node.internal.model;

import io.github.calicoj.core.model.Cidr;
import java.util.EnumSet;
import java.util.Set;

/** IPv4 or IPv6, with the names nftables uses for each. */
public enum IpFamily {
  V4(4, "ipv4", "ip", "icmp"),
  V6(6, "ipv6", "ip6", "icmpv6");

  private final int version;
  private final String nfproto;
  private final String payload;
  private final String icmp;

  IpFamily(int version, String nfproto, String payload, String icmp) {
    this.version = version;
    this.nfproto = nfproto;
    this.payload = payload;
    this.icmp = icmp;
  }

  /** 4 or 6. */
  public int version() {
    return version;
  }

  /** The {@code meta nfproto} value: {@code ipv4} or {@code ipv6}. */
  public String nfproto() {
    return nfproto;
  }

  /** The payload protocol of the network header: {@code ip} or {@code ip6}. */
  public String payload() {
    return payload;
  }

  /** This family's ICMP protocol name: {@code icmp} or {@code icmpv6}. */
  public String icmp() {
    return icmp;
  }

  /** The family of a network. */
  public static IpFamily of(Cidr cidr) {
    return cidr.isIpv4() ? V4 : V6;
  }

  /** The family of version 4 or 6. */
  public static IpFamily ofVersion(int version) {
    if (version == 4) {
      return V4;
    }
    if (version == 6) {
      return V6;
    }
    throw new IllegalArgumentException("IP version must be 4 or 6: " + version);
  }

  /** Both families. */
  public static Set<IpFamily> both() {
    return Set.copyOf(EnumSet.allOf(IpFamily.class));
  }
}
