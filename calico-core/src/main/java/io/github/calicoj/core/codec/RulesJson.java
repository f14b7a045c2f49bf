package io.github.calicoj.core.codec;

import static com.google.common.base.Preconditions.checkArgument;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.calicoj.core.WireFormat;
import io.github.calicoj.core.internal.PyJson;
import io.github.calicoj.core.model.PortRange;
import io.github.calicoj.core.model.Rule;
import io.github.calicoj.core.model.Rules;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A profile's {@code rules} value: {@code {"id": NAME, "inbound_rules": [...], "outbound_rules":
 * [...]}}. Written as pycalico's {@code json.dumps} wrote it. Two readers: {@link #read} is
 * tolerant (for showing what another tool stored), {@link #parse} validates as Felix does and
 * refuses what Felix would reject, naming the field (for input, and for an agent deciding whether a
 * profile's rules are usable). Stateless and thread-safe.
 */
public final class RulesJson {
  /** pycalico's message for a bad ICMP type or code. */
  static final String BAD_ICMP = "Invalid ICMP type or ICMP code specified.";

  private RulesJson() {}

  /**
   * The rules value as stored.
   *
   * @throws IllegalArgumentException if a rule cannot be written in {@code format} (extended fields
   *     without {@link WireFormat#extendedRules}; ICMP type 255 in era A, which the reference's
   *     validation rejects)
   */
  public static String write(String profileName, Rules rules, WireFormat format) {
    ObjectNode o = PyJson.NODES.objectNode();
    if (format.writeRuleIds()) {
      o.put("id", profileName);
    }
    ArrayNode in = o.putArray("inbound_rules");
    rules.inbound().forEach(r -> in.add(rule(r, format)));
    ArrayNode out = o.putArray("outbound_rules");
    rules.outbound().forEach(r -> out.add(rule(r, format)));
    return PyJson.write(o);
  }

  /**
   * One rule as a JSON object.
   *
   * @throws IllegalArgumentException as {@link #write}
   */
  public static ObjectNode rule(Rule r, WireFormat format) {
    checkArgument(
        format.extendedRules() || !r.isExtended(),
        "Rule %s uses fields that old Calico readers reject (ip_version, negations, newer actions"
            + " or protocols); enable WireFormat.extendedRules to write it",
        r.pprint());
    checkIcmpForEra(r.icmpType(), format);
    checkIcmpForEra(r.notIcmpType(), format);
    ObjectNode o = PyJson.NODES.objectNode();
    o.put("action", r.action());
    putIfSet(o, "protocol", r.protocol());
    putIfSet(o, "src_tag", r.srcTag());
    putIfSet(o, "src_net", r.srcNet() == null ? null : r.srcNet().toString());
    putPorts(o, "src_ports", r.srcPorts());
    putIfSet(o, "dst_tag", r.dstTag());
    putIfSet(o, "dst_net", r.dstNet() == null ? null : r.dstNet().toString());
    putPorts(o, "dst_ports", r.dstPorts());
    putIfSet(o, "icmp_type", r.icmpType());
    putIfSet(o, "icmp_code", r.icmpCode());
    putIfSet(o, "ip_version", r.ipVersion());
    putIfSet(o, "!protocol", r.notProtocol());
    putIfSet(o, "!src_tag", r.notSrcTag());
    putIfSet(o, "!src_net", r.notSrcNet() == null ? null : r.notSrcNet().toString());
    putPorts(o, "!src_ports", r.notSrcPorts());
    putIfSet(o, "!dst_tag", r.notDstTag());
    putIfSet(o, "!dst_net", r.notDstNet() == null ? null : r.notDstNet().toString());
    putPorts(o, "!dst_ports", r.notDstPorts());
    putIfSet(o, "!icmp_type", r.notIcmpType());
    putIfSet(o, "!icmp_code", r.notIcmpCode());
    return o;
  }

  /**
   * Reads a stored rules value tolerantly: {@code id} and unknown keys are ignored, a missing list
   * is empty. For values other tools wrote; use {@link #parse} for input.
   *
   * @throws IllegalArgumentException if the JSON is malformed or a known field is invalid
   */
  public static Rules read(String json) {
    JsonNode o = PyJson.parse(json, "rules");
    checkArgument(o.isObject(), "Rules JSON must be an object: %s", PyJson.quote(json));
    return new Rules(readList(o.get("inbound_rules")), readList(o.get("outbound_rules")));
  }

  /** Reads one rule object tolerantly; null values are dropped, unknown keys ignored. */
  public static Rule readRule(JsonNode o) {
    checkArgument(o.isObject(), "Rule must be a JSON object: %s", PyJson.quote(o.toString()));
    Rule.Builder b = Rule.builder(PyJson.text(o, "action", "allow"));
    b.protocol(PyJson.nullableText(o, "protocol"));
    b.srcTag(PyJson.nullableText(o, "src_tag"));
    b.srcNet(PyJson.cidrOrNull(o, "src_net"));
    b.srcPorts(tolerantPorts(o.get("src_ports")));
    b.dstTag(PyJson.nullableText(o, "dst_tag"));
    b.dstNet(PyJson.cidrOrNull(o, "dst_net"));
    b.dstPorts(tolerantPorts(o.get("dst_ports")));
    b.icmpType(PyJson.intOrNull(o, "icmp_type"));
    b.icmpCode(PyJson.intOrNull(o, "icmp_code"));
    b.ipVersion(PyJson.intOrNull(o, "ip_version"));
    b.notProtocol(PyJson.nullableText(o, "!protocol"));
    b.notSrcTag(PyJson.nullableText(o, "!src_tag"));
    b.notSrcNet(PyJson.cidrOrNull(o, "!src_net"));
    b.notSrcPorts(tolerantPorts(o.get("!src_ports")));
    b.notDstTag(PyJson.nullableText(o, "!dst_tag"));
    b.notDstNet(PyJson.cidrOrNull(o, "!dst_net"));
    b.notDstPorts(tolerantPorts(o.get("!dst_ports")));
    b.notIcmpType(PyJson.intOrNull(o, "!icmp_type"));
    b.notIcmpCode(PyJson.intOrNull(o, "!icmp_code"));
    return b.build();
  }

  /**
   * Parses a rules value as Felix validates it, for {@code format}: an object with lists {@code
   * inbound_rules} and {@code outbound_rules} (and optionally a string {@code id}), nothing else;
   * each rule an object with known keys only (the extended keys only if {@code format} allows
   * them), values of the right JSON type, single ports as integers and ranges as {@code "lo:hi"}
   * strings, ICMP values as integers (type 255 only in era B) that need protocol {@code icmp} or
   * {@code icmpv6}. A {@code null} value counts as absent. Nothing after the JSON value.
   *
   * @throws IllegalArgumentException naming the first problem and where it is
   */
  public static Rules parse(String json, WireFormat format) {
    return RulesParser.parse(json, format);
  }

  /** The value's {@code "id"}, if it has one. */
  public static Optional<String> id(String json) {
    JsonNode tree = PyJson.parse(json, "rules");
    return tree.hasNonNull("id") ? Optional.of(tree.get("id").asText()) : Optional.empty();
  }

  // ------------------------------------------------------------------ tolerant reading, writing

  private static List<Rule> readList(@Nullable JsonNode a) {
    List<Rule> out = new ArrayList<>();
    if (a != null && !a.isNull()) {
      a.forEach(r -> out.add(readRule(r)));
    }
    return out;
  }

  private static List<PortRange> tolerantPorts(@Nullable JsonNode a) {
    List<PortRange> out = new ArrayList<>();
    if (a == null || a.isNull()) {
      return out;
    }
    for (JsonNode p : a) {
      out.add(p.isInt() ? PortRange.of(p.asInt()) : PortRange.parse(p.asText()));
    }
    return out;
  }

  private static void checkIcmpForEra(@Nullable Integer type, WireFormat format) {
    checkArgument(
        type == null || type != 255 || format.era() == WireFormat.Era.LINK_LOCAL,
        "%s ICMP type 255 is refused in era A. Got: %s",
        BAD_ICMP,
        type);
  }

  private static void putIfSet(ObjectNode o, String field, @Nullable String value) {
    if (value != null) {
      o.put(field, value);
    }
  }

  private static void putIfSet(ObjectNode o, String field, @Nullable Integer value) {
    if (value != null) {
      o.put(field, value);
    }
  }

  private static void putPorts(ObjectNode o, String field, List<PortRange> ports) {
    if (ports.isEmpty()) {
      return;
    }
    ArrayNode a = o.putArray(field);
    for (PortRange p : ports) {
      if (p.isSingle()) {
        a.add(p.low()); // Felix wants single ports as JSON integers
      } else {
        a.add(p.low() + ":" + p.high());
      }
    }
  }
}
