package io.github.calicoj.node.internal.nft;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.google.common.collect.ImmutableSortedSet;
import com.google.common.net.InetAddresses;
import io.github.calicoj.netns.MacAddress;
import io.github.calicoj.netns.nft.NftCommands;
import java.util.Comparator;
import org.jspecify.annotations.Nullable;

/**
 * A named set keyed by interface name: interfaces alone ({@code type ifname}) or an interface with
 * one of its addresses or its MAC ({@code type ifname . ipv4_addr}, {@code ifname . ipv6_addr},
 * {@code ifname . ether_addr}). Holds what each workload interface may send from. Immutable.
 *
 * @param name the set's name
 * @param type what its keys are
 * @param elements its keys
 */
public record NftKeySet(String name, KeyType type, ImmutableSortedSet<Key> elements) {

  /** Checks that every key has the set's shape. */
  public NftKeySet {
    requireNonNull(name, "name");
    requireNonNull(type, "type");
    for (Key k : elements) {
      checkArgument(
          type == KeyType.IFNAME ? k.value().isEmpty() : !k.value().isEmpty(),
          "%s is not a key of %s set %s",
          k,
          type,
          name);
    }
  }

  /** The key types: the interface name, alone or concatenated with one value. */
  public enum KeyType {
    /** {@code ifname}. */
    IFNAME(null),
    /** {@code ifname . ipv4_addr}. */
    IFNAME_IPV4("ipv4_addr"),
    /** {@code ifname . ipv6_addr}. */
    IFNAME_IPV6("ipv6_addr"),
    /** {@code ifname . ether_addr}. */
    IFNAME_ETHER("ether_addr");

    private final @Nullable String second;

    KeyType(@Nullable String second) {
      this.second = second;
    }

    /** libnftables' {@code "type"}: {@code "ifname"} or {@code ["ifname", "ipv4_addr"]}. */
    JsonNode json() {
      JsonNodeFactory n = JsonNodeFactory.instance;
      String s = second;
      return s == null ? n.textNode("ifname") : n.arrayNode().add("ifname").add(s);
    }
  }

  /**
   * One key: an interface name and, in a concatenated set, the address (as {@code
   * InetAddresses.toAddrString} writes it) or the MAC (lowercase, colon-separated); empty in an
   * {@code ifname} set. Ordered by interface, then value.
   *
   * @param iface the interface name
   * @param value the second part, or empty
   */
  public record Key(String iface, String value) implements Comparable<Key> {
    private static final Comparator<Key> ORDER =
        Comparator.comparing(Key::iface).thenComparing(Key::value);

    /** Rejects nulls. */
    public Key {
      requireNonNull(iface, "iface");
      requireNonNull(value, "value");
    }

    @Override
    public int compareTo(Key o) {
      return ORDER.compare(this, o);
    }

    /** libnftables' element: {@code "cali1"} or <code>{"concat": ["cali1", "10.65.0.7"]}</code>. */
    JsonNode json() {
      JsonNodeFactory n = JsonNodeFactory.instance;
      if (value.isEmpty()) {
        return n.textNode(iface);
      }
      return n.objectNode().set("concat", n.arrayNode().add(iface).add(value));
    }

    /** The raw nf_tables form, for a set of {@code type}. */
    NftCommands.InterfaceKey raw(KeyType type) {
      return switch (type) {
        case IFNAME -> NftCommands.InterfaceKey.of(iface);
        case IFNAME_IPV4, IFNAME_IPV6 ->
            NftCommands.InterfaceKey.of(iface, InetAddresses.forString(value));
        case IFNAME_ETHER -> NftCommands.InterfaceKey.of(iface, MacAddress.parse(value));
      };
    }

    @Override
    public String toString() {
      return value.isEmpty() ? iface : iface + " . " + value;
    }
  }
}
