package io.github.calicoj.node.internal.render;

import static java.util.Objects.requireNonNull;

import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.node.internal.model.Direction;
import io.github.calicoj.node.internal.model.FelixConfig;
import io.github.calicoj.node.internal.model.IpFamily;
import io.github.calicoj.node.internal.model.PolicyProfile;
import io.github.calicoj.node.internal.model.Problem;
import io.github.calicoj.node.internal.nft.NftBatch;
import io.github.calicoj.node.internal.nft.NftSet;
import io.github.calicoj.node.internal.nft.NftTable;
import io.github.calicoj.node.internal.nft.TableEditor;
import io.github.calicoj.node.internal.render.RuleRenderer.TagRef;
import io.github.calicoj.node.internal.render.TableRenderer.ProfileChains;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The agent's table kept up to date endpoint by endpoint and profile by profile: the same table as
 * {@link TableRenderer} renders from a whole snapshot, with the work of a change bounded by what it
 * touches (an endpoint's chains and its addresses in the tag sets of its profiles; a profile's
 * chains and its members' tag contributions). Keeps, for that:
 *
 * <ul>
 *   <li>every endpoint (any host) and the tags it contributes (those of its existing profiles), and
 *       per tag and family the addresses contributed, counted;
 *   <li>this host's endpoints by interface (the first by key is programmed): each programmed one is
 *       a dispatch entry to its profile list's chains and its source-check keys;
 *   <li>how many active programmed endpoints use each profile list (a list's chains exist while one
 *       does), how many lists name each profile (a profile's chains exist while one does) and how
 *       many rendered profiles name each tag set (a set exists while one does).
 * </ul>
 *
 * Configuration and pools are fixed for its life: when they change, build a new one. Not
 * thread-safe.
 */
public final class LiveTable {
  private final String hostname;
  private final RuleRenderer rules;
  private final TableEditor editor = new TableEditor(NftNames.FAMILY, NftNames.TABLE);

  private final Map<String, WorkloadEndpoint> endpoints = new HashMap<>();
  private final Map<String, PolicyProfile> profiles = new HashMap<>();
  private final Map<String, Set<String>> members = new HashMap<>();
  private final Map<String, Set<String>> endpointTags = new HashMap<>();
  private final Map<TagRef, Map<Cidr, Integer>> tagAddresses = new HashMap<>();

  private final TreeMap<String, TreeSet<String>> byInterface = new TreeMap<>();
  private final Map<String, WorkloadEndpoint> programmed = new HashMap<>();
  private final Map<List<String>, Integer> listUsers = new HashMap<>();
  private final Map<String, Integer> profileUsers = new HashMap<>();
  private final Map<String, ProfileChains> profileChains = new HashMap<>();
  private final Map<TagRef, Integer> tagUsers = new HashMap<>();
  private final Map<String, List<Problem>> interfaceProblems = new TreeMap<>();

  /**
   * An empty table for {@code hostname}: the skeleton, the pool sets, empty dispatch maps and
   * source-check sets.
   */
  public LiveTable(String hostname, FelixConfig config, Iterable<IpPool> pools) {
    this.hostname = requireNonNull(hostname, "hostname");
    this.rules = new RuleRenderer(config.acceptMark());
    Skeleton.chains(config).forEach(editor::putChain);
    for (NftSet s : TableRenderer.poolSets(pools)) {
      editor.addSet(s.name(), s.type(), s.interval(), s.elements());
    }
    editor.addMap(TableRenderer.FROM_DISPATCH);
    editor.addMap(TableRenderer.TO_DISPATCH);
    Skeleton.keySets().forEach(k -> editor.addKeySet(k.name(), k.type()));
  }

  /** The profile {@code name} is now {@code profile} (null: it has no tags or rules key). */
  public void profile(String name, @Nullable PolicyProfile profile) {
    PolicyProfile old = profiles.get(name);
    if (Objects.equals(old, profile)) {
      return;
    }
    if (profile == null) {
      profiles.remove(name);
    } else {
      profiles.put(name, profile);
    }
    List<String> oldTags = old == null ? List.of() : old.tags();
    List<String> newTags = profile == null ? List.of() : profile.tags();
    if (!oldTags.equals(newTags)) {
      for (String key : List.copyOf(members.getOrDefault(name, Set.of()))) {
        retag(key);
      }
    }
    if (profileUsers.containsKey(name)) {
      renderProfile(name);
    }
  }

  /** The endpoint stored at {@code key} is now {@code endpoint} (null: deleted or invalid). */
  public void endpoint(String key, @Nullable WorkloadEndpoint endpoint) {
    WorkloadEndpoint old = endpoints.get(key);
    if (Objects.equals(old, endpoint)) {
      return;
    }
    if (old != null) {
      for (String t : requireNonNull(endpointTags.remove(key), key)) {
        contribute(old, t, -1);
      }
      for (String p : old.profileIds()) {
        Set<String> m = requireNonNull(members.get(p), p);
        m.remove(key);
        if (m.isEmpty()) {
          members.remove(p);
        }
      }
      endpoints.remove(key);
    }
    if (endpoint != null) {
      endpoints.put(key, endpoint);
      for (String p : endpoint.profileIds()) {
        members.computeIfAbsent(p, k -> new HashSet<>()).add(key);
      }
      Set<String> tags = tagsOf(endpoint);
      endpointTags.put(key, tags);
      for (String t : tags) {
        contribute(endpoint, t, +1);
      }
    }
    if (old != null && isLocal(old)) {
      TreeSet<String> keys = requireNonNull(byInterface.get(old.name()), old.name());
      keys.remove(key);
      if (keys.isEmpty()) {
        byInterface.remove(old.name());
      }
      if (endpoint == null || !endpoint.name().equals(old.name()) || !isLocal(endpoint)) {
        reprogram(old.name());
      }
    }
    if (endpoint != null && isLocal(endpoint)) {
      byInterface.computeIfAbsent(endpoint.name(), k -> new TreeSet<>()).add(key);
      reprogram(endpoint.name());
    }
  }

  /** The keys of the endpoints (any host) that list profile {@code name}. */
  public Set<String> membersOf(String name) {
    return Set.copyOf(members.getOrDefault(name, Set.of()));
  }

  /** The problems found while rendering: interfaces used by several endpoints. */
  public List<Problem> problems() {
    List<Problem> out = new ArrayList<>();
    interfaceProblems.values().forEach(out::addAll);
    return out;
  }

  /** The whole table now. */
  public NftTable table() {
    return editor.table();
  }

  /** The commands since the last drain (or {@link #markApplied()}). */
  public NftBatch drain() {
    return editor.drain();
  }

  /** Counts the table as it is now as applied (after a full replacement). */
  public void markApplied() {
    editor.markApplied();
  }

  private boolean isLocal(WorkloadEndpoint ep) {
    return ep.hostname().equals(hostname);
  }

  private static boolean isActive(WorkloadEndpoint ep) {
    return ep.state().equals("active");
  }

  /** The tags of the endpoint's existing profiles. */
  private Set<String> tagsOf(WorkloadEndpoint ep) {
    Set<String> out = new LinkedHashSet<>();
    for (String p : ep.profileIds()) {
      PolicyProfile profile = profiles.get(p);
      if (profile != null) {
        out.addAll(profile.tags());
      }
    }
    return out;
  }

  /** Recomputes the tags endpoint {@code key} contributes after one of its profiles changed. */
  private void retag(String key) {
    WorkloadEndpoint ep = requireNonNull(endpoints.get(key), key);
    Set<String> now = tagsOf(ep);
    Set<String> before = requireNonNull(endpointTags.put(key, now), key);
    for (String t : before) {
      if (!now.contains(t)) {
        contribute(ep, t, -1);
      }
    }
    for (String t : now) {
      if (!before.contains(t)) {
        contribute(ep, t, +1);
      }
    }
  }

  /** Adds ({@code +1}) or removes ({@code -1}) the endpoint's addresses in tag {@code tag}. */
  private void contribute(WorkloadEndpoint ep, String tag, int delta) {
    for (Cidr net : ep.ipv4Nets()) {
      count(new TagRef(IpFamily.V4, tag), net, delta);
    }
    for (Cidr net : ep.ipv6Nets()) {
      count(new TagRef(IpFamily.V6, tag), net, delta);
    }
  }

  private void count(TagRef ref, Cidr net, int delta) {
    Map<Cidr, Integer> counts = tagAddresses.computeIfAbsent(ref, k -> new HashMap<>());
    int n = counts.getOrDefault(net, 0) + delta;
    if (n == 0) {
      counts.remove(net);
      if (counts.isEmpty()) {
        tagAddresses.remove(ref);
      }
    } else {
      counts.put(net, n);
    }
    String set = NftNames.tagSet(ref.family(), ref.tag());
    if (tagUsers.containsKey(ref)) {
      if (n == 1 && delta > 0) {
        editor.addElement(set, net);
      } else if (n == 0) {
        editor.removeElement(set, net);
      }
    }
  }

  /** Programs the first endpoint (by key) of interface {@code iface}, or nothing if it has none. */
  private void reprogram(String iface) {
    TreeSet<String> keys = byInterface.get(iface);
    WorkloadEndpoint winner = keys == null ? null : endpoints.get(keys.first());
    WorkloadEndpoint previous = programmed.get(iface);
    if (!Objects.equals(winner, previous)) {
      // The winner's list and keys first, so that what both use is kept, not made again.
      if (winner != null && isActive(winner)) {
        useList(winner.profileIds());
        TableRenderer.endpointKeys(winner)
            .bySet()
            .forEach((set, ks) -> ks.forEach(k -> editor.addKey(set, k)));
      }
      if (previous != null && isActive(previous)) {
        TableRenderer.endpointKeys(previous)
            .bySet()
            .forEach((set, ks) -> ks.forEach(k -> editor.removeKey(set, k)));
        releaseList(previous.profileIds());
      }
      if (winner != null) {
        String from = Skeleton.INACTIVE;
        String to = Skeleton.INACTIVE;
        if (isActive(winner)) {
          from = TableRenderer.dispatchTarget(Direction.OUTBOUND, winner.profileIds());
          to = TableRenderer.dispatchTarget(Direction.INBOUND, winner.profileIds());
        }
        editor.putMapEntry(TableRenderer.FROM_DISPATCH, iface, from);
        editor.putMapEntry(TableRenderer.TO_DISPATCH, iface, to);
        programmed.put(iface, winner);
      } else {
        editor.removeMapEntry(TableRenderer.FROM_DISPATCH, iface);
        editor.removeMapEntry(TableRenderer.TO_DISPATCH, iface);
        programmed.remove(iface);
      }
    }
    interfaceProblems.remove(iface);
    if (keys != null && keys.size() > 1) {
      WorkloadEndpoint first = requireNonNull(winner);
      List<Problem> ps = new ArrayList<>();
      for (String k : keys.tailSet(keys.first(), false)) {
        WorkloadEndpoint ep = requireNonNull(endpoints.get(k));
        ps.add(
            new Problem(
                "interface " + iface,
                "used by endpoints "
                    + first.endpointId()
                    + " and "
                    + ep.endpointId()
                    + "; only the first is programmed"));
      }
      interfaceProblems.put(iface, ps);
    }
  }

  /**
   * One more active programmed endpoint with this profile list: its profiles' chains exist, and its
   * own unless it has one profile.
   */
  private void useList(List<String> list) {
    if (listUsers.merge(list, 1, Integer::sum) == 1) {
      list.forEach(this::use);
      if (TableRenderer.hasChains(list)) {
        TableRenderer.ListChains c = TableRenderer.listChains(list, rules);
        editor.putChain(c.from());
        editor.putChain(c.to());
      }
    }
  }

  private void releaseList(List<String> list) {
    int n = listUsers.merge(list, -1, Integer::sum);
    if (n == 0) {
      listUsers.remove(list);
      if (TableRenderer.hasChains(list)) {
        editor.removeChain(NftNames.listChain(Direction.OUTBOUND, list));
        editor.removeChain(NftNames.listChain(Direction.INBOUND, list));
      }
      list.forEach(this::release);
    }
  }

  private void use(String profile) {
    if (profileUsers.merge(profile, 1, Integer::sum) == 1) {
      renderProfile(profile);
    }
  }

  private void release(String profile) {
    int n = profileUsers.merge(profile, -1, Integer::sum);
    if (n == 0) {
      profileUsers.remove(profile);
      ProfileChains c = requireNonNull(profileChains.remove(profile), profile);
      editor.removeChain(c.in().name());
      editor.removeChain(c.out().name());
      c.tags().forEach(this::releaseTag);
    }
  }

  /** Renders a used profile's chains (again) and moves its tag set references. */
  private void renderProfile(String name) {
    ProfileChains now = TableRenderer.profileChains(profiles.get(name), name, rules);
    ProfileChains before = profileChains.put(name, now);
    List<TagRef> old = before == null ? List.of() : before.tags();
    for (TagRef t : now.tags()) {
      if (!old.contains(t)) {
        useTag(t);
      }
    }
    editor.putChain(now.in());
    editor.putChain(now.out());
    for (TagRef t : old) {
      if (!now.tags().contains(t)) {
        releaseTag(t);
      }
    }
  }

  private void useTag(TagRef ref) {
    if (tagUsers.merge(ref, 1, Integer::sum) == 1) {
      String type = ref.family() == IpFamily.V4 ? "ipv4_addr" : "ipv6_addr";
      editor.addSet(
          NftNames.tagSet(ref.family(), ref.tag()),
          type,
          false,
          tagAddresses.getOrDefault(ref, Map.of()).keySet());
    }
  }

  private void releaseTag(TagRef ref) {
    int n = tagUsers.merge(ref, -1, Integer::sum);
    if (n == 0) {
      tagUsers.remove(ref);
      editor.removeSet(NftNames.tagSet(ref.family(), ref.tag()));
    }
  }
}
