package io.github.calicoj.examples.robustness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.calicoj.testkit.EtcdCluster;
import io.github.calicoj.testkit.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything a calicoctl command could change, read by independent tools: every key under {@code
 * /calico} (which takes in {@code /calicoj/}) with its value and mod revision, and the store's
 * revision, from {@code etcdctl get -w json}; and each test namespace's links with their addresses
 * ({@code ip -j addr show}) and its IPv4 and IPv6 routes of every table ({@code ip -j route show
 * table all}). Address lifetimes are left out (they count down). Immutable.
 *
 * @param revisions the store revision of each etcd cluster, in the order given
 * @param kvs key to value and mod revision, over all clusters (prefixed by the cluster's index)
 * @param namespaces namespace name to its parsed {@code ip -j} output
 */
record SystemState(
    List<Long> revisions, Map<String, String> kvs, Map<String, NetState> namespaces) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One namespace as {@code ip -j} shows it.
   *
   * @param links {@code ip -j addr show}: each link with its {@code addr_info}
   * @param routes4 {@code ip -j -4 route show table all}
   * @param routes6 {@code ip -j -6 route show table all}
   */
  record NetState(JsonNode links, JsonNode routes4, JsonNode routes6) {
    /** The links' names. */
    List<String> linkNames() {
      List<String> out = new ArrayList<>();
      links.forEach(l -> out.add(l.path("ifname").asText()));
      return out;
    }

    /** The link called {@code name}, or a missing node. */
    JsonNode link(String name) {
      for (JsonNode l : links) {
        if (name.equals(l.path("ifname").asText())) {
          return l;
        }
      }
      return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    /** Whether an IPv4 route to {@code dst} (a host address, no prefix length) uses {@code dev}. */
    boolean hasRoute(String dst, String dev) {
      for (JsonNode r : routes4) {
        String d = r.path("dst").asText();
        if ((d.equals(dst) || d.equals(dst + "/32")) && dev.equals(r.path("dev").asText())) {
          return true;
        }
      }
      return false;
    }

    /** One line per link, address and route, for a readable diff. */
    TreeSet<String> items() {
      TreeSet<String> out = new TreeSet<>();
      for (JsonNode l : links) {
        String name = l.path("ifname").asText();
        out.add("link " + name + " " + l.path("link_type").asText() + " " + l.path("flags"));
        for (JsonNode a : l.path("addr_info")) {
          out.add("addr " + name + " " + a.path("local").asText() + "/" + a.path("prefixlen"));
        }
      }
      for (JsonNode r : routes4) {
        out.add("route4 " + r);
      }
      for (JsonNode r : routes6) {
        out.add("route6 " + r);
      }
      return out;
    }
  }

  /** Reads the state of {@code clusters} and of the namespaces {@code namespaces} (by name). */
  static SystemState capture(List<EtcdCluster> clusters, List<String> namespaces) {
    List<Long> revisions = new ArrayList<>();
    Map<String, String> kvs = new TreeMap<>();
    for (int i = 0; i < clusters.size(); i++) {
      JsonNode r =
          parse(clusters.get(i).etcdctl("get", "--prefix", "/calico", "-w", "json"), "etcdctl");
      revisions.add(r.path("header").path("revision").asLong());
      for (JsonNode kv : r.path("kvs")) {
        kvs.put(
            i + ":" + decode(kv.path("key").asText()),
            decode(kv.path("value").asText()) + " @" + kv.path("mod_revision").asLong());
      }
    }
    Map<String, NetState> net = new LinkedHashMap<>();
    for (String ns : namespaces) {
      net.put(ns, net(ns));
    }
    return new SystemState(List.copyOf(revisions), kvs, net);
  }

  /** {@code ip -j} of one namespace. */
  static NetState net(String ns) {
    return new NetState(
        stripLifetimes(ip(ns, "addr", "show")),
        ip(ns, "-4", "route", "show", "table", "all"),
        ip(ns, "-6", "route", "show", "table", "all"));
  }

  /** The value at {@code key} in the first cluster, or null. */
  String value(String key) {
    String v = kvs.get("0:" + key);
    return v == null ? null : v.substring(0, v.lastIndexOf(" @"));
  }

  /** The first cluster's keys under {@code prefix} and their values. */
  Map<String, String> under(String prefix) {
    Map<String, String> out = new TreeMap<>();
    for (Map.Entry<String, String> e : kvs.entrySet()) {
      if (e.getKey().startsWith("0:" + prefix)) {
        String v = e.getValue();
        out.put(e.getKey().substring(2), v.substring(0, v.lastIndexOf(" @")));
      }
    }
    return out;
  }

  /** What differs from {@code after}, or an empty string if nothing does. */
  String diff(SystemState after) {
    List<String> d = new ArrayList<>();
    if (!revisions.equals(after.revisions)) {
      d.add("etcd revision " + revisions + " -> " + after.revisions);
    }
    for (String k : new TreeSet<>(union(kvs.keySet(), after.kvs.keySet()))) {
      String a = kvs.get(k);
      String b = after.kvs.get(k);
      if (a == null) {
        d.add("+key " + k.substring(2));
      } else if (b == null) {
        d.add("-key " + k.substring(2));
      } else if (!a.equals(b)) {
        d.add("~key " + k.substring(2));
      }
    }
    for (String ns : namespaces.keySet()) {
      NetState a = namespaces.get(ns);
      NetState b = after.namespaces.get(ns);
      if (b == null || a.equals(b)) {
        continue;
      }
      TreeSet<String> gone = a.items();
      gone.removeAll(b.items());
      TreeSet<String> added = b.items();
      added.removeAll(a.items());
      gone.forEach(i -> d.add(ns + " -" + i));
      added.forEach(i -> d.add(ns + " +" + i));
      if (gone.isEmpty() && added.isEmpty()) {
        d.add(ns + ": ip -j output changed");
      }
    }
    return String.join("; ", d);
  }

  private static TreeSet<String> union(java.util.Set<String> a, java.util.Set<String> b) {
    TreeSet<String> u = new TreeSet<>(a);
    u.addAll(b);
    return u;
  }

  private static JsonNode ip(String ns, String... args) {
    List<String> cmd = new ArrayList<>(List.of("ip", "-j", "-n", ns));
    cmd.addAll(List.of(args));
    String out = Processes.run(cmd, Duration.ofSeconds(20)).trim();
    return parse(out.isEmpty() ? "[]" : out, String.join(" ", cmd));
  }

  /** Drops the address lifetimes, which count down between two reads of the same state. */
  private static JsonNode stripLifetimes(JsonNode links) {
    for (JsonNode l : links) {
      for (JsonNode a : l.path("addr_info")) {
        if (a instanceof ObjectNode o) {
          o.remove("valid_life_time");
          o.remove("preferred_life_time");
        }
      }
    }
    return links;
  }

  /** Whether some IPv6 address is still in duplicate address detection. */
  boolean settling() {
    for (NetState n : namespaces.values()) {
      for (JsonNode l : n.links()) {
        for (JsonNode a : l.path("addr_info")) {
          for (Iterator<String> f = a.fieldNames(); f.hasNext(); ) {
            if (f.next().equals("tentative")) {
              return true;
            }
          }
        }
      }
    }
    return false;
  }

  private static String decode(String b64) {
    return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
  }

  private static JsonNode parse(String json, String what) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException("Bad JSON from " + what + ": " + json, e);
    }
  }
}
