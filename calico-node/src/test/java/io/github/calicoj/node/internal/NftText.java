package io.github.calicoj.node.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.calicoj.node.internal.nft.NftChain;
import io.github.calicoj.node.internal.nft.NftRule;
import io.github.calicoj.node.internal.render.DesiredState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints the rules the agent renders in nft syntax, for readable assertions. Covers exactly the
 * expressions the renderer uses; the real nft is the oracle in the ITs.
 */
public final class NftText {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private NftText() {}

  /** A chain's rules in nft syntax. */
  public static List<String> chain(DesiredState s, String chain) {
    NftChain c = s.table().chains().get(chain);
    if (c == null) {
      throw new AssertionError("No chain " + chain + " in " + s.table().chains().keySet());
    }
    List<String> out = new ArrayList<>();
    c.rules().forEach(r -> out.add(rule(r)));
    return out;
  }

  /** One rule in nft syntax, with its comment. */
  public static String rule(NftRule r) {
    try {
      List<String> parts = new ArrayList<>();
      for (JsonNode e : MAPPER.readTree(r.expr())) {
        parts.add(statement(e));
      }
      String text = String.join(" ", parts);
      return r.comment() == null ? text : text + " comment \"" + r.comment() + "\"";
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static String statement(JsonNode e) {
    Map.Entry<String, JsonNode> s = e.properties().iterator().next();
    JsonNode v = s.getValue();
    return switch (s.getKey()) {
      case "match" -> {
        String left = expr(v.get("left"), null);
        boolean binop = v.get("left").has("&"); // nft prints "==" after a bitwise expression
        String op = v.get("op").asText().equals("==") ? (binop ? "== " : "") : "!= ";
        yield left + " " + op + expr(v.get("right"), v.get("left"));
      }
      case "mangle" -> expr(v.get("key"), null) + " set " + expr(v.get("value"), null);
      case "log" ->
          "log prefix \"" + v.get("prefix").asText() + "\" level " + v.get("level").asText();
      case "jump", "goto" -> s.getKey() + " " + v.get("target").asText();
      case "vmap" -> expr(v.get("key"), null) + " vmap " + expr(v.get("data"), null);
      default -> s.getKey(); // accept, drop, return, masquerade
    };
  }

  private static String expr(JsonNode e, JsonNode left) {
    if (e.isTextual()) {
      String t = e.asText();
      boolean quoted =
          left != null
              && !t.startsWith("@") // a set reference, not a name
              && left.has("meta")
              && left.get("meta").get("key").asText().endsWith("ifname");
      return quoted ? "\"" + t + "\"" : t;
    }
    if (e.isBoolean()) {
      return e.asBoolean() ? "exists" : "missing";
    }
    if (e.isNumber()) {
      boolean mark = left != null && left.has("&");
      return mark ? hex(e.asLong()) : e.asText();
    }
    if (e.isArray()) { // a vmap entry
      return expr(e.get(0), null) + " : " + statement(e.get(1));
    }
    Map.Entry<String, JsonNode> s = e.properties().iterator().next();
    JsonNode v = s.getValue();
    return switch (s.getKey()) {
      case "payload" -> v.get("protocol").asText() + " " + v.get("field").asText();
      case "meta" ->
          v.get("key").asText().endsWith("ifname")
              ? v.get("key").asText()
              : "meta " + v.get("key").asText();
      case "ct" -> "ct " + v.get("key").asText();
      case "fib" -> {
        List<String> flags = new ArrayList<>();
        v.get("flags").forEach(f -> flags.add(f.asText()));
        yield "fib " + String.join(" . ", flags) + " " + v.get("result").asText();
      }
      case "&", "|" -> expr(v.get(0), null) + " " + s.getKey() + " " + hex(v.get(1).asLong());
      case "concat" -> {
        List<String> parts = new ArrayList<>();
        v.forEach(p -> parts.add(expr(p, null)));
        yield String.join(" . ", parts);
      }
      case "set" -> {
        List<String> parts = new ArrayList<>();
        v.forEach(p -> parts.add(expr(p, left)));
        yield "{ " + String.join(", ", parts) + " }";
      }
      case "range" -> v.get(0).asText() + "-" + v.get(1).asText();
      case "prefix" -> v.get("addr").asText() + "/" + v.get("len").asText();
      default -> throw new AssertionError("Unknown expression " + e);
    };
  }

  private static String hex(long v) {
    return String.format(Locale.ROOT, "0x%08x", v);
  }
}
