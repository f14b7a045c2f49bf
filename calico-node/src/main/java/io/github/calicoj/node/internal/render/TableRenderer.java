package io.github.calicoj.node.internal.render;

import static io.github.calicoj.node.internal.nft.Expr.and;
import static io.github.calicoj.node.internal.nft.Expr.jump;
import static io.github.calicoj.node.internal.nft.Expr.meta;
import static io.github.calicoj.node.internal.nft.Expr.payload;
import static io.github.calicoj.node.internal.nft.Expr.text;
import static io.github.calicoj.node.internal.nft.Expr.verdict;
import static io.github.calicoj.node.internal.nft.RuleBuilder.rule;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.node.internal.model.Direction;
import io.github.calicoj.node.internal.model.FelixConfig;
import io.github.calicoj.node.internal.model.IpFamily;
import io.github.calicoj.node.internal.model.PolicyProfile;
import io.github.calicoj.node.internal.model.Problem;
import io.github.calicoj.node.internal.model.Snapshot;
import io.github.calicoj.node.internal.nft.Expr;
import io.github.calicoj.node.internal.nft.NftChain;
import io.github.calicoj.node.internal.nft.NftRule;
import io.github.calicoj.node.internal.nft.NftSet;
import io.github.calicoj.node.internal.nft.NftTable;
import io.github.calicoj.node.internal.nft.NftVerdictMap;
import io.github.calicoj.node.internal.render.RuleRenderer.TagRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Renders the agent's {@code inet calico} table from a snapshot: the fixed skeleton ({@link
 * Skeleton}), two chains per local endpoint, two chains per profile those endpoints use, the tag
 * sets those profiles' rules name, and the pool sets for NAT-outgoing. Stateless and thread-safe.
 */
final class TableRenderer {
  /** The dispatch map of packets from workloads: interface → {@code fw_} chain. */
  static final String FROM_DISPATCH = "fw_dispatch";

  /** The dispatch map of packets to workloads: interface → {@code tw_} chain. */
  static final String TO_DISPATCH = "tw_dispatch";

  /** IPv4 pools, all of them. */
  static final String ALL_POOLS = "all_pools4";

  /** IPv4 pools with {@code masquerade}. */
  static final String MASQ_POOLS = "masq_pools4";

  private TableRenderer() {}

  /** The table; problems found while rendering are added to {@code problems}. */
  static NftTable render(Snapshot s, List<Problem> problems) {
    FelixConfig config = s.config();
    RuleRenderer rules = new RuleRenderer(config.acceptMark());
    SortedMap<String, NftChain> chains = new TreeMap<>();
    Skeleton.chains(config).forEach(c -> chains.put(c.name(), c));
    SortedMap<String, String> fromGotos = new TreeMap<>();
    SortedMap<String, String> toGotos = new TreeMap<>();
    SortedSet<String> profiles = new TreeSet<>();
    for (WorkloadEndpoint ep : localByInterface(s, problems).values()) {
      for (Direction d : Direction.values()) {
        NftChain c = NftChain.regular(NftNames.endpointChain(d, ep.name()), endpoint(ep, d, rules));
        chains.put(c.name(), c);
        (d == Direction.OUTBOUND ? fromGotos : toGotos).put(ep.name(), c.name());
      }
      if (ep.state().equals("active")) {
        profiles.addAll(ep.profileIds());
      }
    }
    SortedSet<TagRef> tags = new TreeSet<>(TagRef.ORDER);
    for (String p : profiles) {
      PolicyProfile profile = s.profiles().get(p);
      for (Direction d : Direction.values()) {
        String name = NftNames.profileChain(d, p);
        chains.put(name, NftChain.regular(name, rules.chain(profile, p, d, tags)));
      }
    }
    SortedMap<String, NftSet> sets = new TreeMap<>();
    tagSets(s, tags).forEach(set -> sets.put(set.name(), set));
    poolSets(s).forEach(set -> sets.put(set.name(), set));
    return new NftTable(
        NftNames.FAMILY,
        NftNames.TABLE,
        ImmutableSortedMap.copyOfSorted(sets),
        ImmutableSortedMap.of(
            FROM_DISPATCH,
            new NftVerdictMap(FROM_DISPATCH, ImmutableSortedMap.copyOfSorted(fromGotos)),
            TO_DISPATCH,
            new NftVerdictMap(TO_DISPATCH, ImmutableSortedMap.copyOfSorted(toGotos))),
        ImmutableSortedMap.copyOfSorted(chains));
  }

