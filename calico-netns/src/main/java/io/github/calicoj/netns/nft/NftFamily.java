package io.github.calicoj.netns.nft;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/** An nftables address family, as {@code nft} and libnftables' JSON name it. */
public enum NftFamily {
  /** {@code ip}: IPv4 only. */
  IP,
  /** {@code ip6}: IPv6 only. */
  IP6,
  /** {@code inet}: IPv4 and IPv6 in one table. */
  INET,
  /** {@code arp}. */
  ARP,
  /** {@code bridge}. */
  BRIDGE,
  /** {@code netdev}: ingress and egress of one device. */
  NETDEV;

  /** The keyword: {@code inet}, {@code ip6}, ... */
  public String keyword() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The family named by {@code keyword}.
   *
   * @throws IllegalArgumentException if it is not one of the keywords
   */
  public static NftFamily of(String keyword) {
    requireNonNull(keyword, "keyword");
    for (NftFamily f : values()) {
      if (f.keyword().equals(keyword)) {
        return f;
      }
    }
    throw new IllegalArgumentException("Unknown nftables family: " + keyword);
  }

  @Override
  public String toString() {
    return keyword();
  }
}
