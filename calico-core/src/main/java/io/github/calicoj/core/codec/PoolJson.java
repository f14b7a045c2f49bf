package io.github.calicoj.core.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.calicoj.core.internal.PyJson;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;

/**
 * An IP pool's value at {@code /calico/v1/ipam/v<v>/pool/<cidr-dash>}: {@code cidr}, plus {@code
 * ipip}, {@code masquerade}, {@code ipam} and {@code disabled} only when not at their defaults.
 * Stateless and thread-safe.
 */
public final class PoolJson {
  private PoolJson() {}

  /** The pool's value. */
  public static String write(IpPool pool) {
    ObjectNode o = PyJson.NODES.objectNode();
    o.put("cidr", pool.cidr().toString());
    if (pool.ipip()) {
      o.put("ipip", "tunl0");
    }
    if (pool.masquerade()) {
      o.put("masquerade", true);
    }
    if (!pool.ipam()) {
      o.put("ipam", false);
    }
    if (pool.disabled()) {
      o.put("disabled", true);
    }
    return PyJson.write(o);
  }

  /**
   * Reads a pool's value.
   *
   * @throws IllegalArgumentException if the JSON or its CIDR is invalid
   */
  public static IpPool read(String json) {
    JsonNode o = PyJson.parse(json, "pool");
    String ipip = PyJson.nullableText(o, "ipip");
    return new IpPool(
        Cidr.parseNormalized(PyJson.text(o, "cidr", "")),
        ipip != null && !ipip.isEmpty(),
        o.path("masquerade").asBoolean(false),
        o.path("ipam").asBoolean(true),
        o.path("disabled").asBoolean(false));
  }
}
