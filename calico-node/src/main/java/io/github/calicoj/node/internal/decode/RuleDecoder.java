package io.github.calicoj.node.internal.decode;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.PortRange;
import io.github.calicoj.core.model.Rule;
import io.github.calicoj.node.internal.model.IpFamily;
import io.github.calicoj.node.internal.model.PolicyRule;
import io.github.calicoj.node.internal.model.PolicyRules;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Decodes a profile's {@code rules} value with Felix 1.4's validation ({@code common.py
 * _validate_rules}): any issue invalidates the whole value. Each valid rule is then classified for
 * rendering ({@link PolicyRule}). Stateless and thread-safe.
 */
public final class RuleDecoder {
  private static final List<String> NEGATABLE =
      List.of(
          "protocol",
          "src_net",
          "src_tag",
          "src_selector",
          "src_ports",
          "dst_net",
          "dst_tag",
          "dst_selector",
          "dst_ports",
          "icmp_type",
          "icmp_code");
  private static final Set<String> KNOWN_KEYS = knownKeys();
  private static final Set<String> ACTIONS = Set.of("allow", "deny", "next-tier", "log");
  private static final Set<String> PROTOCOL_NAMES =
      Set.of("tcp", "udp", "icmp", "icmpv6", "sctp", "udplite");
  // KERNEL_PORT_PROTOCOLS, canonical strings ("dccp" cannot pass the protocol check anyway).
  private static final Set<String> PORT_PROTOCOLS =
      Set.of("tcp", "6", "udp", "17", "udplite", "136", "sctp", "132", "33");
  private static final Pattern PROTOCOL_NUMBER = Pattern.compile("[1-9][0-9]{0,2}");
  private static final Pattern PORT_RANGE = Pattern.compile("([0-9]{1,9}):([0-9]{1,9})");
  private static final Pattern LOG_PREFIX_BAD_CHARS = Pattern.compile("[^a-zA-Z0-9_:-]");

  private RuleDecoder() {}

  private static Set<String> knownKeys() {
    Set<String> keys = new HashSet<>(List.of("action", "ip_version", "log_prefix"));
    for (String k : NEGATABLE) {
      keys.add(k);
      keys.add("!" + k);
    }
    return Set.copyOf(keys);
  }

  /**
   * Decodes a rules value. A missing list is empty (Felix 1.4); the top-level {@code "id"} and
   * other keys are ignored.
   *
   * @throws IllegalArgumentException listing every issue Felix would have reported
   */
  public static PolicyRules decode(String json) {
    JsonNode root = Json.parse(json, "rules");
    if (!root.isObject()) {
      throw new IllegalArgumentException("Expected rules to be a dict: " + Json.abbreviate(json));
    }
    List<String> issues = new ArrayList<>();
    List<PolicyRule> in = list(root.get("inbound_rules"), "inbound_rules", issues);
    List<PolicyRule> out = list(root.get("outbound_rules"), "outbound_rules", issues);
    if (!issues.isEmpty()) {
      throw new IllegalArgumentException(String.join(" ", issues));
    }
    return new PolicyRules(in, out);
  }

  private static List<PolicyRule> list(@Nullable JsonNode a, String name, List<String> issues) {
    List<PolicyRule> out = new ArrayList<>();
    if (a == null || a.isNull()) {
      return out;
    }
    if (!a.isArray()) {
      issues.add("Expected rules[" + name + "] to be a list.");
      return out;
    }
    for (int i = 0; i < a.size(); i++) {
      String where = name + "[" + i + "]";
      if (!a.get(i).isObject()) {
        issues.add("Rule should be a dict: " + a.get(i) + " (" + where + ").");
        break; // Felix stops at the first non-dict
      }
      PolicyRule r = rule(Json.fields(a.get(i)), where, issues);
      if (r != null) {
        out.add(r);
      }
    }
    return out;
  }

