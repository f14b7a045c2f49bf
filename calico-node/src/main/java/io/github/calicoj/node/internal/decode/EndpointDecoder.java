package io.github.calicoj.node.internal.decode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.google.common.net.InetAddresses;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.WorkloadEndpoint;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Decodes a workload endpoint value with Felix 1.4's validation ({@code common.py
 * validate_endpoint}); an invalid endpoint is treated as deleted. Stateless and thread-safe.
 */
public final class EndpointDecoder {
  /** Felix's endpoint key regex. */
  public static final Pattern KEY =
      Pattern.compile("/calico/v1/host/([^/]+)/workload/([^/]+)/([^/]+)/endpoint/([^/]+)");

  private static final Pattern IFACE = Pattern.compile("[a-zA-Z0-9_-]{1,15}");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z0-9_./-]+");
  private static final Pattern MAC_SEPARATED =
      Pattern.compile("([0-9a-fA-F]{1,2})([:-])([0-9a-fA-F]{1,2})((?:\\2[0-9a-fA-F]{1,2}){4})");
  private static final Pattern MAC_PLAIN = Pattern.compile("[0-9a-fA-F]{12}");
  private static final Pattern MAC_DOTTED =
      Pattern.compile("([0-9a-fA-F]{4})\\.([0-9a-fA-F]{4})\\.([0-9a-fA-F]{4})");

  private EndpointDecoder() {}

  /**
   * Decodes the endpoint stored at {@code key}. Local endpoints (those of {@code hostname}) must
   * also have an interface name that starts with one of {@code prefixes}.
   *
   * @throws IllegalArgumentException naming the first invalid field
   */
  public static WorkloadEndpoint decode(
      String key, String json, String hostname, List<String> prefixes) {
    Matcher k = KEY.matcher(key);
    if (!k.matches()) {
      throw new IllegalArgumentException("Not an endpoint key: " + key);
    }
    String id = k.group(4);
    check(Json.validId(id), "Invalid endpoint ID '%s'.", id);
    JsonNode o = Json.parse(json, "endpoint");
    check(o.isObject(), "Expected endpoint to be a dict: %s", Json.abbreviate(json));
    Map<String, JsonNode> f = Json.fields(o);
    check(f.containsKey("name"), "Missing 'name' field.");
    String name = require(Json.text(f.get("name")), "'name' %s is not a string.", f.get("name"));
    check(IFACE.matcher(name).matches(), "'name' %s is not a valid interface name.", name);
    boolean local = k.group(1).equals(hostname);
    check(
        !local || prefixes.stream().anyMatch(name::startsWith),
        "Interface %s does not start with any of %s.",
        name,
        prefixes);
    check(f.containsKey("state"), "Missing 'state' field.");
    String state =
        require(Json.text(f.get("state")), "'state' %s is not a string.", f.get("state"));
    check(
        "active".equals(state) || "inactive".equals(state),
        "Expected 'state' to be one of active/inactive: %s",
        f.get("state"));
    check(
        !f.containsKey("expected_ipv4_addrs") && !f.containsKey("expected_ipv6_addrs"),
        "Expected IP addresses not supported for workload endpoints.");
    String mac = null;
    if (f.containsKey("mac")) {
      mac = require(canonicalMac(Json.text(f.get("mac"))), "Invalid MAC address %s.", f.get("mac"));
    }
    return WorkloadEndpoint.builder()
        .hostname(k.group(1))
        .orchestratorId(k.group(2))
        .workloadId(k.group(3))
        .endpointId(id)
        .name(name)
        .state(state)
        .mac(mac)
        .profileIds(profileIds(f))
        .ipv4Nets(nets(f.get("ipv4_nets"), 4))
        .ipv6Nets(nets(f.get("ipv6_nets"), 6))
        .ipv4Gateway(gateway(f.get("ipv4_gateway"), 4))
        .ipv6Gateway(gateway(f.get("ipv6_gateway"), 6))
        .labels(labels(f.get("labels")))
        .build();
  }

  /** {@code profile_ids}, or the legacy {@code profile_id}; each once, in order. */
  private static List<String> profileIds(Map<String, JsonNode> f) {
    JsonNode ids = f.get("profile_ids");
    if (ids == null && f.containsKey("profile_id")) {
      ids = JsonNodeFactory.instance.arrayNode().add(f.get("profile_id"));
    }
    Set<String> out = new LinkedHashSet<>();
    if (ids == null) {
      return List.of();
    }
    check(ids.isArray(), "Expected profile IDs to be a list: %s", ids);
    for (JsonNode p : ids) {
      String t = require(Json.text(p), "Expected profile IDs to be strings: %s", p);
      check(Json.validId(t), "Invalid profile ID '%s'.", t);
      out.add(t); // a profile listed twice gives the same verdict twice: keep the first
    }
    return List.copyOf(out);
  }

  private static List<Cidr> nets(@Nullable JsonNode a, int version) {
    List<Cidr> out = new ArrayList<>();
    if (a == null) {
      return out;
    }
    check(a.isArray(), "ipv%s_nets should be a list: %s", version, a);
    for (JsonNode n : a) {
      Cidr c = require(cidr(Json.text(n)), "IP address %s is not a valid IPv%s CIDR.", n, version);
      check(c.version() == version, "IP address %s is not a valid IPv%s CIDR.", n, version);
      out.add(c);
    }
    return out;
  }

  private static @Nullable InetAddress gateway(@Nullable JsonNode g, int version) {
    if (g == null) {
      return null;
    }
    String t = Json.text(g);
    String problem = "ipv%s_gateway %s is not a valid IPv%s gateway address.";
    check(t != null && InetAddresses.isInetAddress(t), problem, version, g, version);
    InetAddress a = InetAddresses.forString(require(t, problem, version, g, version));
    check((a instanceof Inet4Address) == (version == 4), problem, version, g, version);
    return a;
  }

  private static Map<String, String> labels(@Nullable JsonNode l) {
    Map<String, String> out = new LinkedHashMap<>();
    if (l == null) {
      return out;
    }
    check(l.isObject(), "Expected labels to be a dict, not %s.", l);
    l.properties()
        .forEach(
            e -> {
              check(LABEL_NAME.matcher(e.getKey()).matches(), "Invalid label name %s.", e.getKey());
              check(e.getValue().isTextual(), "Invalid label value %s.", e.getValue());
              out.put(e.getKey(), e.getValue().textValue());
            });
    return out;
  }

  private static @Nullable Cidr cidr(@Nullable String t) {
    try {
      return t == null ? null : Cidr.parse(t);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * A MAC in the forms netaddr reads ({@code 72:ef:5a:87:35:bd}, {@code 72-EF-5A-87-35-BD}, {@code
   * 72ef5a8735bd}, {@code 72ef.5a87.35bd}), as lowercase, colon separated, zero padded; else null.
   */
  static @Nullable String canonicalMac(@Nullable String mac) {
    if (mac == null) {
      return null;
    }
    String hex;
    Matcher m = MAC_SEPARATED.matcher(mac);
    if (m.matches()) {
      StringBuilder b = new StringBuilder();
      for (String part : mac.split("[:-]", -1)) {
        b.append(part.length() == 1 ? "0" + part : part);
      }
      hex = b.toString();
    } else if (MAC_PLAIN.matcher(mac).matches()) {
      hex = mac;
    } else {
      Matcher d = MAC_DOTTED.matcher(mac);
      if (!d.matches()) {
        return null;
      }
      hex = d.group(1) + d.group(2) + d.group(3);
    }
    hex = hex.toLowerCase(Locale.ROOT);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 12; i += 2) {
      out.append(i == 0 ? "" : ":").append(hex, i, i + 2);
    }
    return out.toString();
  }

  private static <T> T require(@Nullable T value, String format, @Nullable Object... args) {
    if (value == null) {
      throw new IllegalArgumentException(String.format(Locale.ROOT, format, args));
    }
    return value;
  }

  private static void check(boolean ok, String format, @Nullable Object... args) {
    if (!ok) {
      throw new IllegalArgumentException(String.format(Locale.ROOT, format, args));
    }
  }
}
