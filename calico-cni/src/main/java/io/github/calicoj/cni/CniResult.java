package io.github.calicoj.cni;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.net.InetAddresses;
import io.github.calicoj.netns.IpPrefix;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The result of an ADD, as the spec defines it: the interfaces the plugin made, the IPs (each with
 * the index of its interface), routes and DNS. Written in the shape of the configuration's version
 * ({@link CniVersion#ipsCarryVersion()}), and read back from {@code prevResult} in either shape.
 * Immutable.
 *
 * @param interfaces the interfaces, host end first
 * @param ips the addresses
 * @param routes the container's routes
 * @param dns DNS information
 */
record CniResult(
    List<Interface> interfaces, List<IpConfig> ips, List<RouteConfig> routes, Dns dns) {

  /** Copies the lists. */
  CniResult {
    interfaces = List.copyOf(interfaces);
    ips = List.copyOf(ips);
    routes = List.copyOf(routes);
    requireNonNull(dns, "dns");
  }

  /**
   * One interface.
   *
   * @param name its name
   * @param mac its MAC, or null
   * @param sandbox the namespace path for an interface inside the container, or null for a host
   *     interface
   */
  record Interface(String name, @Nullable String mac, @Nullable String sandbox) {
    /** Rejects a null name. */
    Interface {
      requireNonNull(name, "name");
    }
  }

  /**
   * One address.
   *
   * @param address the address and its prefix length
   * @param gateway the next hop, or null
   * @param interfaceIndex the index into {@link #interfaces()}, or null
   */
  record IpConfig(
      IpPrefix address, @Nullable InetAddress gateway, @Nullable Integer interfaceIndex) {
    /** Rejects a null address. */
    IpConfig {
      requireNonNull(address, "address");
    }
  }

  /**
   * One route.
   *
   * @param destination the destination network
   * @param gateway the next hop, or null for a direct route
   */
  record RouteConfig(IpPrefix destination, @Nullable InetAddress gateway) {
    /** Rejects a null destination. */
    RouteConfig {
      requireNonNull(destination, "destination");
    }
  }

  /** The sandbox (container) interface of this result named {@code name}, if there is one. */
  java.util.Optional<Interface> sandboxInterface(String name) {
    return interfaces.stream()
        .filter(i -> i.name().equals(name) && i.sandbox() != null && !i.sandbox().isEmpty())
        .findFirst();
  }

  /** The result as {@code version} writes it. */
  ObjectNode toJson(CniVersion version) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("cniVersion", version.toString());
    ArrayNode ifs = o.putArray("interfaces");
    for (Interface i : interfaces) {
      ObjectNode n = ifs.addObject().put("name", i.name());
      if (i.mac() != null) {
        n.put("mac", i.mac());
      }
      if (i.sandbox() != null) {
        n.put("sandbox", i.sandbox());
      }
    }
    ArrayNode ipa = o.putArray("ips");
    for (IpConfig ip : ips) {
      ObjectNode n = ipa.addObject();
      if (version.ipsCarryVersion()) {
        n.put("version", ip.address().isIpv4() ? "4" : "6");
      }
      n.put("address", ip.address().toString());
      if (ip.gateway() != null) {
        n.put("gateway", InetAddresses.toAddrString(ip.gateway()));
      }
      if (ip.interfaceIndex() != null) {
        n.put("interface", ip.interfaceIndex());
      }
    }
    ArrayNode ra = o.putArray("routes");
    for (RouteConfig r : routes) {
      ObjectNode n = ra.addObject().put("dst", r.destination().toString());
      if (r.gateway() != null) {
        n.put("gw", InetAddresses.toAddrString(r.gateway()));
      }
    }
    o.set("dns", dns.toJson());
    return o;
  }

  /**
   * Reads a result of version 0.3.0 to 1.0.0 ({@code prevResult}).
   *
   * @throws CniException ({@link CniCode#DECODE_FAILURE}) naming the field that is not of a result
   */
  static CniResult parse(JsonNode o) {
    try {
      List<Interface> interfaces = new ArrayList<>();
      for (JsonNode i : array(o, "interfaces")) {
        interfaces.add(
            new Interface(
                Json.requiredText(i, "name", "prevResult.interfaces[]."),
                Json.text(i, "mac", "prevResult.interfaces[]."),
                Json.text(i, "sandbox", "prevResult.interfaces[].")));
      }
      List<IpConfig> ips = new ArrayList<>();
      for (JsonNode ip : array(o, "ips")) {
        String w = "prevResult.ips[].";
        JsonNode index = ip.get("interface");
        if (index != null && !index.isNull() && !index.isIntegralNumber()) {
          throw Json.invalid(w + "interface", index, "a number");
        }
        Integer idx = index == null || index.isNull() ? null : index.intValue();
        if (idx != null && (idx < 0 || idx >= interfaces.size())) {
          throw Json.invalid(w + "interface", index, "an index into prevResult.interfaces");
        }
        ips.add(
            new IpConfig(
                prefix(Json.requiredText(ip, "address", w), w + "address"),
                address(Json.text(ip, "gateway", w), w + "gateway"),
                idx));
      }
      List<RouteConfig> routes = new ArrayList<>();
      for (JsonNode r : array(o, "routes")) {
        String w = "prevResult.routes[].";
        routes.add(
            new RouteConfig(
                prefix(Json.requiredText(r, "dst", w), w + "dst"),
                address(Json.text(r, "gw", w), w + "gw")));
      }
      return new CniResult(
          interfaces, ips, routes, Dns.parse(Json.object(o, "dns", ""), "prevResult."));
    } catch (CniException e) {
      throw new CniException(CniCode.DECODE_FAILURE, e.msg(), null, e);
    }
  }

  private static List<JsonNode> array(JsonNode o, String field) {
    JsonNode v = o.get(field);
    List<JsonNode> out = new ArrayList<>();
    if (v == null || v.isNull()) {
      return out;
    }
    if (!v.isArray()) {
      throw Json.invalid("prevResult." + field, v, "a list");
    }
    for (JsonNode e : v) {
      if (!e.isObject()) {
        throw Json.invalid("prevResult." + field + "[]", e, "an object");
      }
      out.add(e);
    }
    return out;
  }

  private static IpPrefix prefix(String text, String field) {
    try {
      IpPrefix p = IpPrefix.parse(text);
      if (text.indexOf('/') < 0 || text.contains("%")) {
        throw new IllegalArgumentException(text);
      }
      return p;
    } catch (IllegalArgumentException e) {
      throw new CniException(CniCode.INVALID_CONFIG, field + " \"" + text + "\" is not a CIDR");
    }
  }

  private static @Nullable InetAddress address(@Nullable String text, String field) {
    if (text == null) {
      return null;
    }
    if (!InetAddresses.isInetAddress(text) || text.contains("%")) {
      throw new CniException(
          CniCode.INVALID_CONFIG, field + " \"" + text + "\" is not an IP address");
    }
    return InetAddresses.forString(text);
  }

  /** The default route of an address's family through {@code gateway}. */
  static RouteConfig defaultRoute(InetAddress gateway) {
    InetAddress any = InetAddresses.forString(gateway instanceof Inet4Address ? "0.0.0.0" : "::");
    return new RouteConfig(new IpPrefix(any, 0), gateway);
  }
}
