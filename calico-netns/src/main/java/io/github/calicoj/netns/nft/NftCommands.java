package io.github.calicoj.netns.nft;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.net.InetAddresses;
import io.github.calicoj.netns.MacAddress;
import io.github.calicoj.netns.nft.internal.NftJson;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Commands on one table's regular chains, rules, address sets and interface verdict maps, which
 * {@link Nftables#apply} encodes itself and sends as one raw nf_tables netlink batch (one
 * transaction): libnftables' parse and its fetch of the ruleset are skipped, so the cost follows
 * the commands. Only what the node agent changes incrementally is here: {@code add chain} of a
 * regular chain, {@code flush chain}, {@code delete chain}, {@code add rule} (appended, with the
 * {@link NftExpr} expressions the kernel runs), element changes of address sets and of sets keyed
 * by interface name ({@code ifname}, {@code ifname . ipv4_addr}, {@code ifname . ipv6_addr}, {@code
 * ifname . ether_addr}), and {@code "ifname" : goto CHAIN} or {@code jump CHAIN} entries of {@code
 * ifname : verdict} maps. Immutable; {@link #toString()} is the commands in nft-like syntax.
 *
 * @param table the table the commands act on
 * @param commands the commands, in the order the kernel runs them; at least one
 */
public record NftCommands(NftTable table, List<Command> commands) {
  /**
   * The longest batch {@link Nftables#apply} sends (one datagram): the size of the socket buffer it
   * is encoded into.
   */
  public static final int MAX_BATCH_BYTES = 64 * 1024;

  /** One command. */
  public sealed interface Command {}

  /** {@code add chain TABLE CHAIN}: a regular chain (no hook); an existing one is no error. */
  public record AddChain(String chain) implements Command {
    /** Checks the name. */
    public AddChain {
      NftJson.checkName("chain", chain);
    }
  }

  /** {@code flush chain TABLE CHAIN}: removes its rules. */
  public record FlushChain(String chain) implements Command {
    /** Checks the name. */
    public FlushChain {
      NftJson.checkName("chain", chain);
    }
  }

  /** {@code delete chain TABLE CHAIN}: it must be empty and unreferenced by then. */
  public record DeleteChain(String chain) implements Command {
    /** Checks the name. */
    public DeleteChain {
      NftJson.checkName("chain", chain);
    }
  }

  /**
   * {@code add rule TABLE CHAIN EXPRESSIONS [comment "C"]}, appended.
   *
   * @param comment at most 128 characters and 254 bytes of UTF-8 (its length is one byte in the
   *     rule's user data), or null
   */
  public record AddRule(String chain, List<NftExpr> exprs, @Nullable String comment)
      implements Command {
    /**
     * Checks the name, the expressions and the comment.
     *
     * @throws IllegalArgumentException if there are no expressions or the comment is too long
     */
    public AddRule {
      NftJson.checkName("chain", chain);
      exprs = List.copyOf(exprs);
      checkArgument(!exprs.isEmpty(), "A rule in %s without expressions", chain);
      checkArgument(
          comment == null
              || (comment.length() <= 128
                  && comment.getBytes(StandardCharsets.UTF_8).length <= 254),
          "Comment over 128 characters or 254 bytes: %s",
          comment);
    }
  }

  /** Element changes of an address set ({@link NftElements.Command}). */
  public record Elements(NftElements.Command elements) implements Command {
    /** Rejects null. */
    public Elements {
      requireNonNull(elements, "elements");
    }
  }

  /**
   * One element of a set keyed by interface name: {@code "IFACE"} in a set of {@code type ifname},
   * {@code "IFACE" . ADDRESS} in one of {@code type ifname . ipv4_addr} or {@code ifname .
   * ipv6_addr}, {@code "IFACE" . MAC} in one of {@code type ifname . ether_addr}. Immutable.
   *
   * @param iface the interface name, 1 to 15 printable ASCII characters
   * @param address the address of an address concatenation, or null
   * @param mac the MAC of an {@code ether_addr} concatenation, or null
   */
  public record InterfaceKey(
      String iface, @Nullable InetAddress address, @Nullable MacAddress mac) {
    /**
     * Checks the name and that at most one of {@code address} and {@code mac} is given.
     *
     * @throws IllegalArgumentException if not
     */
    public InterfaceKey {
      checkInterface(iface);
      checkArgument(address == null || mac == null, "Both an address and a MAC for %s", iface);
    }

    /** {@code "IFACE"}. */
    public static InterfaceKey of(String iface) {
      return new InterfaceKey(iface, null, null);
    }

    /** {@code "IFACE" . ADDRESS}. */
    public static InterfaceKey of(String iface, InetAddress address) {
      return new InterfaceKey(iface, requireNonNull(address, "address"), null);
    }

    /** {@code "IFACE" . MAC}. */
    public static InterfaceKey of(String iface, MacAddress mac) {
      return new InterfaceKey(iface, null, requireNonNull(mac, "mac"));
    }

    /** In nft syntax: {@code "cali1" . 10.65.0.7}. */
    @Override
    public String toString() {
      InetAddress a = address;
      return quoted(iface)
          + (a != null ? " . " + InetAddresses.toAddrString(a) : "")
          + (mac != null ? " . " + mac : "");
    }
  }

  /**
   * {@code VERB element TABLE SET { KEY, ... }} on a set keyed by interface name ({@link
   * InterfaceKey}); every key must have the set's shape.
   */
  public record InterfaceElements(NftElements.Verb verb, String set, List<InterfaceKey> keys)
      implements Command {
    /**
     * Checks the name.
     *
     * @throws IllegalArgumentException if there are no keys
     */
    public InterfaceElements {
      requireNonNull(verb, "verb");
      NftJson.checkName("set", set);
      keys = List.copyOf(keys);
      checkArgument(!keys.isEmpty(), "No elements for %s element %s", verb.keyword(), set);
    }
  }

  /**
   * {@code add element TABLE MAP { "ifname" : goto CHAIN, ... }} to an {@code ifname : verdict}
   * map.
   */
  public record AddGotos(String map, SortedMap<String, String> gotos) implements Command {
    /**
     * Checks the names.
     *
     * @throws IllegalArgumentException if there are none, or an interface name is not 1 to 15 bytes
     */
    public AddGotos {
      gotos = verdictEntries(map, gotos);
    }
  }

  /**
   * {@code add element TABLE MAP { "ifname" : jump CHAIN, ... }} to an {@code ifname : verdict}
   * map: a packet that matches comes back to the rule after the map's lookup when the chain
   * returns.
   */
  public record AddJumps(String map, SortedMap<String, String> jumps) implements Command {
    /**
     * Checks the names.
     *
     * @throws IllegalArgumentException if there are none, or an interface name is not 1 to 15 bytes
     */
    public AddJumps {
      jumps = verdictEntries(map, jumps);
    }
  }

  /**
   * A verdict map's entries, checked (the map's name, each interface name, each chain name) and
   * copied into an unmodifiable sorted map.
   */
  private static SortedMap<String, String> verdictEntries(
      String map, SortedMap<String, String> entries) {
    NftJson.checkName("map", map);
    checkArgument(!entries.isEmpty(), "No entries for map %s", map);
    entries.forEach(
        (k, v) -> {
          checkInterface(k);
          NftJson.checkName("chain", v);
        });
    return Collections.unmodifiableSortedMap(new TreeMap<>(entries));
  }

  /** {@code delete element TABLE MAP { "ifname", ... }} of an {@code ifname : verdict} map. */
  public record DeleteKeys(String map, List<String> keys) implements Command {
    /**
     * Checks the names.
     *
     * @throws IllegalArgumentException if there are none, or a name is not 1 to 15 bytes
     */
    public DeleteKeys {
      NftJson.checkName("map", map);
      keys = List.copyOf(keys);
      checkArgument(!keys.isEmpty(), "No keys for map %s", map);
      keys.forEach(NftCommands::checkInterface);
    }
  }

  private static void checkInterface(String name) {
    checkArgument(
        !name.isEmpty() && name.length() < 16 && name.chars().allMatch(c -> c > ' ' && c < 127),
        "Bad interface name (1 to 15 printable ASCII characters): \"%s\"",
        name);
  }

  /**
   * Validates the batch.
   *
   * @throws IllegalArgumentException if there is no command
   */
  public NftCommands {
    requireNonNull(table, "table");
    commands = List.copyOf(commands);
    checkArgument(!commands.isEmpty(), "No commands for %s", table);
  }

  /** A builder of commands on {@code table}. */
  public static Builder builder(NftTable table) {
    return new Builder(table);
  }

  /** One command in nft-like syntax, expressions as {@code nft --debug=netlink} names them. */
  public String describe(Command c) {
    String t = table.toString();
    if (c instanceof AddChain a) {
      return "add chain " + t + " " + a.chain();
    } else if (c instanceof FlushChain f) {
      return "flush chain " + t + " " + f.chain();
    } else if (c instanceof DeleteChain d) {
      return "delete chain " + t + " " + d.chain();
    } else if (c instanceof AddRule r) {
      return "add rule "
          + t
          + " "
          + r.chain()
          + " "
          + r.exprs()
          + (r.comment() == null ? "" : " comment \"" + r.comment() + "\"");
    } else if (c instanceof Elements e) {
      return new NftElements(table, List.of(e.elements())).toString();
    } else if (c instanceof InterfaceElements e) {
      return e.verb().keyword()
          + " element "
          + t
          + " "
          + e.set()
          + braces(e.keys().stream().map(InterfaceKey::toString));
    } else if (c instanceof AddGotos g) {
      return "add element "
          + t
          + " "
          + g.map()
          + braces(
              g.gotos().entrySet().stream()
                  .map(x -> quoted(x.getKey()) + " : goto " + x.getValue()));
    } else if (c instanceof AddJumps j) {
      return "add element "
          + t
          + " "
          + j.map()
          + braces(
              j.jumps().entrySet().stream()
                  .map(x -> quoted(x.getKey()) + " : jump " + x.getValue()));
    } else {
      DeleteKeys k = (DeleteKeys) c;
      return "delete element "
          + t
          + " "
          + k.map()
          + braces(k.keys().stream().map(NftCommands::quoted));
    }
  }

  private static String quoted(String s) {
    return "\"" + s + "\"";
  }

  private static String braces(Stream<String> items) {
    return " { " + items.collect(Collectors.joining(", ")) + " }";
  }

  @Override
  public String toString() {
    return commands.stream().map(this::describe).collect(Collectors.joining("; "));
  }

  /** Collects commands in order. Not thread-safe. */
  public static final class Builder {
    private final NftTable table;
    private final List<Command> commands = new ArrayList<>();

    private Builder(NftTable table) {
      this.table = requireNonNull(table, "table");
    }

    /** Appends a command. */
    public Builder add(Command c) {
      commands.add(requireNonNull(c, "command"));
      return this;
    }

    /** An element command; nothing if {@code elements} is empty. */
    public Builder elements(
        NftElements.Verb verb, String set, Collection<? extends InetAddress> elements) {
      if (!elements.isEmpty()) {
        commands.add(new Elements(new NftElements.Command(verb, set, List.copyOf(elements))));
      }
      return this;
    }

    /** {@link AddGotos}; nothing if {@code gotos} is empty. */
    public Builder addGotos(String map, Map<String, String> gotos) {
      if (!gotos.isEmpty()) {
        commands.add(new AddGotos(map, new TreeMap<>(gotos)));
      }
      return this;
    }

    /** {@link DeleteKeys}; nothing if {@code keys} is empty. */
    public Builder deleteKeys(String map, Collection<String> keys) {
      if (!keys.isEmpty()) {
        commands.add(new DeleteKeys(map, List.copyOf(keys)));
      }
      return this;
    }

    /** True if no command was added. */
    public boolean isEmpty() {
      return commands.isEmpty();
    }

    /**
     * The batch.
     *
     * @throws IllegalArgumentException if no command was added
     */
    public NftCommands build() {
      return new NftCommands(table, commands);
    }
  }
}
