package io.github.calicoj.node.internal.nft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model of one nftables table that runs the agent's JSON batches the way the kernel checks them,
 * command by command: adding a rule or a map element that names a set or chain that does not exist
 * fails, as do deleting a chain or set something still refers to, deleting a chain with rules in
 * it, and deleting an element or map key that is not there. The oracle for batch order and content
 * in unit tests; {@code NftJsonIT} checks the same batches against the real nft.
 */
public final class BatchModel {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SET_REF = Pattern.compile("\"@([A-Za-z0-9_.\\-]+)\"");
  private static final Pattern CHAIN_REF =
      Pattern.compile("\\{\"(?:jump|goto)\":\\{\"target\":\"([A-Za-z0-9_.\\-]+)\"\\}\\}");

  private final Map<String, String> setSpecs = new TreeMap<>();
  private final Map<String, TreeSet<String>> sets = new TreeMap<>();
  private final Map<String, TreeMap<String, String>> maps = new TreeMap<>();
  private final Map<String, String> chainSpecs = new TreeMap<>();
  private final Map<String, List<String>> chains = new TreeMap<>();
  private boolean table;

  /** Runs a batch; an {@link AssertionError} names the first command the kernel would refuse. */
  public void run(NftBatch batch) {
    for (String c : batch.commands()) {
      try {
        command(JSON.readTree(c));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + " in command " + c + " of batch " + batch, e);
      }
    }
  }

  private void command(JsonNode c) {
    String verb = c.fieldNames().next();
    JsonNode inner = c.get(verb);
    String kind = inner.fieldNames().next();
    JsonNode o = inner.get(kind);
    String name = o.path("name").asText();
    switch (verb + " " + kind) {
      case "add table" -> table = true;
      case "delete table" -> {
        check(table, "no table");
        table = false;
        setSpecs.clear();
        sets.clear();
        maps.clear();
        chainSpecs.clear();
        chains.clear();
      }
      case "add set" -> {
        check(table, "no table");
        if (!sets.containsKey(name)) {
          setSpecs.put(name, o.path("type").asText() + " " + o.path("flags"));
          sets.put(name, new TreeSet<>());
        }
        o.path("elem").forEach(e -> sets.get(name).add(e.toString()));
      }
      case "add map" -> {
        check(table, "no table");
        maps.putIfAbsent(name, new TreeMap<>());
      }
      case "add chain" -> {
        check(table, "no table");
        if (!chains.containsKey(name)) {
          chainSpecs.put(name, o.path("hook").asText() + " " + o.path("prio").asText());
          chains.put(name, new ArrayList<>());
        }
      }
      case "add rule" -> {
        String chain = o.path("chain").asText();
        check(chains.containsKey(chain), "no chain " + chain);
        String expr = o.path("expr").toString();
        for (String ref : refs(SET_REF, expr)) {
          check(sets.containsKey(ref) || maps.containsKey(ref), "no set or map " + ref);
        }
        for (String ref : refs(CHAIN_REF, expr)) {
          check(chains.containsKey(ref), "no chain " + ref);
        }
        chains.get(chain).add(expr + " # " + o.path("comment").asText(""));
      }
      case "flush chain" -> {
        check(chains.containsKey(name), "no chain " + name);
        chains.get(name).clear();
      }
      case "delete chain" -> {
        check(chains.containsKey(name), "no chain " + name);
        check(chains.get(name).isEmpty(), "chain " + name + " not empty");
        check(!referenced(CHAIN_REF, name), "chain " + name + " still named by a rule");
        for (TreeMap<String, String> m : maps.values()) {
          check(!m.containsValue(name), "chain " + name + " still named by a map element");
        }
        chains.remove(name);
        chainSpecs.remove(name);
      }
      case "delete set" -> {
        check(sets.containsKey(name), "no set " + name);
        check(!referenced(SET_REF, name), "set " + name + " still named by a rule");
        sets.remove(name);
        setSpecs.remove(name);
      }
      case "delete map" -> {
        check(maps.containsKey(name), "no map " + name);
        check(!referenced(SET_REF, name), "map " + name + " still named by a rule");
        maps.remove(name);
      }
      case "add element" -> element(name, o.path("elem"), true);
      case "delete element" -> element(name, o.path("elem"), false);
      default -> throw new AssertionError("unknown command " + verb + " " + kind);
    }
  }

  private void element(String name, JsonNode elems, boolean add) {
    if (maps.containsKey(name)) {
      TreeMap<String, String> m = maps.get(name);
      for (JsonNode e : elems) {
        if (add) {
          String key = e.get(0).asText();
          String target = e.get(1).path("jump").path("target").asText();
          check(chains.containsKey(target), "no chain " + target + " for map element");
          m.put(key, target);
        } else {
          check(m.remove(e.asText()) != null, "no key " + e.asText() + " in map " + name);
        }
      }
      return;
    }
    check(sets.containsKey(name), "no set or map " + name);
    for (JsonNode e : elems) {
      if (add) {
        sets.get(name).add(e.toString());
      } else {
        check(sets.get(name).remove(e.toString()), "no element " + e + " in set " + name);
      }
    }
  }

  private boolean referenced(Pattern p, String name) {
    for (List<String> rules : chains.values()) {
      for (String r : rules) {
        if (refs(p, r).contains(name)) {
          return true;
        }
      }
    }
    return false;
  }

  private static Set<String> refs(Pattern p, String text) {
    Set<String> out = new HashSet<>();
    Matcher m = p.matcher(text);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new AssertionError(what);
    }
  }

  /** The whole state as text, for comparing two models. */
  public String state() {
    return "table="
        + table
        + "\nsets="
        + setSpecs
        + " "
        + sets
        + "\nmaps="
        + maps
        + "\nchains="
        + chainSpecs
        + " "
        + chains;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BatchModel m && state().equals(m.state());
  }

  @Override
  public int hashCode() {
    return Objects.hash(state());
  }

  /** A model holding exactly {@code t}, loaded as one replacement. */
  public static BatchModel of(NftTable t) {
    BatchModel m = new BatchModel();
    m.run(NftBatch.replacing(t));
    return m;
  }
}
