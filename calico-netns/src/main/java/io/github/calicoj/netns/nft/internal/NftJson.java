package io.github.calicoj.netns.nft.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import io.github.calicoj.netns.nft.NftTable;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The few libnftables JSON documents calicoj writes itself ({@code man libnftables-json}), and the
 * checks on what callers pass in. Pure functions, no I/O.
 */
public final class NftJson {
  /**
   * A plain nftables identifier: what {@code nft} accepts unquoted, within the kernel's 256-byte
   * name limit ({@code NFT_NAME_MAXLEN}, NUL included). Such a name needs no JSON escaping.
   */
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.\\-]{0,254}");

  private NftJson() {}

  /**
   * Returns {@code name} if it is a plain identifier.
   *
   * @param kind what is named ({@code table}, {@code chain}, {@code set}), for the message
   * @throws IllegalArgumentException otherwise
   */
  public static String checkName(String kind, String name) {
    requireNonNull(name, kind);
    checkArgument(
        NAME.matcher(name).matches(),
        "Bad nftables %s name (want [A-Za-z_][A-Za-z0-9_.-]*, at most 255 characters): \"%s\"",
        kind,
        name);
    return name;
  }

  /**
   * Checks that {@code json} looks like a libnftables JSON document and returns it as the
   * NUL-terminated UTF-8 bytes libnftables takes.
   *
   * <p>libnftables tries JSON first and falls back to the nft language when the text is not valid
   * JSON; requiring a leading <code>{</code> means such text can only fail with a syntax error,
   * never run as nft commands.
   *
   * @throws IllegalArgumentException if it is blank, does not start with <code>{</code>, or holds a
   *     NUL character
   */
  public static byte[] documentBytes(String json) {
    requireNonNull(json, "json");
    String t = json.strip();
    checkArgument(
        t.startsWith("{"),
        "Not a libnftables JSON document (want {\"nftables\": [...]}): %s",
        NftErrors.excerpt(json, 80));
    checkArgument(json.indexOf('\0') < 0, "JSON document contains a NUL character");
    byte[] utf8 = json.getBytes(UTF_8);
    byte[] out = new byte[utf8.length + 1];
    System.arraycopy(utf8, 0, out, 0, utf8.length);
    return out;
  }

  /**
   * <code>{"nftables": [C1, C2, ...]}</code>: one document, which libnftables commits as one
   * transaction.
   *
   * @param commands each a JSON object such as <code>{"add": {"element": {...}}}</code>
   * @throws IllegalArgumentException if a command is not a JSON object's text
   */
  public static String document(List<String> commands) {
    requireNonNull(commands, "commands");
    StringBuilder b = new StringBuilder(64 + 64 * commands.size()).append("{\"nftables\": [");
    for (int i = 0; i < commands.size(); i++) {
      String c = requireNonNull(commands.get(i), "commands[" + i + "]").strip();
      checkArgument(
          c.startsWith("{") && c.endsWith("}"),
          "commands[%s] is not a JSON object: %s",
          i,
          NftErrors.excerpt(c, 80));
      if (i > 0) {
        b.append(", ");
      }
      b.append(c);
    }
    return b.append("]}").toString();
  }

  /** <code>{"nftables": [{"list": {"ruleset": null}}]}</code>: every table of the namespace. */
  public static String listRuleset() {
    return "{\"nftables\": [{\"list\": {\"ruleset\": null}}]}";
  }

  /**
   * Lists one table, or one chain or set in it.
   *
   * @param kind {@code table}, {@code chain} or {@code set}
   * @param name the chain's or set's name; null for the table
   */
  public static String list(String kind, NftTable table, @Nullable String name) {
    return "{\"nftables\": [{\"list\": " + object(kind, table, name) + "}]}";
  }

  /**
   * Deletes a table whether or not it exists, atomically: {@code add table} (a no-op if it exists)
   * then {@code delete table}, in one transaction.
   */
  public static String deleteTableIfExists(NftTable table) {
    String t = object("table", table, null);
    return "{\"nftables\": [{\"add\": " + t + "}, {\"delete\": " + t + "}]}";
  }

  /**
   * Replaces {@code table} with what {@code commands} make, atomically: {@code add table} (a no-op
   * if it exists), {@code delete table}, {@code add table}, then the commands, in one document.
   */
  public static String replaceTable(NftTable table, List<String> commands) {
    String t = object("table", table, null);
    List<String> all = new ArrayList<>(commands.size() + 3);
    all.add("{\"add\": " + t + "}");
    all.add("{\"delete\": " + t + "}");
    all.add("{\"add\": " + t + "}");
    all.addAll(commands);
    return document(all);
  }

  /**
   * <code>{"table": {"family": F, "name": T}}</code>, or for a chain or set <code>
   * {"set": {"family": F, "table": T, "name": N}}</code>. Names are checked identifiers, so no
   * escaping is needed.
   */
  static String object(String kind, NftTable table, @Nullable String name) {
    String family = "\"family\": \"" + table.family().keyword() + "\"";
    if (name == null) {
      checkArgument(kind.equals("table"), "a %s needs a name", kind);
      return "{\"table\": {" + family + ", \"name\": \"" + table.name() + "\"}}";
    }
    checkArgument(kind.equals("chain") || kind.equals("set"), "Unknown object kind: %s", kind);
    return "{\""
        + kind
        + "\": {"
        + family
        + ", \"table\": \""
        + table.name()
        + "\", \"name\": \""
        + checkName(kind, name)
        + "\"}}";
  }
}
