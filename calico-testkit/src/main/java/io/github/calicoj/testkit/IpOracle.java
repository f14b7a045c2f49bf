package io.github.calicoj.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The independent oracle for netlink results: {@code ip -j} (iproute2's JSON output), run in a
 * namespace by name or in the caller's namespace when the name is null.
 */
public final class IpOracle {
  private static final ObjectMapper JSON = new ObjectMapper();

  private IpOracle() {}

  /** {@code ip -j [-n NS] ARGS...} parsed as JSON. */
  public static JsonNode ipJson(String namespace, String... args) {
    List<String> cmd = new ArrayList<>(List.of("ip", "-j"));
    if (namespace != null) {
      cmd.add("-n");
      cmd.add(namespace);
    }
    cmd.addAll(List.of(args));
    String out = Processes.run(cmd, Duration.ofSeconds(20)).trim();
    try {
      return JSON.readTree(out.isEmpty() ? "[]" : out);
    } catch (IOException e) {
      throw new UncheckedIOException("Bad JSON from " + cmd + ": " + out, e);
    }
  }

  /** Every link of the namespace ({@code ip -j link show}). */
  public static List<JsonNode> links(String namespace) {
    List<JsonNode> out = new ArrayList<>();
    ipJson(namespace, "link", "show").forEach(out::add);
    return out;
  }

  /** The names of the namespace's links that start with {@code prefix}, such as {@code cali}. */
  public static List<String> linkNames(String namespace, String prefix) {
    List<String> out = new ArrayList<>();
    for (JsonNode l : links(namespace)) {
      String name = l.path("ifname").asText();
      if (name.startsWith(prefix)) {
        out.add(name);
      }
    }
    return out;
  }

  /** One link by name, if present. */
  public static Optional<JsonNode> link(String namespace, String name) {
    return links(namespace).stream()
        .filter(l -> name.equals(l.path("ifname").asText()))
        .findFirst();
  }

  /** The addresses of a device as {@code ADDRESS/LEN} strings ({@code ip -j addr show dev D}). */
  public static List<String> addresses(String namespace, String device) {
    List<String> out = new ArrayList<>();
    for (JsonNode link : ipJson(namespace, "addr", "show", "dev", device)) {
      for (JsonNode a : link.path("addr_info")) {
        out.add(a.path("local").asText() + "/" + a.path("prefixlen").asInt());
      }
    }
    return out;
  }

  /** The routes of one family ({@code ip -j -4|-6 route show}). */
  public static List<JsonNode> routes(String namespace, boolean ipv4) {
    List<String> args = new ArrayList<>();
    if (namespace != null) {
      args.add("-n");
      args.add(namespace);
    }
    List<String> cmd = new ArrayList<>(List.of("ip", "-j", ipv4 ? "-4" : "-6"));
    cmd.addAll(args);
    cmd.addAll(List.of("route", "show"));
    String out = Processes.run(cmd, Duration.ofSeconds(20)).trim();
    try {
      List<JsonNode> routes = new ArrayList<>();
      JSON.readTree(out.isEmpty() ? "[]" : out).forEach(routes::add);
      return routes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A sysctl of a namespace as that namespace's procfs shows it ({@code ip netns exec NS cat
   * /proc/sys/...}), trimmed; {@code key} is dotted, e.g. {@code net.ipv4.conf.eth0.proxy_arp}.
   */
  public static String sysctl(String namespace, String key) {
    return Processes.run(
            List.of("ip", "netns", "exec", namespace, "cat", "/proc/sys/" + key.replace('.', '/')),
            Duration.ofSeconds(10))
        .trim();
  }
}
