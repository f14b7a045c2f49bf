package io.github.calicoj.node.internal.nft;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.netns.nft.NftCommands;
import io.github.calicoj.netns.nft.NftElements;
import io.github.calicoj.netns.nft.NftExpr;
import io.github.calicoj.netns.nft.NftFamily;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A list of libnftables JSON commands on one table, written as one {@code {"nftables": [...]}}
 * buffer. libnftables runs one buffer as one netlink batch, which the kernel commits as a single
 * transaction: packets see the table before the batch or after it, never in between, and a failing
 * command leaves the table untouched. The JSON text is written only when asked for ({@link
 * #toJson()}, {@link #commands()}): a batch sent as raw commands never needs it. Not thread-safe.
 */
public final class NftBatch {
  private static final JsonNodeFactory N = JsonNodeFactory.instance;
  private final String family;
  private final String table;
  // Each command's JSON object, written as text only by toJson and commands.
  private final List<ObjectNode> commands = new ArrayList<>();
  // The same commands for Nftables.apply, while every command has a raw form (see rawCommands),
  // and whether all of them are address-set element changes.
  private final List<NftCommands.Command> raw = new ArrayList<>();
  private boolean rawOnly = true;
  private boolean elementsOnly = true;
  private final RawRules.@Nullable Cache translations;

  /** An empty batch on table {@code family name}. */
  public NftBatch(String family, String table) {
    this(family, table, null);
  }

  /**
   * An empty batch on table {@code family name} that translates its rules for {@link
   * #rawCommands()} through {@code translations} (null: each rule anew).
   */
  public NftBatch(String family, String table, RawRules.@Nullable Cache translations) {
    this.family = requireNonNull(family, "family");
    this.table = requireNonNull(table, "table");
    this.translations = translations;
  }

  /**
   * The whole table in one batch: {@code add table} (so that the delete finds it), {@code delete
   * table}, then the table rebuilt. Nothing of an earlier table is left, and no packet sees the
   * table half built or absent.
   */
  public static NftBatch replacing(NftTable t) {
    NftBatch b = new NftBatch(t.family(), t.name());
    b.command("add", "table", b.tableObject());
    b.command("delete", "table", b.tableObject());
    b.command("add", "table", b.tableObject());
    t.sets().values().forEach(s -> b.addSet(s, true));
    t.keySets().values().forEach(s -> b.addKeySet(s, true));
    t.maps().values().forEach(b::addMap);
    t.chains().values().forEach(b::addChain);
    t.chains().values().forEach(c -> c.rules().forEach(r -> b.addRule(c.name(), r)));
    t.maps().values().forEach(m -> b.addMapElements(m.name(), m.jumps()));
    return b;
  }

  private ObjectNode tableObject() {
    return N.objectNode().put("family", family).put("name", table);
  }

  /** {@code add set}, with its elements if {@code withElements}. */
  public NftBatch addSet(NftSet s, boolean withElements) {
    ObjectNode o = object(s.name()).put("type", s.type());
    if (s.interval()) {
      o.putArray("flags").add("interval");
    }
    if (withElements && !s.elements().isEmpty()) {
      o.set("elem", addresses(s.elements()));
    }
    return command("add", "set", o);
  }

  /**
   * {@code add set} of a set keyed by interface name, with its elements if {@code withElements}.
   */
  public NftBatch addKeySet(NftKeySet s, boolean withElements) {
    ObjectNode o = object(s.name());
    o.set("type", s.type().json());
    if (withElements && !s.elements().isEmpty()) {
      ArrayNode elem = N.arrayNode();
      s.elements().forEach(k -> elem.add(k.json()));
      o.set("elem", elem);
    }
    return command("add", "set", o);
  }

  /** {@code add element} to a set keyed by interface name; nothing if empty. */
  public NftBatch addKeyElements(
      String set, NftKeySet.KeyType type, Collection<NftKeySet.Key> keys) {
    return keyCommand(NftElements.Verb.ADD, set, type, keys);
  }

  /** {@code delete element} from a set keyed by interface name; nothing if empty. */
  public NftBatch deleteKeyElements(
      String set, NftKeySet.KeyType type, Collection<NftKeySet.Key> keys) {
    return keyCommand(NftElements.Verb.DELETE, set, type, keys);
  }

  private NftBatch keyCommand(
      NftElements.Verb verb, String set, NftKeySet.KeyType type, Collection<NftKeySet.Key> keys) {
    if (keys.isEmpty()) {
      return this;
    }
    ArrayNode elem = N.arrayNode();
    keys.forEach(k -> elem.add(k.json()));
    ObjectNode o = object(set);
    o.set("elem", elem);
    return rawCommand(
        () ->
            new NftCommands.InterfaceElements(
                verb, set, keys.stream().map(k -> k.raw(type)).toList()),
        verb.keyword(),
        "element",
        o);
  }

  /** {@code add map NAME { type ifname : verdict; }}, without elements. */
  public NftBatch addMap(NftVerdictMap m) {
    return command("add", "map", object(m.name()).put("type", "ifname").put("map", "verdict"));
  }

  /** {@code add chain}, with its hook if it is a base chain. */
  public NftBatch addChain(NftChain c) {
    ObjectNode o = N.objectNode().put("family", family).put("table", table).put("name", c.name());
    BaseChain base = c.base();
    if (base != null) {
      o.put("type", base.type()).put("hook", base.hook()).put("prio", base.priority());
      o.put("policy", base.policy());
      return command("add", "chain", o);
    }
    return rawCommand(() -> new NftCommands.AddChain(c.name()), "add", "chain", o);
  }

  /** {@code flush chain}: removes its rules. */
  public NftBatch flushChain(String chain) {
    return rawCommand(() -> new NftCommands.FlushChain(chain), "flush", "chain", object(chain));
  }

  /** {@code delete chain}: the chain must be empty and unreferenced by then. */
  public NftBatch deleteChain(String chain) {
    return rawCommand(() -> new NftCommands.DeleteChain(chain), "delete", "chain", object(chain));
  }

  /** {@code add rule} at the end of the chain. */
  public NftBatch addRule(String chain, NftRule r) {
    ObjectNode o = N.objectNode().put("family", family).put("table", table).put("chain", chain);
    o.putRawValue("expr", new RawValue(r.expr()));
    if (r.comment() != null) {
      o.put("comment", r.comment());
    }
    Optional<List<NftExpr>> exprs =
        !rawOnly
            ? Optional.empty()
            : translations != null ? translations.translate(r) : RawRules.translate(r);
    if (exprs.isEmpty()) {
      return command("add", "rule", o);
    }
    return rawCommand(
        () -> new NftCommands.AddRule(chain, exprs.get(), r.comment()), "add", "rule", o);
  }

  /**
   * {@code add element} to an address set ({@code interval}: one with {@code flags interval});
   * nothing if empty.
   */
  public NftBatch addElements(String set, boolean interval, Collection<Cidr> elements) {
    return elementCommand(NftElements.Verb.ADD, set, interval, elements);
  }

  /** {@code delete element} from an address set; nothing if empty. */
  public NftBatch deleteElements(String set, boolean interval, Collection<Cidr> elements) {
    return elementCommand(NftElements.Verb.DELETE, set, interval, elements);
  }

  private NftBatch elementCommand(
      NftElements.Verb verb, String set, boolean interval, Collection<Cidr> elements) {
    if (elements.isEmpty()) {
      return this;
    }
    if (interval) {
      return command(verb.keyword(), "element", elements(set, elements));
    }
    if (rawOnly) {
      List<InetAddress> addresses = new ArrayList<>(elements.size());
      for (Cidr c : elements) {
        addresses.add(c.normalized().address());
      }
      try {
        raw.add(new NftCommands.Elements(new NftElements.Command(verb, set, addresses)));
      } catch (IllegalArgumentException e) {
        return command(verb.keyword(), "element", elements(set, elements));
      }
    }
    return write(verb.keyword(), "element", elements(set, elements));
  }

  /** {@code add element} {@code "ifname" : jump CHAIN} to a verdict map; nothing if empty. */
  public NftBatch addMapElements(String map, Map<String, String> jumps) {
    if (jumps.isEmpty()) {
      return this;
    }
    ArrayNode elem = N.arrayNode();
    jumps.forEach((k, v) -> elem.add(N.arrayNode().add(k).add(Expr.jump(v))));
    ObjectNode o = object(map);
    o.set("elem", elem);
    return rawCommand(
        () -> new NftCommands.AddJumps(map, new TreeMap<>(jumps)), "add", "element", o);
  }

  /** {@code delete element} keys from a verdict map; nothing if empty. */
  public NftBatch deleteMapElements(String map, Collection<String> keys) {
    if (keys.isEmpty()) {
      return this;
    }
    ArrayNode elem = N.arrayNode();
    keys.forEach(elem::add);
    ObjectNode o = object(map);
    o.set("elem", elem);
    return rawCommand(
        () -> new NftCommands.DeleteKeys(map, List.copyOf(keys)), "delete", "element", o);
  }

  /** {@code delete set}: no rule may refer to it by then. */
  public NftBatch deleteSet(String set) {
    return command("delete", "set", object(set));
  }

  /** {@code delete map}: no rule may refer to it by then. */
  public NftBatch deleteMap(String map) {
    return command("delete", "map", object(map));
  }

  /** Appends {@code other}'s commands, which must be on the same table. */
  public NftBatch append(NftBatch other) {
    if (!family.equals(other.family) || !table.equals(other.table)) {
      throw new IllegalArgumentException(
          "Cannot append a batch on "
              + other.family
              + " "
              + other.table
              + " to "
              + family
              + " "
              + table);
    }
    commands.addAll(other.commands);
    elementsOnly &= other.elementsOnly;
    rawOnly &= other.rawOnly;
    if (rawOnly) {
      raw.addAll(other.raw);
    } else {
      raw.clear();
    }
    return this;
  }

  /**
   * The batch as element changes of address sets, if that is all it holds (no set, map, chain or
   * rule command and no interval set): what {@code Nftables.applyElements} can send without
   * libnftables. Empty for an empty batch.
   */
  public Optional<NftElements> elementsOnly() {
    if (!rawOnly || !elementsOnly || raw.isEmpty()) {
      return Optional.empty();
    }
    List<NftElements.Command> elements = new ArrayList<>(raw.size());
    raw.forEach(c -> elements.add(((NftCommands.Elements) c).elements()));
    return Optional.of(new NftElements(netnsTable(), elements));
  }

  /**
   * The batch as commands {@code Nftables.apply} encodes itself, if every command has that form:
   * regular chains added, flushed or deleted, rules that {@link RawRules} translates, elements of
   * address sets and of sets keyed by interface, and dispatch-map entries. Empty if any command is
   * something else (sets, maps, base chains, tables, interval sets, rules with anonymous sets), and
   * for an empty batch.
   */
  public Optional<NftCommands> rawCommands() {
    if (!rawOnly || raw.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new NftCommands(netnsTable(), raw));
  }

  private io.github.calicoj.netns.nft.NftTable netnsTable() {
    return new io.github.calicoj.netns.nft.NftTable(NftFamily.of(family), table);
  }

  /** The number of commands. */
  public int size() {
    return commands.size();
  }

  /** True if the batch has no command. */
  public boolean isEmpty() {
    return commands.isEmpty();
  }

  /** Each command, compact JSON, in order. */
  public List<String> commands() {
    List<String> out = new ArrayList<>(commands.size());
    commands.forEach(c -> out.add(RuleBuilder.write(c)));
    return List.copyOf(out);
  }

  /** The libnftables input: {@code {"nftables":[...]}}; byte-identical for equal batches. */
  public String toJson() {
    StringBuilder b = new StringBuilder(32 + commands.size() * 96).append("{\"nftables\":[");
    for (int i = 0; i < commands.size(); i++) {
      b.append(i == 0 ? "" : ",").append(RuleBuilder.write(commands.get(i)));
    }
    return b.append("]}").toString();
  }

  @Override
  public String toString() {
    return toJson();
  }

  /** A command without a raw form. */
  private NftBatch command(String verb, String kind, ObjectNode object) {
    rawOnly = false;
    elementsOnly = false;
    raw.clear();
    return write(verb, kind, object);
  }

  /**
   * A command with a raw form that is not an address set's element change; without one if the raw
   * form refuses its names (libnftables then judges them).
   */
  private NftBatch rawCommand(
      Supplier<NftCommands.Command> rawForm, String verb, String kind, ObjectNode object) {
    if (!rawOnly) {
      return write(verb, kind, object);
    }
    try {
      raw.add(rawForm.get());
    } catch (IllegalArgumentException e) {
      return command(verb, kind, object);
    }
    elementsOnly = false;
    return write(verb, kind, object);
  }

  private NftBatch write(String verb, String kind, ObjectNode object) {
    ObjectNode inner = N.objectNode();
    inner.set(kind, object);
    ObjectNode outer = N.objectNode();
    outer.set(verb, inner);
    commands.add(outer);
    return this;
  }

  private ObjectNode object(String name) {
    return N.objectNode().put("family", family).put("table", table).put("name", name);
  }

  private ObjectNode elements(String set, Collection<Cidr> elements) {
    ObjectNode o = object(set);
    o.set("elem", addresses(elements));
    return o;
  }

  private static ArrayNode addresses(Collection<Cidr> elements) {
    ArrayNode a = N.arrayNode();
    elements.forEach(c -> a.add(Expr.address(c)));
    return a;
  }
}
