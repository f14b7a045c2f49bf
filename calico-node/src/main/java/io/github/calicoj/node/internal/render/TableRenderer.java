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
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
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
 * sets those profiles' rules name, and the pool sets for NAT-outgoing. Remembers the chains of its
 * previous render by endpoint and profile instance and reuses them; the output is the same as a
 * fresh renderer's. Not thread-safe.
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

  /** An endpoint's two chains. */
  record EndpointChains(NftChain from, NftChain to) {}

  /** A profile's two chains and the tag sets they name. */
  record ProfileChains(NftChain in, NftChain out, List<TagRef> tags) {}

  // Chains of the previous render, by the instance they were rendered from: SnapshotDecoder keeps
  // unchanged endpoints and profiles, so a change re-renders only what it touched.
  private int acceptMark;
  private IdentityHashMap<WorkloadEndpoint, EndpointChains> endpointMemo = new IdentityHashMap<>();
  private IdentityHashMap<PolicyProfile, ProfileChains> profileMemo = new IdentityHashMap<>();
  private Map<String, ProfileChains> missingMemo = new HashMap<>();
  private Map<TagRef, SetMemo> setMemo = new HashMap<>();

  /** A tag set and the members it was made from. */
  private record SetMemo(Set<Cidr> members, NftSet set) {}

  /** The table; problems found while rendering are added to {@code problems}. */
  NftTable render(Snapshot s, List<Problem> problems) {
    FelixConfig config = s.config();
    if (config.acceptMark() != acceptMark) {
      acceptMark = config.acceptMark();
      endpointMemo = new IdentityHashMap<>();
      profileMemo = new IdentityHashMap<>();
      missingMemo = new HashMap<>();
    }
    RuleRenderer rules = new RuleRenderer(acceptMark);
    SortedMap<String, NftChain> chains = new TreeMap<>();
    Skeleton.chains(config).forEach(c -> chains.put(c.name(), c));
    SortedMap<String, String> fromGotos = new TreeMap<>();
    SortedMap<String, String> toGotos = new TreeMap<>();
    SortedSet<String> profiles = new TreeSet<>();
    IdentityHashMap<WorkloadEndpoint, EndpointChains> endpointsNow = new IdentityHashMap<>();
    for (WorkloadEndpoint ep : localByInterface(s, problems).values()) {
      EndpointChains c = endpointMemo.get(ep);
      if (c == null) {
        c = endpointChains(ep, rules);
      }
      endpointsNow.put(ep, c);
      chains.put(c.from().name(), c.from());
      chains.put(c.to().name(), c.to());
      fromGotos.put(ep.name(), c.from().name());
      toGotos.put(ep.name(), c.to().name());
      if (ep.state().equals("active")) {
        profiles.addAll(ep.profileIds());
      }
    }
    endpointMemo = endpointsNow;
    SortedSet<TagRef> tags = new TreeSet<>(TagRef.ORDER);
    IdentityHashMap<PolicyProfile, ProfileChains> profilesNow = new IdentityHashMap<>();
    Map<String, ProfileChains> missingNow = new HashMap<>();
    for (String p : profiles) {
      PolicyProfile profile = s.profiles().get(p);
      ProfileChains c = profile == null ? missingMemo.get(p) : profileMemo.get(profile);
      if (c == null) {
        c = profileChains(profile, p, rules);
      }
      if (profile == null) {
        missingNow.put(p, c);
      } else {
        profilesNow.put(profile, c);
      }
      chains.put(c.in().name(), c.in());
      chains.put(c.out().name(), c.out());
      tags.addAll(c.tags());
    }
    profileMemo = profilesNow;
    missingMemo = missingNow;
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

  /** A local endpoint's {@code fw_} and {@code tw_} chains. */
  static EndpointChains endpointChains(WorkloadEndpoint ep, RuleRenderer rules) {
    return new EndpointChains(
        endpointChain(ep, Direction.OUTBOUND, rules), endpointChain(ep, Direction.INBOUND, rules));
  }

  private static NftChain endpointChain(WorkloadEndpoint ep, Direction d, RuleRenderer rules) {
    return NftChain.regular(NftNames.endpointChain(d, ep.name()), endpoint(ep, d, rules));
  }

  /** A profile's {@code pi_} and {@code po_} chains; a stub that drops if it is null. */
  static ProfileChains profileChains(
      @Nullable PolicyProfile profile, String name, RuleRenderer rules) {
    SortedSet<TagRef> tags = new TreeSet<>(TagRef.ORDER);
    NftChain in =
        NftChain.regular(
            NftNames.profileChain(Direction.INBOUND, name),
            rules.chain(profile, name, Direction.INBOUND, tags));
    NftChain out =
        NftChain.regular(
            NftNames.profileChain(Direction.OUTBOUND, name),
            rules.chain(profile, name, Direction.OUTBOUND, tags));
    return new ProfileChains(in, out, List.copyOf(tags));
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
   * An endpoint's chain (Felix's per-endpoint chains): inactive drops everything; else clear the
   * accept bit, (from the workload) drop other source MACs and addresses, try each profile in order
   * and return once one accepted, drop.
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

  /**
   * One set per referenced tag and family: the addresses of every endpoint carrying the tag. A set
   * whose members did not change is the previous instance (compared as hash sets: sorting and
   * comparing addresses in order is what costs).
   */
  private List<NftSet> tagSets(Snapshot s, SortedSet<TagRef> refs) {
    Map<TagRef, Set<Cidr>> members = new HashMap<>();
    Map<TagRef, Set<Cidr>> ordered = new TreeMap<>(TagRef.ORDER);
    refs.forEach(r -> members.put(r, new HashSet<>()));
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
    Map<TagRef, SetMemo> memoNow = new HashMap<>();
    ordered.putAll(members);
    for (Map.Entry<TagRef, Set<Cidr>> e : ordered.entrySet()) {
      TagRef r = e.getKey();
      Set<Cidr> ips = e.getValue();
      SetMemo memo = setMemo.get(r);
      if (memo == null || !memo.members().equals(ips)) {
        String type = r.family() == IpFamily.V4 ? "ipv4_addr" : "ipv6_addr";
        String name = NftNames.tagSet(r.family(), r.tag());
        memo = new SetMemo(ips, new NftSet(name, type, false, ImmutableSortedSet.copyOf(ips)));
      }
      memoNow.put(r, memo);
      out.add(memo.set());
    }
    setMemo = memoNow;
    return out;
  }

  private static void add(@Nullable Set<Cidr> into, List<Cidr> nets) {
    if (into != null) {
      into.addAll(nets);
    }
  }

  /** IPv4 pools (all, and those with masquerade), nested pools folded into the outer one. */
  private static List<NftSet> poolSets(Snapshot s) {
    return poolSets(s.pools().values());
  }

  /** The pool sets of {@code pools}. */
  static List<NftSet> poolSets(Iterable<IpPool> pools) {
    List<Cidr> all = new ArrayList<>();
    List<Cidr> masq = new ArrayList<>();
    for (IpPool p : pools) {
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
