package io.github.calicoj.node.internal.render;

import static io.github.calicoj.node.internal.nft.Expr.jump;
import static io.github.calicoj.node.internal.nft.Expr.verdict;
import static io.github.calicoj.node.internal.nft.RuleBuilder.rule;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import com.google.common.net.InetAddresses;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.node.internal.model.Direction;
import io.github.calicoj.node.internal.model.FelixConfig;
import io.github.calicoj.node.internal.model.IpFamily;
import io.github.calicoj.node.internal.model.PolicyProfile;
import io.github.calicoj.node.internal.model.Problem;
import io.github.calicoj.node.internal.model.Snapshot;
import io.github.calicoj.node.internal.nft.NftChain;
import io.github.calicoj.node.internal.nft.NftKeySet;
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
 * Skeleton}), two chains per distinct profile list of the active local endpoints that has not
 * exactly one profile (shared by the endpoints with that list; a list of one profile is that
 * profile's chains), two chains per profile those lists name, the dispatch entries and source-check
 * elements of each local endpoint, the tag sets those profiles' rules name, and the pool sets for
 * NAT-outgoing. Remembers the chains of its previous render by profile list and profile instance
 * and reuses them; the output is the same as a fresh renderer's. Not thread-safe.
 */
final class TableRenderer {
  /** The dispatch map of packets from workloads: interface → its profile list's chain. */
  static final String FROM_DISPATCH = "fw_dispatch";

  /** The dispatch map of packets to workloads: interface → its profile list's chain. */
  static final String TO_DISPATCH = "tw_dispatch";

  /** IPv4 pools, all of them. */
  static final String ALL_POOLS = "all_pools4";

  /** IPv4 pools with {@code masquerade}. */
  static final String MASQ_POOLS = "masq_pools4";

  /** A profile list's two chains. */
  record ListChains(NftChain from, NftChain to) {}

  /** A profile's two chains and the tag sets they name. */
  record ProfileChains(NftChain in, NftChain out, List<TagRef> tags) {}

  /** The source-check keys of one endpoint, by key set. */
  record EndpointKeys(Map<String, List<NftKeySet.Key>> bySet) {}

  // Chains of the previous render, by profile list and by the profile instance they were rendered
  // from: SnapshotDecoder keeps unchanged profiles, so a change re-renders only what it touched.
  private int acceptMark;
  private Map<List<String>, ListChains> listMemo = new HashMap<>();
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
      listMemo = new HashMap<>();
      profileMemo = new IdentityHashMap<>();
      missingMemo = new HashMap<>();
    }
    RuleRenderer rules = new RuleRenderer(acceptMark);
    SortedMap<String, NftChain> chains = new TreeMap<>();
    Skeleton.chains(config).forEach(c -> chains.put(c.name(), c));
    SortedMap<String, String> fromGotos = new TreeMap<>();
    SortedMap<String, String> toGotos = new TreeMap<>();
    SortedSet<String> profiles = new TreeSet<>();
    Map<String, SortedSet<NftKeySet.Key>> keys = new TreeMap<>();
    Skeleton.keySets().forEach(k -> keys.put(k.name(), new TreeSet<>()));
    Map<List<String>, ListChains> listsNow = new HashMap<>();
    for (WorkloadEndpoint ep : localByInterface(s, problems).values()) {
      if (!ep.state().equals("active")) {
        fromGotos.put(ep.name(), Skeleton.INACTIVE);
        toGotos.put(ep.name(), Skeleton.INACTIVE);
        continue;
      }
      List<String> list = ep.profileIds();
      if (hasChains(list) && !listsNow.containsKey(list)) {
        ListChains c = listMemo.get(list);
        if (c == null) {
          c = listChains(list, rules);
        }
        listsNow.put(list, c);
        chains.put(c.from().name(), c.from());
        chains.put(c.to().name(), c.to());
      }
      fromGotos.put(ep.name(), dispatchTarget(Direction.OUTBOUND, list));
      toGotos.put(ep.name(), dispatchTarget(Direction.INBOUND, list));
      profiles.addAll(list);
      endpointKeys(ep).bySet().forEach((set, k) -> requireNonNull(keys.get(set), set).addAll(k));
    }
    listMemo = listsNow;
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
    ImmutableSortedMap.Builder<String, NftKeySet> keySets = ImmutableSortedMap.naturalOrder();
    for (NftKeySet k : Skeleton.keySets()) {
      keySets.put(
          k.name(),
          new NftKeySet(k.name(), k.type(), ImmutableSortedSet.copyOf(keys.get(k.name()))));
    }
    return new NftTable(
        NftNames.FAMILY,
        NftNames.TABLE,
        ImmutableSortedMap.copyOfSorted(sets),
        ImmutableSortedMap.of(
            FROM_DISPATCH,
            new NftVerdictMap(FROM_DISPATCH, ImmutableSortedMap.copyOfSorted(fromGotos)),
            TO_DISPATCH,
            new NftVerdictMap(TO_DISPATCH, ImmutableSortedMap.copyOfSorted(toGotos))),
        ImmutableSortedMap.copyOfSorted(chains),
        keySets.build());
  }

  /** True if a profile list has chains of its own: unless it has exactly one profile. */
  static boolean hasChains(List<String> profiles) {
    return profiles.size() != 1;
  }

  /**
   * The chain a dispatch map sends an active endpoint's packets to: its list's chain, or for a list
   * of one profile that profile's chain.
   */
  static String dispatchTarget(Direction d, List<String> profiles) {
    return hasChains(profiles)
        ? NftNames.listChain(d, profiles)
        : NftNames.profileChain(d, profiles.get(0));
  }

  /** The {@code fl_} and {@code tl_} chains of a profile list. */
  static ListChains listChains(List<String> profiles, RuleRenderer rules) {
    return new ListChains(
        NftChain.regular(
            NftNames.listChain(Direction.OUTBOUND, profiles),
            list(profiles, Direction.OUTBOUND, rules)),
        NftChain.regular(
            NftNames.listChain(Direction.INBOUND, profiles),
            list(profiles, Direction.INBOUND, rules)));
  }

  /**
   * The source-check keys of an active local endpoint: its interface with each of its addresses
   * ({@code wl_src4}, {@code wl_src6}) and, if it has a MAC, with the MAC ({@code wl_mac}) and
   * alone ({@code wl_mac_ifs}).
   */
  static EndpointKeys endpointKeys(WorkloadEndpoint ep) {
    String iface = ep.name();
    Map<String, List<NftKeySet.Key>> out = new TreeMap<>();
    List<NftKeySet.Key> v4 = new ArrayList<>();
    ep.ipv4Nets().forEach(n -> v4.add(new NftKeySet.Key(iface, addr(n))));
    List<NftKeySet.Key> v6 = new ArrayList<>();
    ep.ipv6Nets().forEach(n -> v6.add(new NftKeySet.Key(iface, addr(n))));
    out.put(Skeleton.SRC4, v4);
    out.put(Skeleton.SRC6, v6);
    String mac = ep.mac();
    out.put(Skeleton.MAC, mac == null ? List.of() : List.of(new NftKeySet.Key(iface, mac)));
    out.put(Skeleton.MAC_IFACES, mac == null ? List.of() : List.of(new NftKeySet.Key(iface, "")));
    return new EndpointKeys(out);
  }

  private static String addr(Cidr c) {
    return InetAddresses.toAddrString(c.address());
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
   * A profile list's chain (what Felix's per-endpoint chains did after the source checks): try each
   * profile in order and return once one accepted. The dispatching chain clears the accept bit
   * before and drops after, unless it is set.
   */
  private static List<NftRule> list(List<String> profiles, Direction d, RuleRenderer rules) {
    List<NftRule> out = new ArrayList<>();
    for (String p : profiles) {
      out.add(rule().add(jump(NftNames.profileChain(d, p))).build());
      out.add(rule().add(rules.accepted()).add(verdict("return")).build());
    }
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