  /** Validates one rule (null values already dropped); null if it has issues. */
  private static @Nullable PolicyRule rule(Map<String, JsonNode> r, String where, List<String> ps) {
    int before = ps.size();
    Integer ipVersion = null;
    if (r.containsKey("ip_version")) {
      JsonNode v = r.get("ip_version");
      if (!Json.isInt(v) || (v.intValue() != 4 && v.intValue() != 6)) {
        ps.add("Invalid ip_version in rule " + where + ": " + v + ".");
        return null; // a bad version prevents further validation
      }
      ipVersion = v.intValue();
    }
    String protocol = protocol(r, "protocol", where, ps);
    String notProtocol = protocol(r, "!protocol", where, ps);
    if (Integer.valueOf(4).equals(ipVersion) && "icmpv6".equals(protocol)) {
      ps.add("Using icmpv6 with IPv4 in rule " + where + ".");
    }
    if (Integer.valueOf(6).equals(ipVersion) && "icmp".equals(protocol)) {
      ps.add("Using icmp with IPv6 in rule " + where + ".");
    }
    Rule.Builder b = Rule.builder(action(r, where, ps));
    b.protocol(protocol).notProtocol(notProtocol).ipVersion(ipVersion);
    b.srcTag(tag(r, "src_tag", where, ps)).notSrcTag(tag(r, "!src_tag", where, ps));
    b.dstTag(tag(r, "dst_tag", where, ps)).notDstTag(tag(r, "!dst_tag", where, ps));
    b.srcNet(net(r, "src_net", ipVersion, where, ps));
    b.notSrcNet(net(r, "!src_net", ipVersion, where, ps));
    b.dstNet(net(r, "dst_net", ipVersion, where, ps));
    b.notDstNet(net(r, "!dst_net", ipVersion, where, ps));
    b.srcPorts(ports(r, "src_ports", protocol, where, ps));
    b.notSrcPorts(ports(r, "!src_ports", protocol, where, ps));
    b.dstPorts(ports(r, "dst_ports", protocol, where, ps));
    b.notDstPorts(ports(r, "!dst_ports", protocol, where, ps));
    Integer[] icmp = {
      icmp(r, "icmp_type", where, ps),
      icmp(r, "icmp_code", where, ps),
      icmp(r, "!icmp_type", where, ps),
      icmp(r, "!icmp_code", where, ps)
    };
    if ((icmp[1] != null && icmp[0] == null) || (icmp[3] != null && icmp[2] == null)) {
      ps.add("ICMP code specified without ICMP type in rule " + where + ".");
    }
    boolean anyIcmp = icmp[0] != null || icmp[1] != null || icmp[2] != null || icmp[3] != null;
    if (anyIcmp && !"icmp".equals(protocol) && !"icmpv6".equals(protocol)) {
      // Felix accepted this and dropped the type match (the rule broadened); the agent rejects it.
      ps.add("ICMP type or code without protocol icmp or icmpv6 in rule " + where + ".");
    }
    b.icmpType(icmp[0]).icmpCode(icmp[1]).notIcmpType(icmp[2]).notIcmpCode(icmp[3]);
    boolean selectors = false;
    for (String k : List.of("src_selector", "dst_selector", "!src_selector", "!dst_selector")) {
      if (r.containsKey(k)) {
        selectors = true;
        if (Json.text(r.get(k)) == null) {
          ps.add("Invalid " + k + ": " + r.get(k) + " in rule " + where + ".");
        }
      }
    }
    String logPrefix = logPrefix(r, where, ps);
    Set<String> unknown = new TreeSet<>(r.keySet());
    unknown.removeAll(KNOWN_KEYS);
    if (!unknown.isEmpty()) {
      ps.add("Rule contains unknown keys: " + unknown + " (" + where + ").");
    }
    if (ps.size() > before) {
      return null;
    }
    return classify(r, b, protocol, icmp, selectors, logPrefix);
  }

  /**
   * Where the valid rule applies (its families) and whether it renders, or drops where it stands.
   */
  private static PolicyRule classify(
      Map<String, JsonNode> r,
      Rule.Builder b,
      @Nullable String protocol,
      Integer[] icmp,
      boolean selectors,
      @Nullable String logPrefix) {
    EnumSet<IpFamily> families = EnumSet.allOf(IpFamily.class);
    List<String> limits = new ArrayList<>();
    if (r.containsKey("ip_version")) {
      families.retainAll(EnumSet.of(IpFamily.ofVersion(r.get("ip_version").intValue())));
      limits.add("ip_version " + r.get("ip_version"));
    }
    if ("icmp".equals(protocol) || "icmpv6".equals(protocol)) {
      families.retainAll(EnumSet.of("icmp".equals(protocol) ? IpFamily.V4 : IpFamily.V6));
      limits.add("protocol " + protocol);
    }
    for (String k : List.of("src_net", "!src_net", "dst_net", "!dst_net")) {
      String net = Json.text(r.get(k));
      if (net != null) {
        families.retainAll(EnumSet.of(IpFamily.of(Cidr.parse(net))));
        limits.add(k + " " + net);
      }
    }
    if (families.isEmpty()) {
      return new PolicyRule.Inert("no packet matches " + String.join(" and ", limits));
    }
    if (selectors) {
      return new PolicyRule.Drop(families, "selectors are not supported");
    }
    boolean ports = false;
    for (String k : List.of("src_ports", "!src_ports", "dst_ports", "!dst_ports")) {
      ports |= r.containsKey(k) && r.get(k).size() > 0;
    }
    if (ports && !"tcp".equals(protocol) && !"udp".equals(protocol)) {
      return new PolicyRule.Drop(
          families, "ports with protocol " + protocol + " cannot be matched");
    }
    if (Integer.valueOf(255).equals(icmp[0]) || Integer.valueOf(255).equals(icmp[2])) {
      return new PolicyRule.Drop(families, "ICMP type 255 cannot be matched (felix#451)");
    }
    return new PolicyRule.Match(b.build(), logPrefix, families);
  }

