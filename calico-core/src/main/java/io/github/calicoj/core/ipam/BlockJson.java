package io.github.calicoj.core.ipam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.calicoj.core.internal.PyJson;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpamConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * IPAM v2's values: an allocation block ({@code /calico/ipam/v2/assignment/ipv<v>/block/<cidr>}), a
 * handle ({@code /calico/ipam/v2/handle/<id>}) and the IPAM config ({@code
 * /calico/ipam/v2/config}), written as pycalico wrote them and read tolerantly (a missing {@code
 * unallocated} is rebuilt; both {@code strict_affinity} and Go's {@code strictAffinity}). Stateless
 * and thread-safe.
 */
public final class BlockJson {
  private BlockJson() {}

  /** A block's value. */
  public static String write(AllocationBlock block) {
    ObjectNode o = PyJson.NODES.objectNode();
    o.put("cidr", block.cidr().toString());
    o.put("affinity", block.affinityHost().map(h -> "host:" + h).orElse(""));
    if (block.strictAffinity()) {
      o.put("strict_affinity", true);
    }
    ArrayNode alloc = o.putArray("allocations");
    for (Integer a : block.allocations()) {
      if (a == null) {
        alloc.addNull();
      } else {
        alloc.add(a);
      }
    }
    ArrayNode attrs = o.putArray("attributes");
    for (AllocationBlock.Attribute a : block.attributes()) {
      ObjectNode attr = attrs.addObject();
      attr.put("handle_id", a.handleId());
      ObjectNode secondary = attr.putObject("secondary");
      new TreeMap<>(a.secondary()).forEach(secondary::put);
    }
    ArrayNode free = o.putArray("unallocated");
    block.unallocated().forEach(free::add);
    return PyJson.write(o);
  }

  /**
   * Reads a block's value.
   *
   * @throws IllegalArgumentException if it is malformed or breaks a block invariant
   */
  public static AllocationBlock read(String json) {
    JsonNode o = PyJson.parse(json, "block");
    String affinity = PyJson.nullableText(o, "affinity");
    String host = affinity != null && affinity.startsWith("host:") ? affinity.substring(5) : null;
    boolean strict =
        o.path("strict_affinity").asBoolean(false) || o.path("strictAffinity").asBoolean(false);
    List<@Nullable Integer> alloc = new ArrayList<>();
    o.path("allocations").forEach(a -> alloc.add(a.isNull() ? null : a.asInt()));
    List<AllocationBlock.Attribute> attrs = new ArrayList<>();
    o.path("attributes")
        .forEach(
            a ->
                attrs.add(
                    new AllocationBlock.Attribute(
                        PyJson.nullableText(a, "handle_id"),
                        PyJson.stringMap(a.get("secondary")))));
    List<Integer> free = null;
    if (o.has("unallocated") && !o.get("unallocated").isNull()) {
      List<Integer> f = new ArrayList<>();
      o.get("unallocated").forEach(x -> f.add(x.asInt()));
      free = f;
    }
    return new AllocationBlock(
        Cidr.parseNormalized(PyJson.text(o, "cidr", "")), host, strict, alloc, attrs, free);
  }

  /** A handle's value: {@code {"id": ID, "block": {CIDR: COUNT}}}. */
  public static String handle(String id, Map<Cidr, Integer> blocks) {
    ObjectNode o = PyJson.NODES.objectNode();
    o.put("id", id);
    ObjectNode b = o.putObject("block");
    blocks.forEach((cidr, n) -> b.put(cidr.toString(), n));
    return PyJson.write(o);
  }

  /** A handle's block counts. */
  public static Map<Cidr, Integer> readHandle(String json) {
    JsonNode o = PyJson.parse(json, "handle");
    Map<Cidr, Integer> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : o.path("block").properties()) {
      out.put(Cidr.parseNormalized(e.getKey()), e.getValue().asInt());
    }
    return out;
  }

  /** The IPAM config's value. */
  public static String config(IpamConfig c) {
    ObjectNode o = PyJson.NODES.objectNode();
    o.put("auto_allocate_blocks", c.autoAllocateBlocks());
    o.put("strict_affinity", c.strictAffinity());
    return PyJson.write(o);
  }

  /** Reads the IPAM config; missing fields take their defaults. */
  public static IpamConfig readConfig(String json) {
    JsonNode o = PyJson.parse(json, "IPAM config");
    return new IpamConfig(
        o.path("strict_affinity").asBoolean(false), o.path("auto_allocate_blocks").asBoolean(true));
  }
}
