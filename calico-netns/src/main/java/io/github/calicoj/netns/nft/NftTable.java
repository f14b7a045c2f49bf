package io.github.calicoj.netns.nft;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.github.calicoj.netns.nft.internal.NftJson;

/**
 * An nftables table by family and name, e.g. {@code inet calico}. Immutable; {@link #toString()} is
 * {@code "<family> <name>"} and {@link #parse} reads it back.
 *
 * <p>Names (of tables, and of chains and sets in {@link Nftables}' helpers) are restricted to
 * {@code [A-Za-z_][A-Za-z0-9_.-]*}, at most 255 characters, so they never need quoting in nft
 * syntax or escaping in JSON.
 */
public record NftTable(NftFamily family, String name) {
  /**
   * Validates the table.
   *
   * @throws IllegalArgumentException if the name is not a plain nftables identifier
   */
  public NftTable {
    requireNonNull(family, "family");
    NftJson.checkName("table", name);
  }

  /** {@code inet NAME}. */
  public static NftTable inet(String name) {
    return new NftTable(NftFamily.INET, name);
  }

  /**
   * Parses {@code "<family> <name>"}, e.g. {@code "inet calico"}.
   *
   * @throws IllegalArgumentException if it is not a family and a name separated by one space
   */
  public static NftTable parse(String text) {
    requireNonNull(text, "text");
    int space = text.indexOf(' ');
    checkArgument(space > 0, "Not \"<family> <name>\": %s", text);
    return new NftTable(NftFamily.of(text.substring(0, space)), text.substring(space + 1));
  }

  @Override
  public String toString() {
    return family.keyword() + " " + name;
  }
}
