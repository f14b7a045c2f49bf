package io.github.calicoj.node.internal.render;

import static io.github.calicoj.node.internal.nft.Expr.jump;
import static io.github.calicoj.node.internal.nft.Expr.meta;
import static io.github.calicoj.node.internal.nft.Expr.number;
import static io.github.calicoj.node.internal.nft.Expr.payload;
import static io.github.calicoj.node.internal.nft.Expr.text;
import static io.github.calicoj.node.internal.nft.Expr.verdict;
import static io.github.calicoj.node.internal.nft.RuleBuilder.rule;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ImmutableSortedSet;
import io.github.calicoj.node.internal.model.FelixConfig;
import io.github.calicoj.node.internal.nft.BaseChain;
import io.github.calicoj.node.internal.nft.Expr;
import io.github.calicoj.node.internal.nft.NftChain;
import io.github.calicoj.node.internal.nft.NftKeySet;
import io.github.calicoj.node.internal.nft.NftRule;
import java.util.ArrayList;
import java.util.List;

/**
 * The chains every agent table has, whatever the endpoints: Felix's FORWARD, INPUT, anti-spoofing
 * and NAT-outgoing rules. For each interface prefix {@code P}:
 *
 * <ul>
 *   <li>{@code prerouting} (priority raw): {@code iifname "P*" fib saddr . iif oif missing drop}, a
 *       strict reverse-path check in both families;
 *   <li>{@code forward}: conntrack first (invalid drops, established and related are accepted, so
 *       replies bypass policy), then {@code from_wl} for packets from workloads and {@code to_wl}
 *       for packets to them;
 *   <li>{@code input}: workload-to-host packets go to {@code wl_to_host};
 *   <li>{@code postrouting} (nat): NAT-outgoing for masquerade pools.
 * </ul>
 *
 * <p>{@code from_wl} first drops what a workload sends from a source that is not its own: a MAC
 * other than its endpoint's ({@code wl_mac}, for the interfaces in {@code wl_mac_ifs}), an IPv4 or
 * IPv6 source other than its endpoint's addresses ({@code wl_src4}, {@code wl_src6}; an endpoint
 * without addresses of a family sends nothing of it). Then {@code from_wl}/{@code to_wl} clear the
 * accept bit, jump on the interface name to the chain of the endpoint's profile list ({@code
 * fw_dispatch}, {@code tw_dispatch}; for a list of one profile, that profile's chain), or to {@code
 * wl_inactive} for an inactive endpoint, return if a profile accepted, and drop the rest (also
 * packets of unknown workload interfaces). {@code wl_to_host}: conntrack, ICMPv6 neighbour and
 * multicast-listener messages, DHCP and DNS to the host, then {@code DefaultEndpointToHostAction}.
 */
final class Skeleton {
  private static final int PRIORITY_RAW = -300;
  private static final int PRIORITY_FILTER = 0;
  private static final int PRIORITY_SRCNAT = 100;

  /** Each workload interface with each of its endpoint's IPv4 addresses. */
  static final String SRC4 = "wl_src4";

  /** Each workload interface with each of its endpoint's IPv6 addresses. */
  static final String SRC6 = "wl_src6";

  /** Each workload interface with its endpoint's MAC, where the endpoint has one. */
  static final String MAC = "wl_mac";

  /** The workload interfaces whose endpoints have a MAC. */
  static final String MAC_IFACES = "wl_mac_ifs";

  /** Where the dispatch maps send packets of an inactive endpoint: a drop. */
  static final String INACTIVE = "wl_inactive";

  private Skeleton() {}

  /** The sets keyed by interface that {@code from_wl} checks sources against, empty. */
  static List<NftKeySet> keySets() {
    return List.of(
        new NftKeySet(SRC4, NftKeySet.KeyType.IFNAME_IPV4, ImmutableSortedSet.of()),
        new NftKeySet(SRC6, NftKeySet.KeyType.IFNAME_IPV6, ImmutableSortedSet.of()),
        new NftKeySet(MAC, NftKeySet.KeyType.IFNAME_ETHER, ImmutableSortedSet.of()),
        new NftKeySet(MAC_IFACES, NftKeySet.KeyType.IFNAME, ImmutableSortedSet.of()));
  }