  private static String action(Map<String, JsonNode> r, String where, List<String> ps) {
    if (!r.containsKey("action")) {
      return "allow";
    }
    String a = Json.text(r.get("action"));
    if (a == null || !ACTIONS.contains(a)) {
      ps.add("Invalid action " + r.get("action") + " in rule " + where + ".");
      return "allow";
    }
    return a;
  }

  /** The canonical protocol: a name or "1".."255"; null if absent or invalid (issue added). */
  private static @Nullable String protocol(
      Map<String, JsonNode> r, String key, String where, List<String> ps) {
    JsonNode p = r.get(key);
    if (p == null) {
      return null;
    }
    String canonical = null;
    if (Json.isInt(p) && p.intValue() >= 1 && p.intValue() <= 255) {
      canonical = Integer.toString(p.intValue());
    } else if (p.isTextual()) {
      String t = p.textValue();
      if (PROTOCOL_NAMES.contains(t)
          || (PROTOCOL_NUMBER.matcher(t).matches() && Integer.parseInt(t) <= 255)) {
        canonical = t;
      }
    }
    if (canonical == null) {
      ps.add("Invalid " + key + " " + p + " in rule " + where + ".");
    }
    return canonical;
  }

  private static @Nullable String tag(
      Map<String, JsonNode> r, String key, String where, List<String> ps) {
    if (!r.containsKey(key)) {
      return null;
    }
    String t = Json.text(r.get(key));
    if (!Json.validId(t)) {
      ps.add("Invalid " + key + ": " + r.get(key) + " in rule " + where + ".");
      return null;
    }
    return t;
  }

  private static @Nullable Cidr net(
      Map<String, JsonNode> r,
      String key,
      @Nullable Integer ipVersion,
      String where,
      List<String> ps) {
    if (!r.containsKey(key)) {
      return null;
    }
    String t = Json.text(r.get(key));
    try {
      if (t != null) {
        Cidr c = Cidr.parse(t);
        if (ipVersion == null || c.version() == ipVersion) {
          return c.normalized(); // Felix canonicalises: host bits are ignored
        }
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    ps.add("Invalid CIDR (version " + ipVersion + ") " + r.get(key) + " in rule " + where + ".");
    return null;
  }

  private static List<PortRange> ports(
      Map<String, JsonNode> r,
      String key,
      @Nullable String protocol,
      String where,
      List<String> ps) {
    List<PortRange> out = new ArrayList<>();
    JsonNode a = r.get(key);
    if (a == null) {
      return out;
    }
    if (!a.isArray()) {
      ps.add("Expected ports to be a list in rule " + where + ".");
      return out;
    }
    if (protocol == null || !PORT_PROTOCOLS.contains(protocol)) {
      ps.add(key + " is not allowed for protocol " + protocol + " in rule " + where + ".");
    }
    for (JsonNode p : a) {
      PortRange range = port(p);
      if (range == null) {
        ps.add("Invalid port " + p + " in rule " + where + ".");
      } else {
        out.add(range);
      }
    }
    return out;
  }

  /** An int 0..65535 or "N:M" with N < M (Felix's {@code validate_rule_port}); else null. */
  private static @Nullable PortRange port(JsonNode p) {
    if (Json.isInt(p)) {
      int v = p.intValue();
      return v >= 0 && v <= 65535 ? PortRange.of(v) : null;
    }
    var m = p.isTextual() ? PORT_RANGE.matcher(p.textValue()) : null;
    if (m == null || !m.matches()) {
      return null; // the string "80" is "range unparseable" to Felix
    }
    int lo = Integer.parseInt(m.group(1));
    int hi = Integer.parseInt(m.group(2));
    return lo < hi && hi <= 65535 ? PortRange.range(lo, hi) : null;
  }

  private static @Nullable Integer icmp(
      Map<String, JsonNode> r, String key, String where, List<String> ps) {
    JsonNode v = r.get(key);
    if (v == null) {
      return null;
    }
    if (!Json.isInt(v) || v.intValue() < 0 || v.intValue() > 255) {
      ps.add("Invalid " + key + " " + v + " (an integer 0..255) in rule " + where + ".");
      return null;
    }
    return v.intValue();
  }

  private static @Nullable String logPrefix(
      Map<String, JsonNode> r, String where, List<String> ps) {
    if (!r.containsKey("log_prefix")) {
      return null;
    }
    String t = Json.text(r.get("log_prefix"));
    if (t == null) {
      ps.add("Log prefix should be a string in rule " + where + ".");
      return null;
    }
    String clean = LOG_PREFIX_BAD_CHARS.matcher(t).replaceAll("_");
    return clean.length() > 27 ? clean.substring(0, 27) : clean;
  }
}
