package io.github.calicoj.node.internal.nft;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.jspecify.annotations.Nullable;

/**
 * Collects a rule's expressions in order, then freezes them into an {@link NftRule}. Not
 * thread-safe.
 */
public final class RuleBuilder {
  private static final ObjectMapper MAPPER = JsonMapper.builder().build();
  private final ArrayNode exprs = JsonNodeFactory.instance.arrayNode();

  /** An empty rule. */
  public static RuleBuilder rule() {
    return new RuleBuilder();
  }

  /** Appends {@code left == right}. */
  public RuleBuilder eq(JsonNode left, JsonNode right) {
    return add(Expr.match("==", left, right));
  }

  /** Appends {@code left != right}. */
  public RuleBuilder ne(JsonNode left, JsonNode right) {
    return add(Expr.match("!=", left, right));
  }

  /** Appends a match ({@code negated} gives {@code !=}). */
  public RuleBuilder match(boolean negated, JsonNode left, JsonNode right) {
    return negated ? ne(left, right) : eq(left, right);
  }

  /** Appends any expression or statement. */
  public RuleBuilder add(JsonNode expr) {
    exprs.add(expr);
    return this;
  }

  /** Puts an expression before the others. */
  public RuleBuilder addFirst(JsonNode expr) {
    exprs.insert(0, expr);
    return this;
  }

  /** True if nothing was added. */
  public boolean isEmpty() {
    return exprs.isEmpty();
  }

  /** The rule. */
  public NftRule build() {
    return build(null);
  }

  /** The rule with a comment, cut to 128 characters. */
  public NftRule build(@Nullable String comment) {
    String c =
        comment == null || comment.length() <= 128 ? comment : comment.substring(0, 127) + "…";
    return new NftRule(write(exprs), c);
  }

  /** Compact JSON of a node. */
  static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot serialize " + node, e);
    }
  }
}
