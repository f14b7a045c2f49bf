package io.github.calicoj.node.internal.nft;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * One rule: its expressions as the compact JSON array libnftables reads under {@code "expr"}, and
 * an optional comment. Built by {@link RuleBuilder}; equal rules have equal text. Immutable.
 *
 * @param expr the {@code "expr"} array, compact JSON
 * @param comment the rule's comment (at most 128 characters), or null
 */
public record NftRule(String expr, @Nullable String comment) {

  /** Checks the text and the comment's length. */
  public NftRule {
    requireNonNull(expr, "expr");
    if (!expr.startsWith("[") || !expr.endsWith("]")) {
      throw new IllegalArgumentException("Not a JSON expression array: " + expr);
    }
    if (comment != null && comment.length() > 128) {
      throw new IllegalArgumentException("Comment longer than 128 characters: " + comment);
    }
  }

  @Override
  public String toString() {
    return comment == null ? expr : expr + " # " + comment;
  }
}
