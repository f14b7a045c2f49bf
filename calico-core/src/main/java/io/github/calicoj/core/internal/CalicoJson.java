package io.github.calicoj.core.internal;

import static com.google.common.base.Preconditions.checkArgument;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.net.InetAddresses;
import io.github.calicoj.core.WireFormat;
import io.github.calicoj.core.ipam.AllocationBlock;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.model.IpamConfig;
import io.github.calicoj.core.model.PortRange;
import io.github.calicoj.core.model.Rule;
import io.github.calicoj.core.model.Rules;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.datastore.Revision;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The exact JSON values of Calico v1 (spec §1–§3), written the way pycalico's {@code json.dumps}
 * does ({@code ", "} and {@code ": "} separators, non-ASCII escaped) in the field order of the
 * reference's examples, and read tolerantly (legacy {@code profile_id}, missing {@code
 * unallocated}, {@code strict_affinity} or {@code strictAffinity}, unknown fields ignored).
 * Thread-safe.
 */
public final class CalicoJson {
  private static final ObjectMapper MAPPER = JsonMapper.builder().build();
  private static final ObjectWriter WRITER =
      MAPPER.writer(new PythonStyle()).with(JsonWriteFeature.ESCAPE_NON_ASCII);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private CalicoJson() {}

  /** {@code json.dumps} spacing: {@code ", "} between items and {@code ": "} after keys. */
  private static final class PythonStyle extends MinimalPrettyPrinter {
    private static final long serialVersionUID = 1L;

    @Override
    public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
      g.writeRaw(": ");
    }

