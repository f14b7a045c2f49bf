package io.github.calicoj.node.internal.decode;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Decodes the small values: a profile's tags and a pool. Stateless and thread-safe. */
final class ValueDecoder {
  private static final Pattern POOL_ID = Pattern.compile("[0-9.:a-fA-F\\-]{1,43}");

  private ValueDecoder() {}

  /**
   * A tags value: a list of valid ids, each kept once (Felix's {@code validate_tags}).
   *
   * @throws IllegalArgumentException naming the bad tag
   */
  static List<String> tags(String value) {
    JsonNode a = Json.parse(value, "tags");
    if (!a.isArray()) {
      throw new IllegalArgumentException("Expected tags to be a list: " + Json.abbreviate(value));
    }
    Set<String> out = new LinkedHashSet<>();
    for (JsonNode t : a) {
      String s = Json.text(t);
      if (!Json.validId(s)) {
        throw new IllegalArgumentException("Invalid tag " + t + ".");
      }
      out.add(s);
    }
    return List.copyOf(out);
  }

  /**
   * A pool stored under id {@code id} of IP version {@code version}: its {@code cidr}, {@code ipip}
   * (a non-empty device name), and the JSON booleans {@code masquerade}, {@code ipam}, {@code
   * disabled} (Felix's {@code validate_ipam_pool} and confd's reading).
   *
   * @throws IllegalArgumentException naming the bad field
   */
  static IpPool pool(String id, int version, String value) {
    if (!POOL_ID.matcher(id).matches()) {
      throw new IllegalArgumentException("invalid pool id '" + id + "'");
    }
    JsonNode o = Json.parse(value, "pool");
    Map<String, JsonNode> f = o.isObject() ? Json.fields(o) : Map.of();
    String cidrText = Json.text(f.get("cidr"));
    Cidr cidr = Cidr.parseNormalized(cidrText == null ? "" : cidrText);
    if (cidr.version() != version) {
      throw new IllegalArgumentException("cidr " + cidr + " is not IPv" + version);
    }
    String ipip = Json.text(f.get("ipip"));
    return new IpPool(
        cidr,
        ipip != null && !ipip.isEmpty(),
        bool(f, "masquerade", false),
        bool(f, "ipam", true),
        bool(f, "disabled", false));
  }

  private static boolean bool(Map<String, JsonNode> f, String field, boolean dflt) {
    JsonNode v = f.get(field);
    if (v == null) {
      return dflt;
    }
    if (!v.isBoolean()) {
      throw new IllegalArgumentException(field + " must be a JSON boolean: " + v);
    }
    return v.booleanValue();
  }
}