  static List<NftChain> chains(FelixConfig config) {
    List<NftRule> pre = new ArrayList<>();
    List<NftRule> forward = new ArrayList<>();
    List<NftRule> input = new ArrayList<>();
    for (String p : config.interfacePrefixes()) {
      JsonNode in = Expr.match("==", meta("iifname"), text(p + "*"));
      JsonNode out = Expr.match("==", meta("oifname"), text(p + "*"));
      pre.add(
          rule()
              .add(in)
              .eq(Expr.fib("oif", "saddr", "iif"), Expr.bool(false))
              .add(verdict("drop"))
              .build());
      forward.add(rule().add(in).add(conntrack()).build());
      forward.add(rule().add(out).add(conntrack()).build());
    }
    for (String p : config.interfacePrefixes()) {
      JsonNode in = Expr.match("==", meta("iifname"), text(p + "*"));
      JsonNode out = Expr.match("==", meta("oifname"), text(p + "*"));
      forward.add(rule().add(in).add(jump("from_wl")).build());
      forward.add(rule().add(out).add(jump("to_wl")).build());
      input.add(rule().add(in).add(jump("wl_to_host")).build());
    }
    NftRule masquerade =
        rule()
            .eq(payload("ip", "saddr"), Expr.setRef(TableRenderer.MASQ_POOLS))
            .ne(payload("ip", "daddr"), Expr.setRef(TableRenderer.ALL_POOLS))
            .add(Expr.masquerade())
            .build();
    return List.of(
        new NftChain("prerouting", filter("prerouting", PRIORITY_RAW), pre),
        new NftChain("forward", filter("forward", PRIORITY_FILTER), forward),
        new NftChain("input", filter("input", PRIORITY_FILTER), input),
        new NftChain(
            "postrouting",
            new BaseChain("nat", "postrouting", PRIORITY_SRCNAT, "accept"),
            List.of(masquerade)),
        NftChain.regular("from_wl", fromWorkloads(config)),
        NftChain.regular("to_wl", dispatch(config, "oifname", TableRenderer.TO_DISPATCH)),
        NftChain.regular(INACTIVE, List.of(rule().add(verdict("drop")).build("inactive endpoint"))),
        NftChain.regular("wl_to_host", toHost(config)));
  }

  private static BaseChain filter(String hook, int priority) {
    return new BaseChain("filter", hook, priority, "accept");
  }

  /** {@code ct state vmap { invalid : drop, established : accept, related : accept }}. */
  private static JsonNode conntrack() {
    return Expr.vmap(
        Expr.ctState(),
        List.of(
            List.of(text("invalid"), verdict("drop")),
            List.of(text("established"), verdict("accept")),
            List.of(text("related"), verdict("accept"))));
  }

  /** Anti-spoofing (Felix's per-endpoint source checks, as set lookups), then the dispatch. */
  private static List<NftRule> fromWorkloads(FelixConfig config) {
    JsonNode iif = meta("iifname");
    List<NftRule> out = new ArrayList<>();
    out.add(
        rule()
            .eq(iif, Expr.setRef(MAC_IFACES))
            .ne(Expr.concat(iif, payload("ether", "saddr")), Expr.setRef(MAC))
            .add(verdict("drop"))
            .build("source MAC not the endpoint's"));
    out.add(
        rule()
            .ne(Expr.concat(iif, payload("ip", "saddr")), Expr.setRef(SRC4))
            .add(verdict("drop"))
            .build("IPv4 source not the endpoint's"));
    out.add(
        rule()
            .ne(Expr.concat(iif, payload("ip6", "saddr")), Expr.setRef(SRC6))
            .add(verdict("drop"))
            .build("IPv6 source not the endpoint's"));
    out.addAll(dispatch(config, "iifname", TableRenderer.FROM_DISPATCH));
    return out;
  }

  /**
   * Clear the accept bit, jump to the endpoint's profile list, return once a profile accepted, drop
   * (no profile accepted, or an unknown workload interface).
   */
  private static List<NftRule> dispatch(FelixConfig config, String key, String map) {
    RuleRenderer rules = new RuleRenderer(config.acceptMark());
    return List.of(
        rule().add(Expr.setMark(Expr.and(meta("mark"), ~rules.acceptMark() & 0xffffffffL))).build(),
        rule().add(Expr.vmap(meta(key), map)).build(),
        rule().add(rules.accepted()).add(verdict("return")).build(),
        rule().add(verdict("drop")).build("no profile accepted, or unknown workload interface"));
  }

  /** Felix 1.3's INPUT order for workload interfaces. */
  private static List<NftRule> toHost(FelixConfig config) {
    List<JsonNode> nd = new ArrayList<>();
    for (int type : new int[] {130, 131, 132, 133, 135, 136}) { // MLD, RS, NS, NA; not RA
      nd.add(number(type));
    }
    List<NftRule> out = new ArrayList<>();
    out.add(rule().add(conntrack()).build());
    out.add(rule().eq(payload("icmpv6", "type"), Expr.set(nd)).add(verdict("accept")).build());
    out.add(dhcp("ipv4", 68, 67));
    out.add(dhcp("ipv6", 546, 547));
    out.add(rule().eq(payload("udp", "dport"), number(53)).add(verdict("accept")).build("DNS"));
    switch (config.endpointToHostAction()) {
      case DROP -> out.add(rule().add(verdict("drop")).build("DefaultEndpointToHostAction DROP"));
      case RETURN ->
          out.add(rule().add(jump("from_wl")).build("DefaultEndpointToHostAction RETURN"));
      case ACCEPT -> {
        out.add(rule().add(jump("from_wl")).build("DefaultEndpointToHostAction ACCEPT"));
        out.add(rule().add(verdict("accept")).build());
      }
    }
    return out;
  }

  private static NftRule dhcp(String nfproto, int sport, int dport) {
    return rule()
        .eq(meta("nfproto"), text(nfproto))
        .eq(payload("udp", "sport"), number(sport))
        .eq(payload("udp", "dport"), number(dport))
        .add(verdict("accept"))
        .build("DHCP");
  }
}
