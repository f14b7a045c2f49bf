package io.github.calicoj.node.internal.nft;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import io.github.calicoj.core.model.Cidr;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * One nftables table kept as mutable state, edited object by object, that remembers what each edit
 * changed since the last {@link #drain()}: the batch it returns holds only the touched chains, sets
 * and map entries, so its size and the work to make it follow the change, not the table. Set
 * elements are counted (several owners may add one address); a set sees an element when its count
 * turns positive and loses it when it drops to zero. {@link #table()} gives the whole table as a
 * value. Not thread-safe.
 *
 * <p>The batch follows {@link NftDiff}'s order, so the kernel's checks pass command by command: new
 * sets and chains; element deletions; rules of changed and new chains; element additions; removed
 * chains (flushed, then deleted); removed sets.
 *
 * <p>It is one class of a little over 400 lines because every edit (chains, rules, set and map
 * elements, profile lists and their reference counts) must record what it touched in the same
 * change log, which the batch is made from.
 */
public final class TableEditor {
  private final String family;
  private final String name;
  private final SortedMap<String, NftChain> chains = new TreeMap<>();
  private final SortedMap<String, SetState> sets = new TreeMap<>();
  private final SortedMap<String, TreeMap<String, String>> maps = new TreeMap<>();
  private final SortedMap<String, KeySetState> keySets = new TreeMap<>();

  // What changed since the last drain.
  private final Map<String, Optional<NftChain>> chainsBefore = new LinkedHashMap<>();
  private final Map<String, @Nullable Set<Cidr>> setsBefore = new LinkedHashMap<>();
  private final Map<String, Map<Cidr, Boolean>> elementChanges = new HashMap<>();
  private final Map<String, Map<String, Optional<String>>> mapBefore = new LinkedHashMap<>();
  private final Set<String> keySetsNew = new TreeSet<>();
  private final Map<String, Map<NftKeySet.Key, Boolean>> keyChanges = new TreeMap<>();

  // The raw forms of the rules its batches carry, for rules rendered again unchanged.
  private final RawRules.Cache translations = new RawRules.Cache();

  /** A key set's type and its counted keys. */
  private static final class KeySetState {
    final NftKeySet.KeyType type;
    final TreeMap<NftKeySet.Key, Integer> counts = new TreeMap<>();

    KeySetState(NftKeySet.KeyType type) {
      this.type = type;
    }
  }

  /** A set's spec and its counted elements. */
  private static final class SetState {
    final String type;
    final boolean interval;
    final TreeMap<Cidr, Integer> counts = new TreeMap<>();

    SetState(String type, boolean interval) {
      this.type = type;
      this.interval = interval;
    }
  }

  /** An empty table {@code family name}. */
  public TableEditor(String family, String name) {
    this.family = requireNonNull(family, "family");
    this.name = requireNonNull(name, "name");
  }

  /** Adds or replaces a chain. */
  public void putChain(NftChain c) {
    touchChain(c.name());
    chains.put(c.name(), c);
  }

  /** Removes a chain, if present. */
  public void removeChain(String chain) {
    if (chains.containsKey(chain)) {
      touchChain(chain);
      chains.remove(chain);
    }
  }

  /** The chain, or null. */
  public @Nullable NftChain chain(String chain) {
    return chains.get(chain);
  }

  private void touchChain(String chain) {
    if (!chainsBefore.containsKey(chain)) {
      chainsBefore.put(chain, Optional.ofNullable(chains.get(chain)));
    }
  }

  /**
   * Adds a set that does not exist yet, each of {@code elements} counted once.
   *
   * @throws IllegalStateException if the set exists
   */
  public void addSet(String set, String type, boolean interval, Iterable<Cidr> elements) {
    checkState(!sets.containsKey(set), "Set %s exists", set);
    touchSet(set);
    SetState s = new SetState(type, interval);
    for (Cidr c : elements) {
      s.counts.merge(c, 1, Integer::sum);
    }
    sets.put(set, s);
  }

  /** Removes a set, if present. */
  public void removeSet(String set) {
    if (sets.containsKey(set)) {
      touchSet(set);
      sets.remove(set);
      elementChanges.remove(set);
    }
  }

  /** True if the set exists. */
  public boolean hasSet(String set) {
    return sets.containsKey(set);
  }

  /** Records the set's image as of the last drain: now, with its element changes undone. */
  private void touchSet(String set) {
    if (setsBefore.containsKey(set)) {
      return;
    }
    SetState s = sets.get(set);
    Map<Cidr, Boolean> changes = elementChanges.remove(set);
    if (s == null) {
      setsBefore.put(set, null);
      return;
    }
    Set<Cidr> image = new TreeSet<>(s.counts.keySet());
    if (changes != null) {
      changes.forEach(
          (c, added) -> {
            if (added) {
              image.remove(c);
            } else {
              image.add(c);
            }
          });
    }
    setsBefore.put(set, image);
  }

  /** Counts one more owner of {@code element} in {@code set}. */
  public void addElement(String set, Cidr element) {
    SetState s = requireNonNull(sets.get(set), set);
    if (s.counts.merge(element, 1, Integer::sum) == 1) {
      changed(set, element, true);
    }
  }

  /** Counts one owner of {@code element} in {@code set} less. */
  public void removeElement(String set, Cidr element) {
    SetState s = requireNonNull(sets.get(set), set);
    Integer n = s.counts.get(element);
    checkArgument(n != null, "%s is not in set %s", element, set);
    if (n == 1) {
      s.counts.remove(element);
      changed(set, element, false);
    } else {
      s.counts.put(element, n - 1);
    }
  }

  private void changed(String set, Cidr element, boolean added) {
    if (setsBefore.containsKey(set)) {
      return; // compared with its before image at drain
    }
    Map<Cidr, Boolean> m = elementChanges.computeIfAbsent(set, k -> new HashMap<>());
    Boolean earlier = m.remove(element);
    if (earlier == null) {
      m.put(element, added); // a second toggle cancels the first
    }
  }

  /**
   * Adds an empty set keyed by interface name that does not exist yet.
   *
   * @throws IllegalStateException if it exists
   */
  public void addKeySet(String set, NftKeySet.KeyType type) {
    checkState(!keySets.containsKey(set), "Set %s exists", set);
    keySets.put(set, new KeySetState(type));
    keySetsNew.add(set);
  }

  /** Counts one more owner of {@code key} in key set {@code set}. */
  public void addKey(String set, NftKeySet.Key key) {
    KeySetState s = requireNonNull(keySets.get(set), set);
    if (s.counts.merge(key, 1, Integer::sum) == 1) {
      keyChanged(set, key, true);
    }
  }

  /** Counts one owner of {@code key} in key set {@code set} less. */
  public void removeKey(String set, NftKeySet.Key key) {
    KeySetState s = requireNonNull(keySets.get(set), set);
    Integer n = s.counts.get(key);
    checkArgument(n != null, "%s is not in set %s", key, set);
    if (n == 1) {
      s.counts.remove(key);
      keyChanged(set, key, false);
    } else {
      s.counts.put(key, n - 1);
    }
  }

  private void keyChanged(String set, NftKeySet.Key key, boolean added) {
    if (keySetsNew.contains(set)) {
      return; // made with its elements at drain
    }
    Map<NftKeySet.Key, Boolean> m = keyChanges.computeIfAbsent(set, k -> new TreeMap<>());
    if (m.remove(key) == null) {
      m.put(key, added); // a second toggle cancels the first
    }
  }

  /** Adds an empty verdict map that does not exist yet. */
  public void addMap(String map) {
    checkState(!maps.containsKey(map), "Map %s exists", map);
    maps.put(map, new TreeMap<>());
  }

  /** Sets {@code key : jump chain} in a verdict map. */
  public void putMapEntry(String map, String key, String chain) {
    TreeMap<String, String> m = requireNonNull(maps.get(map), map);
    touchMapEntry(map, key, m);
    m.put(key, chain);
  }

  /** Removes a key from a verdict map, if present. */
  public void removeMapEntry(String map, String key) {
    TreeMap<String, String> m = requireNonNull(maps.get(map), map);
    if (m.containsKey(key)) {
      touchMapEntry(map, key, m);
      m.remove(key);
    }
  }

  private void touchMapEntry(String map, String key, Map<String, String> m) {
    mapBefore
        .computeIfAbsent(map, k -> new LinkedHashMap<>())
        .computeIfAbsent(key, k -> Optional.ofNullable(m.get(key)));
  }

  /** The whole table as it is now. */
  public NftTable table() {
    ImmutableSortedMap.Builder<String, NftSet> s = ImmutableSortedMap.naturalOrder();
    sets.forEach(
        (n, st) ->
            s.put(
                n,
                new NftSet(
                    n, st.type, st.interval, ImmutableSortedSet.copyOf(st.counts.keySet()))));
    ImmutableSortedMap.Builder<String, NftVerdictMap> m = ImmutableSortedMap.naturalOrder();
    maps.forEach(
        (n, entries) -> m.put(n, new NftVerdictMap(n, ImmutableSortedMap.copyOf(entries))));
    ImmutableSortedMap.Builder<String, NftKeySet> k = ImmutableSortedMap.naturalOrder();
    keySets.forEach((n, st) -> k.put(n, keySpec(n, st)));
    return new NftTable(
        family, name, s.build(), m.build(), ImmutableSortedMap.copyOfSorted(chains), k.build());
  }

  /** True if nothing changed since the last drain. */
  public boolean isClean() {
    return chainsBefore.isEmpty()
        && setsBefore.isEmpty()
        && elementChanges.isEmpty()
        && mapBefore.isEmpty()
        && keySetsNew.isEmpty()
        && keyChanges.isEmpty();
  }

  /** Forgets what changed: the current state counts as applied. */
  public void markApplied() {
    chainsBefore.clear();
    setsBefore.clear();
    elementChanges.clear();
    mapBefore.clear();
    keySetsNew.clear();
    keyChanges.clear();
  }

  /** The batch that turns the table as of the last drain into this one; then forgets it. */
  public NftBatch drain() {
    NftBatch b = new NftBatch(family, name, translations);
    List<NftChain> newChains = new ArrayList<>();
    List<NftChain> changedChains = new ArrayList<>();
    List<String> removedChains = new ArrayList<>();
    chainsBefore.forEach(
        (n, before) -> {
          NftChain now = chains.get(n);
          if (before.isEmpty() && now != null) {
            newChains.add(now);
          } else if (before.isPresent() && now == null) {
            removedChains.add(n);
          } else if (before.isPresent()
              && now != null
              && !before.get().rules().equals(now.rules())) {
            changedChains.add(now);
          }
        });
    Map<String, Set<Cidr>> added = new TreeMap<>();
    Map<String, Set<Cidr>> removed = new TreeMap<>();
    List<String> removedSets = new ArrayList<>();
    setsBefore.forEach(
        (n, before) -> {
          SetState now = sets.get(n);
          if (before == null && now != null) {
            b.addSet(spec(n, now), true);
          } else if (before != null && now == null) {
            removedSets.add(n);
          } else if (before != null && now != null) {
            Set<Cidr> gone = new TreeSet<>(before);
            gone.removeAll(now.counts.keySet());
            Set<Cidr> fresh = new TreeSet<>(now.counts.keySet());
            fresh.removeAll(before);
            removed.put(n, gone);
            added.put(n, fresh);
          }
        });
    elementChanges.forEach(
        (n, changes) ->
            changes.forEach(
                (c, isAdded) ->
                    (isAdded ? added : removed).computeIfAbsent(n, k -> new TreeSet<>()).add(c)));
    keySetsNew.forEach(n -> b.addKeySet(keySpec(n, requireNonNull(keySets.get(n), n)), true));
    newChains.forEach(b::addChain);
    removed.forEach((n, gone) -> b.deleteElements(n, interval(n), gone));
    keyChanges.forEach((n, changes) -> b.deleteKeyElements(n, keyType(n), keys(changes, false)));
    mapBefore.forEach(
        (map, keys) -> {
          TreeMap<String, String> now = requireNonNull(maps.get(map), map);
          List<String> gone = new ArrayList<>();
          keys.forEach(
              (k, before) -> {
                if (before.isPresent() && !before.get().equals(now.get(k))) {
                  gone.add(k);
                }
              });
          b.deleteMapElements(map, gone);
        });
    for (NftChain c : changedChains) {
      b.flushChain(c.name());
      c.rules().forEach(r -> b.addRule(c.name(), r));
    }
    for (NftChain c : newChains) {
      c.rules().forEach(r -> b.addRule(c.name(), r));
    }
    added.forEach((n, fresh) -> b.addElements(n, interval(n), fresh));
    keyChanges.forEach((n, changes) -> b.addKeyElements(n, keyType(n), keys(changes, true)));
    mapBefore.forEach(
        (map, keys) -> {
          TreeMap<String, String> now = requireNonNull(maps.get(map), map);
          Map<String, String> fresh = new TreeMap<>();
          keys.forEach(
              (k, before) -> {
                String v = now.get(k);
                if (v != null && !Objects.equals(before.orElse(null), v)) {
                  fresh.put(k, v);
                }
              });
          b.addMapElements(map, fresh);
        });
    removedChains.forEach(b::flushChain);
    removedChains.forEach(b::deleteChain);
    removedSets.forEach(b::deleteSet);
    markApplied();
    return b;
  }

  /** Whether set {@code n} (which exists now) holds networks. */
  private boolean interval(String n) {
    return requireNonNull(sets.get(n), n).interval;
  }

  private NftKeySet.KeyType keyType(String n) {
    return requireNonNull(keySets.get(n), n).type;
  }

  private static List<NftKeySet.Key> keys(Map<NftKeySet.Key, Boolean> changes, boolean added) {
    List<NftKeySet.Key> out = new ArrayList<>();
    changes.forEach(
        (k, a) -> {
          if (a == added) {
            out.add(k);
          }
        });
    return out;
  }

  private static NftKeySet keySpec(String n, KeySetState s) {
    return new NftKeySet(n, s.type, ImmutableSortedSet.copyOf(s.counts.keySet()));
  }

  private static NftSet spec(String n, SetState s) {
    return new NftSet(n, s.type, s.interval, ImmutableSortedSet.copyOf(s.counts.keySet()));
  }
}
