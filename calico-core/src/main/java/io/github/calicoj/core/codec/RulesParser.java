package io.github.calicoj.core.codec;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.calicoj.core.WireFormat;
import io.github.calicoj.core.internal.PyJson;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.Names;
import io.github.calicoj.core.model.PortRange;
import io.github.calicoj.core.model.Rule;
import io.github.calicoj.core.model.Rules;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** {@link RulesJson#parse}: rules JSON read as Felix validates it. Stateless and thread-safe. */
final class RulesParser {
  /** Rule keys every reader knows. */
  private static final Set<String> BASIC_KEYS =
      Set.of(
          "action",
          "protocol",
          "src_net",
          "src_tag",
          "src_ports",
          "dst_net",
          "dst_tag",
          "dst_ports",
          "icmp_type",
          "icmp_code");

  /** Rule keys only newer Felix knows (and old pycalico readers crash on). */
  private static final Set<String> EXTENDED_KEYS =
      Set.of(
          "ip_version",
          "!protocol",
          "!src_net",
          "!src_tag",
          "!src_ports",
          "!dst_net",
          "!dst_tag",
          "!dst_ports",
          "!icmp_type",
          "!icmp_code");

  private static final Set<String> ICMP_PROTOCOLS = Set.of("icmp", "icmpv6");

  private RulesParser() {}

  static Rules parse(String json, WireFormat format) {
    JsonNode o = PyJson.parse(json, "rules");
    if (!o.isObject()) {
      throw new IllegalArgumentException("Rules JSON must be an object: " + PyJson.quote(json));
    }
    for (Map.Entry<String, JsonNode> e : o.properties()) {
      String k = e.getKey();
      if (k.equals("id")) {
        if (!e.getValue().isTextual()) {
          throw new IllegalArgumentException("Rules \"id\" must be a string");
        }
      } else if (!k.equals("inbound_rules") && !k.equals("outbound_rules")) {
        throw new IllegalArgumentException("Unknown key in rules: " + PyJson.quote(k));
      }
    }
    return new Rules(
        parseList(o.get("inbound_rules"), "inbound_rules", format),
        parseList(o.get("outbound_rules"), "outbound_rules", format));
  }

  // ------------------------------------------------------------------ strict parsing

  private static List<Rule> parseList(@Nullable JsonNode a, String field, WireFormat format) {
    if (a == null || a.isNull()) {
      throw new IllegalArgumentException("Rules JSON needs a list \"" + field + "\"");
    }
    if (!a.isArray()) {
      throw new IllegalArgumentException(
          "\"" + field + "\" must be a list, not " + PyJson.quote(a.toString()));
    }
    List<Rule> out = new ArrayList<>();
    int i = 0;
    for (JsonNode r : a) {
      i++;
      String where = field + " rule " + i;
      try {
        out.add(parseRule(r, format));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
      }
    }
    return out;
  }

  private static Rule parseRule(JsonNode o, WireFormat format) {
    if (!o.isObject()) {
      throw new IllegalArgumentException("must be a JSON object: " + PyJson.quote(o.toString()));
    }
    for (Map.Entry<String, JsonNode> e : o.properties()) {
      String k = e.getKey();
      if (BASIC_KEYS.contains(k) || e.getValue().isNull()) {
        continue;
      }
      if (EXTENDED_KEYS.contains(k)) {
        if (!format.extendedRules()) {
          throw new IllegalArgumentException(
              "key \"" + k + "\" needs extended rules (old Calico readers reject it)");
        }
        continue;
      }
      throw new IllegalArgumentException("unknown key " + PyJson.quote("\"" + k + "\""));
    }
    String protocol = string(o, "protocol");
    Integer icmpType = icmp(o, "icmp_type", format);
    Integer icmpCode = icmp(o, "icmp_code", format);
    Integer notIcmpType = icmp(o, "!icmp_type", format);
    Integer notIcmpCode = icmp(o, "!icmp_code", format);
    boolean anyIcmp =
        icmpType != null || icmpCode != null || notIcmpType != null || notIcmpCode != null;
    if (anyIcmp && (protocol == null || !ICMP_PROTOCOLS.contains(protocol))) {
      throw new IllegalArgumentException(
          "icmp_type and icmp_code need \"protocol\": \"icmp\" or \"icmpv6\"");
    }
    String action = string(o, "action");
    Rule.Builder b = Rule.builder(action == null ? "allow" : action);
    b.protocol(protocol);
    b.srcTag(tag(o, "src_tag"));
    b.srcNet(net(o, "src_net"));
    b.srcPorts(strictPorts(o, "src_ports"));
    b.dstTag(tag(o, "dst_tag"));
    b.dstNet(net(o, "dst_net"));
    b.dstPorts(strictPorts(o, "dst_ports"));
    b.icmpType(icmpType);
    b.icmpCode(icmpCode);
    b.ipVersion(integer(o, "ip_version"));
    b.notProtocol(string(o, "!protocol"));
    b.notSrcTag(tag(o, "!src_tag"));
    b.notSrcNet(net(o, "!src_net"));
    b.notSrcPorts(strictPorts(o, "!src_ports"));
    b.notDstTag(tag(o, "!dst_tag"));
    b.notDstNet(net(o, "!dst_net"));
    b.notDstPorts(strictPorts(o, "!dst_ports"));
    b.notIcmpType(notIcmpType);
    b.notIcmpCode(notIcmpCode);
    return b.build();
  }

  private static @Nullable JsonNode value(JsonNode o, String field) {
    JsonNode v = o.get(field);
    return v == null || v.isNull() ? null : v;
  }

  private static @Nullable String string(JsonNode o, String field) {
    JsonNode v = value(o, field);
    if (v == null) {
      return null;
    }
    if (!v.isTextual()) {
      throw new IllegalArgumentException(
          "\"" + field + "\" must be a string, not " + PyJson.quote(v.toString()));
    }
    return v.asText();
  }

  private static @Nullable Integer integer(JsonNode o, String field) {
    JsonNode v = value(o, field);
    if (v == null) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new IllegalArgumentException(
          "\"" + field + "\" must be an integer, not " + PyJson.quote(v.toString()));
    }
    return v.asInt();
  }

  private static @Nullable String tag(JsonNode o, String field) {
    String t = string(o, field);
    if (t != null && !Names.isValidId(t)) {
      throw new IllegalArgumentException(
          "\"" + field + "\": " + Names.TAG_RULE + " Got: " + PyJson.quote(t));
    }
    return t;
  }

  private static @Nullable Cidr net(JsonNode o, String field) {
    String s = string(o, field);
    if (s == null) {
      return null;
    }
    try {
      return Cidr.parse(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("\"" + field + "\": invalid CIDR " + PyJson.quote(s), e);
    }
  }

  private static @Nullable Integer icmp(JsonNode o, String field, WireFormat format) {
    Integer v = integer(o, field);
    if (v != null) {
      boolean ok = v >= 0 && v <= 255 && (v < 255 || format.era() == WireFormat.Era.LINK_LOCAL);
      if (!ok) {
        throw new IllegalArgumentException(
            "\"" + field + "\": " + RulesJson.BAD_ICMP + " Got: " + v);
      }
    }
    return v;
  }

  /** Felix's ports: a list of integers and {@code "lo:hi"} strings with lo below hi. */
  private static List<PortRange> strictPorts(JsonNode o, String field) {
    JsonNode a = value(o, field);
    List<PortRange> out = new ArrayList<>();
    if (a == null) {
      return out;
    }
    if (!a.isArray()) {
      throw new IllegalArgumentException(
          "\"" + field + "\" must be a list, not " + PyJson.quote(a.toString()));
    }
    for (JsonNode p : a) {
      if (p.isIntegralNumber() && p.canConvertToInt()) {
        out.add(PortRange.of(p.asInt()));
      } else if (p.isTextual() && p.asText().matches("[0-9]{1,5}:[0-9]{1,5}")) {
        String[] lh = p.asText().split(":", -1);
        out.add(PortRange.range(Integer.parseInt(lh[0]), Integer.parseInt(lh[1])));
      } else {
        throw new IllegalArgumentException(
            "\""
                + field
                + "\": a port must be an integer or a \"lo:hi\" range string, not "
                + PyJson.quote(p.toString()));
      }
    }
    return out;
  }
}