  /** Local endpoints by interface; of two with one interface, the first by key is kept. */
  private static SortedMap<String, WorkloadEndpoint> localByInterface(
      Snapshot s, List<Problem> problems) {
    SortedMap<String, WorkloadEndpoint> out = new TreeMap<>();
    for (WorkloadEndpoint ep : s.localEndpoints()) {
      WorkloadEndpoint first = out.putIfAbsent(ep.name(), ep);
      if (first != null) {
        problems.add(
            new Problem(
                "interface " + ep.name(),
                "used by endpoints "
                    + first.endpointId()
                    + " and "
                    + ep.endpointId()
                    + "; only the first is programmed"));
      }
    }
    return out;
  }

  /**
   * An endpoint's chain (felix spec §3.2, §3.8): inactive drops everything; else clear the accept
   * bit, (from the workload) drop other source MACs and addresses, try each profile in order and
   * return once one accepted, drop.
   */
  private static List<NftRule> endpoint(WorkloadEndpoint ep, Direction d, RuleRenderer rules) {
    if (!ep.state().equals("active")) {
      return List.of(
          rule().add(verdict("drop")).build("endpoint " + ep.endpointId() + " inactive"));
    }
    List<NftRule> out = new ArrayList<>();
    out.add(rule().add(Expr.setMark(and(meta("mark"), ~rules.acceptMark() & 0xffffffffL))).build());
    if (d == Direction.OUTBOUND) {
      String mac = ep.mac();
      if (mac != null) {
        out.add(rule().ne(payload("ether", "saddr"), text(mac)).add(verdict("drop")).build());
      }
      for (IpFamily f : IpFamily.values()) {
        List<Cidr> nets = f == IpFamily.V4 ? ep.ipv4Nets() : ep.ipv6Nets();
        if (nets.isEmpty()) {
          out.add(rule().eq(meta("nfproto"), text(f.nfproto())).add(verdict("drop")).build());
        } else {
          List<JsonNode> own = nets.stream().map(Expr::address).toList();
          JsonNode saddr = payload(f.payload(), "saddr");
          out.add(rule().ne(saddr, Expr.oneOrSet(own)).add(verdict("drop")).build());
        }
      }
    }
    for (String p : ep.profileIds()) {
      out.add(rule().add(jump(NftNames.profileChain(d, p))).build());
      out.add(rule().add(rules.accepted()).add(verdict("return")).build());
    }
    out.add(rule().add(verdict("drop")).build());
    return out;
  }

  /** One set per referenced tag and family: the addresses of every endpoint carrying the tag. */
  private static List<NftSet> tagSets(Snapshot s, SortedSet<TagRef> refs) {
    Map<TagRef, SortedSet<Cidr>> members = new TreeMap<>(TagRef.ORDER);
    refs.forEach(r -> members.put(r, new TreeSet<>()));
    for (WorkloadEndpoint ep : s.endpoints().values()) {
      for (String p : ep.profileIds()) {
        PolicyProfile profile = s.profiles().get(p);
        if (profile == null) {
          continue;
        }
        for (String tag : profile.tags()) {
          add(members.get(new TagRef(IpFamily.V4, tag)), ep.ipv4Nets());
          add(members.get(new TagRef(IpFamily.V6, tag)), ep.ipv6Nets());
        }
      }
    }
    List<NftSet> out = new ArrayList<>();
    members.forEach(
        (r, ips) -> {
          String type = r.family() == IpFamily.V4 ? "ipv4_addr" : "ipv6_addr";
          String name = NftNames.tagSet(r.family(), r.tag());
          out.add(new NftSet(name, type, false, ImmutableSortedSet.copyOfSorted(ips)));
        });
    return out;
  }

  private static void add(@Nullable Set<Cidr> into, List<Cidr> nets) {
    if (into != null) {
      into.addAll(nets);
    }
  }

  /** IPv4 pools (all, and those with masquerade), nested pools folded into the outer one. */
  private static List<NftSet> poolSets(Snapshot s) {
    List<Cidr> all = new ArrayList<>();
    List<Cidr> masq = new ArrayList<>();
    for (IpPool p : s.pools().values()) {
      if (p.cidr().isIpv4()) {
        all.add(p.cidr());
        if (p.masquerade()) {
          masq.add(p.cidr());
        }
      }
    }
    return List.of(
        new NftSet(ALL_POOLS, "ipv4_addr", true, outermost(all)),
        new NftSet(MASQ_POOLS, "ipv4_addr", true, outermost(masq)));
  }

  /** The networks not inside another one: interval set elements must not overlap. */
  static ImmutableSortedSet<Cidr> outermost(List<Cidr> nets) {
    List<Cidr> sorted = new ArrayList<>(new TreeSet<>(nets)); // a container sorts before its parts
    List<Cidr> out = new ArrayList<>();
    for (Cidr c : sorted) {
      if (out.isEmpty() || !out.get(out.size() - 1).contains(c)) {
        out.add(c);
      }
    }
    return ImmutableSortedSet.copyOf(out);
  }
}
