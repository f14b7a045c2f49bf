package io.github.calicoj.node.internal.nft;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.Sets;
import io.github.calicoj.core.model.Cidr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The commands that turn one table into another, in one batch whose size follows what changed, not
 * the table: set and map elements are added and deleted one by one; a chain whose rules changed is
 * flushed and refilled; new objects are added and removed ones deleted. Objects are compared by
 * value, so a renderer that reuses unchanged objects makes the comparison cheap. Stateless and
 * thread-safe.
 *
 * <p>Order inside the batch (the kernel checks references command by command): new sets, maps and
 * chains; element deletions; rules of changed and new chains; element additions (a map entry may
 * name a new chain); then removed chains, flushed before deleted, and removed sets and maps.
 */
public final class NftDiff {
  private NftDiff() {}

  /**
   * The batch that turns {@code from} into {@code to}: empty if they are equal. If an object keeps
   * its name but changes its kind (a set's type, a chain's hook), the batch is {@link
   * NftBatch#replacing} {@code to}.
   */
  public static NftBatch between(NftTable from, NftTable to) {
    checkArgument(
        from.family().equals(to.family()) && from.name().equals(to.name()),
        "Cannot diff table %s %s against %s %s",
        from.family(),
        from.name(),
        to.family(),
        to.name());
    if (!compatible(from, to)) {
      return NftBatch.replacing(to);
    }
    NftBatch b = new NftBatch(to.family(), to.name());
    List<NftChain> newChains = new ArrayList<>();
    List<NftChain> changedChains = new ArrayList<>();
    to.sets().values().stream()
        .filter(s -> !from.sets().containsKey(s.name()))
        .forEach(s -> b.addSet(s, true));
    to.keySets().values().stream()
        .filter(s -> !from.keySets().containsKey(s.name()))
        .forEach(s -> b.addKeySet(s, true));
    to.maps().values().stream().filter(m -> !from.maps().containsKey(m.name())).forEach(b::addMap);
    for (NftChain c : to.chains().values()) {
      NftChain old = from.chains().get(c.name());
      if (old == null) {
        b.addChain(c);
        newChains.add(c);
      } else if (!old.rules().equals(c.rules())) {
        changedChains.add(c);
      }
    }
    for (NftSet s : to.sets().values()) {
      NftSet old = from.sets().get(s.name());
      if (old != null && !old.elements().equals(s.elements())) {
        b.deleteElements(s.name(), s.interval(), Sets.difference(old.elements(), s.elements()));
      }
    }
    for (NftKeySet s : to.keySets().values()) {
      NftKeySet old = from.keySets().get(s.name());
      if (old != null && !old.elements().equals(s.elements())) {
        b.deleteKeyElements(
            s.name(), s.type(), List.copyOf(Sets.difference(old.elements(), s.elements())));
      }
    }
    for (NftVerdictMap m : to.maps().values()) {
      NftVerdictMap old = from.maps().get(m.name());
      if (old != null) {
        List<String> gone = new ArrayList<>();
        old.jumps()
            .forEach(
                (k, v) -> {
                  if (!v.equals(m.jumps().get(k))) {
                    gone.add(k); // removed, or pointing elsewhere: deleted, then added below
                  }
                });
        b.deleteMapElements(m.name(), gone);
      }
    }
    for (NftChain c : changedChains) {
      b.flushChain(c.name());
      c.rules().forEach(r -> b.addRule(c.name(), r));
    }
    for (NftChain c : newChains) {
      c.rules().forEach(r -> b.addRule(c.name(), r));
    }
    for (NftSet s : to.sets().values()) {
      NftSet old = from.sets().get(s.name());
      if (old != null && !old.elements().equals(s.elements())) {
        List<Cidr> added = new ArrayList<>(Sets.difference(s.elements(), old.elements()));
        b.addElements(s.name(), s.interval(), added);
      }
    }
    for (NftKeySet s : to.keySets().values()) {
      NftKeySet old = from.keySets().get(s.name());
      if (old != null && !old.elements().equals(s.elements())) {
        b.addKeyElements(
            s.name(), s.type(), List.copyOf(Sets.difference(s.elements(), old.elements())));
      }
    }
    for (NftVerdictMap m : to.maps().values()) {
      NftVerdictMap old = from.maps().get(m.name());
      Map<String, String> added = new TreeMap<>();
      m.jumps()
          .forEach(
              (k, v) -> {
                if (old == null || !v.equals(old.jumps().get(k))) {
                  added.put(k, v);
                }
              });
      b.addMapElements(m.name(), added);
    }
    List<String> removedChains =
        from.chains().keySet().stream().filter(n -> !to.chains().containsKey(n)).toList();
    removedChains.forEach(b::flushChain); // rules first: removed chains may jump to each other
    removedChains.forEach(b::deleteChain);
    from.sets().keySet().stream().filter(n -> !to.sets().containsKey(n)).forEach(b::deleteSet);
    from.keySets().keySet().stream()
        .filter(n -> !to.keySets().containsKey(n))
        .forEach(b::deleteSet);
    from.maps().keySet().stream().filter(n -> !to.maps().containsKey(n)).forEach(b::deleteMap);
    return b;
  }

  /**
   * True unless some name changes kind: set ↔ key set ↔ map, a set's type or flags, a chain's hook.
   */
  private static boolean compatible(NftTable from, NftTable to) {
    for (NftKeySet s : to.keySets().values()) {
      NftKeySet old = from.keySets().get(s.name());
      if ((old != null && old.type() != s.type())
          || from.sets().containsKey(s.name())
          || from.maps().containsKey(s.name())) {
        return false;
      }
    }
    for (String s : to.sets().keySet()) {
      if (from.keySets().containsKey(s)) {
        return false;
      }
    }
    for (NftSet s : to.sets().values()) {
      NftSet old = from.sets().get(s.name());
      if ((old != null && !old.sameSpec(s)) || from.maps().containsKey(s.name())) {
        return false;
      }
    }
    for (String m : to.maps().keySet()) {
      if (from.sets().containsKey(m) || from.keySets().containsKey(m)) {
        return false;
      }
    }
    for (NftChain c : to.chains().values()) {
      NftChain old = from.chains().get(c.name());
      if (old != null && !Objects.equals(old.base(), c.base())) {
        return false;
      }
    }
    return true;
  }
}