    @Override
    public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
      g.writeRaw(", ");
    }

    @Override
    public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
      g.writeRaw(", ");
    }
  }

  /** Serializes a tree in the reference's style. */
  public static String write(JsonNode node) {
    try {
      return WRITER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot serialize " + node, e);
    }
  }

  /** Parses JSON; a malformed value is an {@link IllegalArgumentException} naming it. */
  public static JsonNode parse(String json, String what) {
    try {
      return MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("Malformed JSON for " + what + ": " + json, e);
    }
  }

  // ---------------------------------------------------------------- endpoints

  /** The endpoint value (spec §1.4, §2). */
  public static String endpoint(WorkloadEndpoint ep, WireFormat format) {
    ObjectNode o = NODES.objectNode();
    o.put("state", ep.state());
    o.put("name", ep.name());
    o.put("mac", ep.mac());
    ArrayNode profiles = o.putArray("profile_ids");
    ep.profileIds().forEach(profiles::add);
    ArrayNode v4 = o.putArray("ipv4_nets");
    ep.ipv4Nets().forEach(c -> v4.add(c.toString()));
    ArrayNode v6 = o.putArray("ipv6_nets");
    ep.ipv6Nets().forEach(c -> v6.add(c.toString()));
    if (format.era() == WireFormat.Era.GATEWAY) {
      o.put("ipv4_gateway", address(ep.ipv4Gateway()));
      o.put("ipv6_gateway", address(ep.ipv6Gateway()));
    }
    if (format.writeLabels()) {
      ObjectNode labels = o.putObject("labels");
      ep.labels().forEach(labels::put);
    }
    return write(o);
  }

  /** Reads an endpoint value stored at {@code key}. */
  public static WorkloadEndpoint readEndpoint(
      Keys.EndpointKey key, String json, Revision revision) {
    JsonNode o = parse(json, "endpoint " + key.id());
    WorkloadEndpoint.Builder b =
        WorkloadEndpoint.builder()
            .hostname(key.hostname())
            .orchestratorId(key.orchestrator())
            .workloadId(key.workload())
            .endpointId(key.id())
            .state(text(o, "state", "active"))
            .mac(nullableText(o, "mac"))
            .revision(revision);
    String name = nullableText(o, "name");
    if (name != null) {
      b.name(name);
    }
    List<String> profiles = new ArrayList<>();
    if (o.hasNonNull("profile_ids")) {
      o.get("profile_ids").forEach(p -> profiles.add(p.asText()));
    } else if (o.hasNonNull("profile_id")) {
      profiles.add(o.get("profile_id").asText()); // legacy single profile
    }
    b.profileIds(profiles);
    b.ipv4Nets(cidrs(o.get("ipv4_nets")));
    b.ipv6Nets(cidrs(o.get("ipv6_nets")));
    String gw4 = nullableText(o, "ipv4_gateway");
    String gw6 = nullableText(o, "ipv6_gateway");
    b.ipv4Gateway(gw4 == null || gw4.isEmpty() ? null : InetAddresses.forString(gw4));
    b.ipv6Gateway(gw6 == null || gw6.isEmpty() ? null : InetAddresses.forString(gw6));
    b.labels(stringMap(o.get("labels")));
    return b.build();
  }

  // ---------------------------------------------------------------- profiles

  /** A tags value: a JSON list of strings. */
  public static String tags(List<String> tags) {
    ArrayNode a = NODES.arrayNode();
    tags.forEach(a::add);
    return write(a);
  }

  /** Reads a tags value. */
  public static List<String> readTags(String json) {
    List<String> out = new ArrayList<>();
    parse(json, "tags").forEach(t -> out.add(t.asText()));
    return out;
  }

  /** A labels value: a JSON object of strings. */
  public static String labels(Map<String, String> labels) {
    ObjectNode o = NODES.objectNode();
    new java.util.TreeMap<>(labels).forEach(o::put);
    return write(o);
  }

  /** Reads a labels value. */
  public static Map<String, String> readLabels(String json) {
    return stringMap(parse(json, "labels"));
  }

  /**
   * A rules value: {@code {"id": NAME, "inbound_rules": [...], "outbound_rules": [...]}}.
   *
   * @throws IllegalArgumentException if a rule is extended and the format does not allow it
   */
  public static String rules(String profileName, Rules rules, WireFormat format) {
    ObjectNode o = NODES.objectNode();
    if (format.writeRuleIds()) {
      o.put("id", profileName);
    }
    ArrayNode in = o.putArray("inbound_rules");
    rules.inbound().forEach(r -> in.add(rule(r, format)));
    ArrayNode out = o.putArray("outbound_rules");
    rules.outbound().forEach(r -> out.add(rule(r, format)));
    return write(o);
  }

  /** Reads a rules value; {@code id} is ignored. */
  public static Rules readRules(String json) {
    JsonNode o = parse(json, "rules");
    checkArgument(o.isObject(), "Rules JSON must be an object: %s", json);
    return new Rules(readRuleList(o.get("inbound_rules")), readRuleList(o.get("outbound_rules")));
  }

  /** One rule as a JSON object. */
  public static ObjectNode rule(Rule r, WireFormat format) {
    checkArgument(
        format.extendedRules() || !r.isExtended(),
        "Rule %s uses fields that old Calico readers reject (ip_version, negations, newer actions"
            + " or protocols); enable WireFormat.extendedRules to write it",
        r.pprint());
    ObjectNode o = NODES.objectNode();
    o.put("action", r.action());
    putIfSet(o, "protocol", r.protocol());
    putIfSet(o, "src_tag", r.srcTag());
    putIfSet(o, "src_net", r.srcNet() == null ? null : r.srcNet().toString());
    putPorts(o, "src_ports", r.srcPorts());
    putIfSet(o, "dst_tag", r.dstTag());
    putIfSet(o, "dst_net", r.dstNet() == null ? null : r.dstNet().toString());
    putPorts(o, "dst_ports", r.dstPorts());
    if (r.icmpType() != null) {
      o.put("icmp_type", r.icmpType());
    }
    if (r.icmpCode() != null) {
      o.put("icmp_code", r.icmpCode());
    }
    if (r.ipVersion() != null) {
      o.put("ip_version", r.ipVersion());
    }
    putIfSet(o, "!protocol", r.notProtocol());
    putIfSet(o, "!src_tag", r.notSrcTag());
    putIfSet(o, "!src_net", r.notSrcNet() == null ? null : r.notSrcNet().toString());
    putPorts(o, "!src_ports", r.notSrcPorts());
    putIfSet(o, "!dst_tag", r.notDstTag());
    putIfSet(o, "!dst_net", r.notDstNet() == null ? null : r.notDstNet().toString());
    putPorts(o, "!dst_ports", r.notDstPorts());
    if (r.notIcmpType() != null) {
      o.put("!icmp_type", r.notIcmpType());
    }
    if (r.notIcmpCode() != null) {
      o.put("!icmp_code", r.notIcmpCode());
    }
    return o;
  }

  /** Reads one rule object; null values are dropped, unknown keys ignored. */
  public static Rule readRule(JsonNode o) {
    checkArgument(o.isObject(), "Rule must be a JSON object: %s", o);
    Rule.Builder b = Rule.builder(text(o, "action", "allow"));
    b.protocol(protocolText(o.get("protocol")));
    b.srcTag(nullableText(o, "src_tag"));
    b.srcNet(cidrOrNull(o, "src_net"));
    b.srcPorts(ports(o.get("src_ports")));
    b.dstTag(nullableText(o, "dst_tag"));
    b.dstNet(cidrOrNull(o, "dst_net"));
    b.dstPorts(ports(o.get("dst_ports")));
    b.icmpType(intOrNull(o, "icmp_type"));
    b.icmpCode(intOrNull(o, "icmp_code"));
    b.ipVersion(intOrNull(o, "ip_version"));
    b.notProtocol(protocolText(o.get("!protocol")));
    b.notSrcTag(nullableText(o, "!src_tag"));
    b.notSrcNet(cidrOrNull(o, "!src_net"));
    b.notSrcPorts(ports(o.get("!src_ports")));
    b.notDstTag(nullableText(o, "!dst_tag"));
    b.notDstNet(cidrOrNull(o, "!dst_net"));
    b.notDstPorts(ports(o.get("!dst_ports")));
    b.notIcmpType(intOrNull(o, "!icmp_type"));
    b.notIcmpCode(intOrNull(o, "!icmp_code"));
    return b.build();
  }

  // ---------------------------------------------------------------- pools

  /** A pool value (spec §1.6): options written only when not at their defaults. */
  public static String pool(IpPool pool) {
    ObjectNode o = NODES.objectNode();
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
    return write(o);
  }

  /** Reads a pool value. */
  public static IpPool readPool(String json) {
    JsonNode o = parse(json, "pool");
    String ipip = nullableText(o, "ipip");
    return new IpPool(
        Cidr.parseNormalized(text(o, "cidr", "")),
        ipip != null && !ipip.isEmpty(),
        o.path("masquerade").asBoolean(false),
        o.path("ipam").asBoolean(true),
        o.path("disabled").asBoolean(false));
  }

  // ---------------------------------------------------------------- IPAM

  /** A block value (spec §1.7). */
  public static String block(AllocationBlock block) {
    ObjectNode o = NODES.objectNode();
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
      new java.util.TreeMap<>(a.secondary()).forEach(secondary::put);
    }
    ArrayNode free = o.putArray("unallocated");
    block.unallocated().forEach(free::add);
    return write(o);
  }

  /** Reads a block value; accepts both {@code strict_affinity} and {@code strictAffinity}. */
  public static AllocationBlock readBlock(String json) {
    JsonNode o = parse(json, "block");
    String affinity = nullableText(o, "affinity");
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
                        nullableText(a, "handle_id"), stringMap(a.get("secondary")))));
    List<Integer> free = null;
    if (o.has("unallocated") && !o.get("unallocated").isNull()) {
      List<Integer> f = new ArrayList<>();
      o.get("unallocated").forEach(x -> f.add(x.asInt()));
      free = f;
    }
    return new AllocationBlock(
        Cidr.parseNormalized(text(o, "cidr", "")), host, strict, alloc, attrs, free);
  }

  /** A handle value: {@code {"id": ID, "block": {CIDR: COUNT}}}. */
  public static String handle(String id, Map<Cidr, Integer> blocks) {
    ObjectNode o = NODES.objectNode();
    o.put("id", id);
    ObjectNode b = o.putObject("block");
    blocks.forEach((cidr, n) -> b.put(cidr.toString(), n));
    return write(o);
  }

  /** Reads a handle's block counts. */
  public static Map<Cidr, Integer> readHandle(String json) {
    JsonNode o = parse(json, "handle");
    Map<Cidr, Integer> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : o.path("block").properties()) {
      out.put(Cidr.parseNormalized(e.getKey()), e.getValue().asInt());
    }
    return out;
  }

  /** The IPAM config value. */
  public static String ipamConfig(IpamConfig c) {
    ObjectNode o = NODES.objectNode();
    o.put("auto_allocate_blocks", c.autoAllocateBlocks());
    o.put("strict_affinity", c.strictAffinity());
    return write(o);
  }

  /** Reads the IPAM config. */
  public static IpamConfig readIpamConfig(String json) {
    JsonNode o = parse(json, "IPAM config");
    return new IpamConfig(
        o.path("strict_affinity").asBoolean(false), o.path("auto_allocate_blocks").asBoolean(true));
  }

  // ---------------------------------------------------------------- helpers

  private static @Nullable String address(@Nullable InetAddress a) {
    return a == null ? null : InetAddresses.toAddrString(a);
  }

  private static String text(JsonNode o, String field, String dflt) {
    JsonNode v = o.get(field);
    return v == null || v.isNull() ? dflt : v.asText();
  }

  private static @Nullable String nullableText(JsonNode o, String field) {
    JsonNode v = o.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static List<Cidr> cidrs(@Nullable JsonNode a) {
    List<Cidr> out = new ArrayList<>();
    if (a != null) {
      a.forEach(c -> out.add(Cidr.parse(c.asText())));
    }
    return out;
  }

  private static Map<String, String> stringMap(@Nullable JsonNode o) {
    Map<String, String> out = new LinkedHashMap<>();
    if (o != null && o.isObject()) {
      o.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
    }
    return out;
  }

  private static void putIfSet(ObjectNode o, String field, @Nullable String value) {
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

  private static List<PortRange> ports(@Nullable JsonNode a) {
    List<PortRange> out = new ArrayList<>();
    if (a == null || a.isNull()) {
      return out;
    }
    for (JsonNode p : a) {
      out.add(p.isInt() ? PortRange.of(p.asInt()) : PortRange.parse(p.asText()));
    }
    return out;
  }

  private static @Nullable String protocolText(@Nullable JsonNode p) {
    return p == null || p.isNull() ? null : p.asText();
  }

  private static @Nullable Cidr cidrOrNull(JsonNode o, String field) {
    String s = nullableText(o, field);
    return s == null ? null : Cidr.parse(s);
  }

  private static @Nullable Integer intOrNull(JsonNode o, String field) {
    JsonNode v = o.get(field);
    return v == null || v.isNull() ? null : Integer.valueOf(v.asInt());
  }

  private static List<Rule> readRuleList(@Nullable JsonNode a) {
    List<Rule> out = new ArrayList<>();
    if (a != null && !a.isNull()) {
      a.forEach(r -> out.add(readRule(r)));
    }
    return out;
  }
}
