package io.github.calicoj.netns.nft;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.net.InetAddresses;
import io.github.calicoj.netns.nft.internal.NftJson;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Element commands on address sets ({@code type ipv4_addr} or {@code ipv6_addr}, without {@code
 * flags interval}) of one table, in order: what {@link Nftables#applyElements} commits as one
 * transaction. Immutable; {@link #toString()} is the commands in nft syntax.
 *
 * <pre>{@code
 * nft.applyElements(NftElements.builder(NftTable.inet("calico"))
 *     .delete("t4_web", List.of(InetAddress.getByName("10.65.0.7")))
 *     .add("t4_web", List.of(InetAddress.getByName("10.65.0.8")))
 *     .build());
 * }</pre>
 *
 * @param table the table that holds the sets
 * @param commands the commands, in the order the kernel runs them; none is empty
 */
public record NftElements(NftTable table, List<Command> commands) {

  /** What a command does with its elements. */
  public enum Verb {
    /** {@code add element}: an element that is already there is no error. */
    ADD,
    /** {@code create element}: an element that is already there fails the whole transaction. */
    CREATE,
    /** {@code delete element}: an element that is not there fails the whole transaction. */
    DELETE;

    /** {@code add}, {@code create} or {@code delete}: nft's keyword and libnftables' JSON verb. */
    public String keyword() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One command: {@code VERB element TABLE SET { ELEMENTS }}.
   *
   * @param verb what it does
   * @param set the set's name (a plain identifier, see {@link NftTable})
   * @param elements the addresses, at least one
   */
  public record Command(Verb verb, String set, List<InetAddress> elements) {
    /**
     * Validates the command.
     *
     * @throws IllegalArgumentException if the set name is not a plain identifier or there are no
     *     elements
     */
    public Command {
      requireNonNull(verb, "verb");
      NftJson.checkName("set", set);
      elements = List.copyOf(elements);
      checkArgument(!elements.isEmpty(), "No elements for %s element %s", verb.keyword(), set);
    }
  }

  /**
   * Validates the batch.
   *
   * @throws IllegalArgumentException if there is no command
   */
  public NftElements {
    requireNonNull(table, "table");
    commands = List.copyOf(commands);
    checkArgument(!commands.isEmpty(), "No element commands for %s", table);
  }

  /** A builder of commands on {@code table}'s sets. */
  public static Builder builder(NftTable table) {
    return new Builder(table);
  }

  /** How many elements all the commands name. */
  public int elementCount() {
    int n = 0;
    for (Command c : commands) {
      n += c.elements().size();
    }
    return n;
  }

  /**
   * The same commands as one libnftables JSON document (<code>{"nftables": [{"add": {"element":
   * ...}}, ...]}</code>), which {@link Nftables#run} commits with the same result.
   */
  public String toJson() {
    List<String> out = new ArrayList<>(commands.size());
    for (Command c : commands) {
      out.add(
          "{\""
              + c.verb().keyword()
              + "\": {\"element\": {\"family\": \""
              + table.family().keyword()
              + "\", \"table\": \""
              + table.name()
              + "\", \"name\": \""
              + c.set()
              + "\", \"elem\": ["
              + c.elements().stream()
                  .map(a -> "\"" + InetAddresses.toAddrString(a) + "\"")
                  .collect(Collectors.joining(", "))
              + "]}}}");
    }
    return NftJson.document(out);
  }

  /** {@code add element inet calico t4_web { 10.65.0.8 }; ...}. */
  @Override
  public String toString() {
    return commands.stream().map(c -> command(c, c.elements())).collect(Collectors.joining("; "));
  }

  /** One command in nft syntax, naming {@code elements} (all of its elements, or one). */
  public String command(Command c, Collection<InetAddress> elements) {
    return c.verb().keyword()
        + " element "
        + table
        + " "
        + c.set()
        + " { "
        + elements.stream().map(InetAddresses::toAddrString).collect(Collectors.joining(", "))
        + " }";
  }

  /** Collects commands in order. Not thread-safe. */
  public static final class Builder {
    private final NftTable table;
    private final List<Command> commands = new ArrayList<>();

    private Builder(NftTable table) {
      this.table = requireNonNull(table, "table");
    }

    /** {@code add element TABLE SET { ELEMENTS }}; nothing if {@code elements} is empty. */
    public Builder add(String set, Collection<? extends InetAddress> elements) {
      return command(Verb.ADD, set, elements);
    }

    /** {@code create element TABLE SET { ELEMENTS }}; nothing if {@code elements} is empty. */
    public Builder create(String set, Collection<? extends InetAddress> elements) {
      return command(Verb.CREATE, set, elements);
    }

    /** {@code delete element TABLE SET { ELEMENTS }}; nothing if {@code elements} is empty. */
    public Builder delete(String set, Collection<? extends InetAddress> elements) {
      return command(Verb.DELETE, set, elements);
    }

    /** A command; nothing if {@code elements} is empty. */
    public Builder command(Verb verb, String set, Collection<? extends InetAddress> elements) {
      if (!elements.isEmpty()) {
        commands.add(new Command(verb, set, List.copyOf(elements)));
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
    public NftElements build() {
      return new NftElements(table, commands);
    }
  }
}
