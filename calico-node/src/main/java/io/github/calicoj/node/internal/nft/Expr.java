package io.github.calicoj.node.internal.nft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.net.InetAddresses;
import io.github.calicoj.core.model.Cidr;
import java.util.List;

/**
 * Builders for libnftables JSON expressions and statements ({@code man libnftables-json}). Each
 * call returns a new node. Stateless and thread-safe.
 */
public final class Expr {
  private static final JsonNodeFactory N = JsonNodeFactory.instance;

  private Expr() {}

  /** {@code meta KEY}, e.g. {@code meta l4proto}. */
  public static JsonNode meta(String key) {
    return single("meta", N.objectNode().put("key", key));
  }

  /** A header field, e.g. {@code ip saddr}, {@code tcp dport}, {@code ether saddr}. */
  public static JsonNode payload(String protocol, String field) {
    return single("payload", N.objectNode().put("protocol", protocol).put("field", field));
  }

  /** {@code ct state}. */
  public static JsonNode ctState() {
    return single("ct", N.objectNode().put("key", "state"));
  }

  /** {@code fib FLAGS... RESULT}, e.g. {@code fib saddr . iif oif}. */
  public static JsonNode fib(String result, String... flags) {
    ObjectNode o = N.objectNode().put("result", result);
    ArrayNode f = o.putArray("flags");
    for (String flag : flags) {
      f.add(flag);
    }
    return single("fib", o);
  }

  /** A string constant (a symbol such as {@code tcp}, an interface name, a MAC). */
  public static JsonNode text(String value) {
    return N.textNode(value);
  }

  /** A number; 32-bit values are given unsigned. */
  public static JsonNode number(long value) {
    return N.numberNode(value);
  }

  /** A boolean constant ({@code fib ... oif missing} is {@code false}). */
  public static JsonNode bool(boolean value) {
    return N.booleanNode(value);
  }

  /** An address ({@code 10.0.0.1}) for a host network, else a prefix ({@code 10.0.0.0/8}). */
  public static JsonNode address(Cidr c) {
    Cidr n = c.normalized();
    String addr = InetAddresses.toAddrString(n.address());
    if (n.prefixLength() == (n.isIpv4() ? 32 : 128)) {
      return N.textNode(addr);
    }
    return single("prefix", N.objectNode().put("addr", addr).put("len", n.prefixLength()));
  }

  /** A reference to a named set or map: {@code @name}. */
  public static JsonNode setRef(String name) {
    return N.textNode("@" + name);
  }

  /** An anonymous set of values. */
  public static JsonNode set(List<JsonNode> values) {
    ArrayNode a = N.arrayNode();
    values.forEach(a::add);
    return single("set", a);
  }

  /** The single value itself, or an anonymous set of several. */
  public static JsonNode oneOrSet(List<JsonNode> values) {
    return values.size() == 1 ? values.get(0) : set(values);
  }

  /** An inclusive range {@code lo-hi}. */
  public static JsonNode range(long lo, long hi) {
    return single("range", N.arrayNode().add(lo).add(hi));
  }

  /** A concatenation {@code a . b}. */
  public static JsonNode concat(JsonNode... parts) {
    ArrayNode a = N.arrayNode();
    for (JsonNode p : parts) {
      a.add(p);
    }
    return single("concat", a);
  }

  /** {@code left & mask}. */
  public static JsonNode and(JsonNode left, long mask) {
    return single("&", N.arrayNode().add(left).add(mask));
  }

  /** {@code left | bits}. */
  public static JsonNode or(JsonNode left, long bits) {
    return single("|", N.arrayNode().add(left).add(bits));
  }

  /** The match statement {@code left OP right}. */
  public static JsonNode match(String op, JsonNode left, JsonNode right) {
    return single(
        "match", N.objectNode().put("op", op).<ObjectNode>set("left", left).set("right", right));
  }

  /** {@code meta mark set VALUE}. */
  public static JsonNode setMark(JsonNode value) {
    return single(
        "mangle", N.objectNode().<ObjectNode>set("key", meta("mark")).set("value", value));
  }

  /** {@code log prefix "PREFIX" level LEVEL}. */
  public static JsonNode log(String prefix, String level) {
    return single("log", N.objectNode().put("prefix", prefix).put("level", level));
  }

  /** {@code KEY vmap { k : verdict, ... }} with an anonymous map. */
  public static JsonNode vmap(JsonNode key, List<List<JsonNode>> entries) {
    ArrayNode data = N.arrayNode();
    for (List<JsonNode> e : entries) {
      data.add(N.arrayNode().add(e.get(0)).add(e.get(1)));
    }
    return single(
        "vmap", N.objectNode().<ObjectNode>set("key", key).set("data", single("set", data)));
  }

  /** {@code KEY vmap @name} with a named map. */
  public static JsonNode vmap(JsonNode key, String mapName) {
    return single("vmap", N.objectNode().<ObjectNode>set("key", key).set("data", setRef(mapName)));
  }

  /** A verdict without argument: {@code accept}, {@code drop}, {@code return}. */
  public static JsonNode verdict(String name) {
    return single(name, N.nullNode());
  }

  /** {@code jump CHAIN}. */
  public static JsonNode jump(String chain) {
    return single("jump", N.objectNode().put("target", chain));
  }

  /** {@code masquerade}. */
  public static JsonNode masquerade() {
    return verdict("masquerade");
  }

  private static ObjectNode single(String key, JsonNode value) {
    ObjectNode o = N.objectNode();
    o.set(key, value);
    return o;
  }
}
