package io.github.calicoj.examples.robustness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.net.InetAddresses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What is left broken on one host, counted from a {@link SystemState} (etcd as etcdctl reads it,
 * the namespaces as {@code ip -j} shows them) without the SDK's own code: each kind of leak with
 * the keys or links that show it. Immutable.
 *
 * @param found each kind of leak, in a fixed order, to what shows it (empty if none)
 */
record Leaks(Map<String, List<String>> found) {
  private static final ObjectMapper JSON = new ObjectMapper();

  static final String NO_ROUTE = "endpoints without their host route";
  static final String DEAD = "endpoints without their cali link";
  static final String NO_CONTAINER_ADDRESS = "endpoints whose container lacks the address";
  static final String VETH = "cali links without an endpoint";
  static final String WORKLOAD_IFACE = "workload interfaces without an endpoint";
  static final String MARKER = "markers without an endpoint";
  static final String NO_MARKER = "endpoints without their marker";
  static final String ALLOCATION = "allocations without an endpoint";
  static final String NOT_ALLOCATED = "endpoint IPs not allocated";
  static final String DUPLICATE = "IPs on two endpoints";
  static final String HANDLE = "handles that disagree with the blocks";

  /** One endpoint as stored. */
  private record Endpoint(String key, String workload, String name, List<String> ips) {}

  /**
   * Counts the leaks of host {@code host} whose host side is namespace {@code hostNs}; {@code
   * workloads} maps each workload's namespace name to its workload id (the escaped path).
   */
  static Leaks of(SystemState s, String host, String hostNs, Map<String, String> workloads) {
    Map<String, List<String>> f = new LinkedHashMap<>();
    for (String kind :
        List.of(
            NO_ROUTE,
            DEAD,
            NO_CONTAINER_ADDRESS,
            VETH,
            WORKLOAD_IFACE,
            MARKER,
            NO_MARKER,
            ALLOCATION,
            NOT_ALLOCATED,
            DUPLICATE,
            HANDLE)) {
      f.put(kind, new ArrayList<>());
    }
    String epPrefix = "/calico/v1/host/" + host + "/workload/";
    List<Endpoint> eps = new ArrayList<>();
    for (Map.Entry<String, String> e : s.under(epPrefix).entrySet()) {
      String[] parts = e.getKey().substring(epPrefix.length()).split("/");
      if (parts.length != 4 || !parts[2].equals("endpoint")) {
        continue;
      }
      JsonNode v = parse(e.getValue());
      List<String> ips = new ArrayList<>();
      v.path("ipv4_nets").forEach(n -> ips.add(n.asText().replaceFirst("/\\d+$", "")));
      v.path("ipv6_nets").forEach(n -> ips.add(n.asText().replaceFirst("/\\d+$", "")));
      eps.add(new Endpoint(e.getKey(), parts[0] + "/" + parts[1], v.path("name").asText(), ips));
    }
    SystemState.NetState hostNet = s.namespaces().get(hostNs);
    Set<String> names = new HashSet<>();
    Map<String, Integer> ipCount = new HashMap<>();
    for (Endpoint ep : eps) {
      names.add(ep.name());
      if (hostNet.link(ep.name()).isMissingNode()) {
        f.get(DEAD).add(ep.key());
      }
      for (String ip : ep.ips()) {
        ipCount.merge(ip, 1, Integer::sum);
        if (!ip.contains(":") && !hostNet.hasRoute(ip, ep.name())) {
          f.get(NO_ROUTE).add(ep.key() + " " + ip);
        }
      }
    }
    ipCount.forEach(
        (ip, n) -> {
          if (n > 1) {
            f.get(DUPLICATE).add(ip + " on " + n);
          }
        });
    for (String link : hostNet.linkNames()) {
      if (link.startsWith("cali") && !names.contains(link)) {
        f.get(VETH).add(link);
      }
    }
    Set<String> withEndpoint = new HashSet<>();
    eps.forEach(ep -> withEndpoint.add(ep.workload()));
    for (Map.Entry<String, String> w : workloads.entrySet()) {
      SystemState.NetState net = s.namespaces().get(w.getKey());
      boolean has = withEndpoint.contains("namespace/" + w.getValue());
      for (String link : net.linkNames()) {
        if (!link.equals("lo") && !has) {
          f.get(WORKLOAD_IFACE).add(w.getKey() + " " + link);
        }
      }
      if (has) {
        for (Endpoint ep : eps) {
          if (ep.workload().equals("namespace/" + w.getValue())) {
            for (String ip : ep.ips()) {
              if (!hasAddress(net, ip)) {
                f.get(NO_CONTAINER_ADDRESS).add(ep.key() + " " + ip);
              }
            }
          }
        }
      }
    }
    String markerPrefix = "/calicoj/v1/workload/" + host + "/";
    Set<String> marked = new HashSet<>();
    for (String key : s.under(markerPrefix).keySet()) {
      marked.add(key.substring(markerPrefix.length()));
      if (!withEndpoint.contains(key.substring(markerPrefix.length()))) {
        f.get(MARKER).add(key);
      }
    }
    for (Endpoint ep : eps) {
      if (!marked.contains(ep.workload())) {
        f.get(NO_MARKER).add(ep.key());
      }
    }
    Map<String, Map<String, Integer>> byHandle = new HashMap<>(); // handle -> block -> count
    Set<String> allocated = new HashSet<>();
    for (Map.Entry<String, String> b : s.under("/calico/ipam/v2/assignment/").entrySet()) {
      JsonNode block = parse(b.getValue());
      String cidr = block.path("cidr").asText();
      InetAddress base = InetAddresses.forString(cidr.substring(0, cidr.indexOf('/')));
      JsonNode attrs = block.path("attributes");
      JsonNode allocations = block.path("allocations");
      for (int ord = 0; ord < allocations.size(); ord++) {
        JsonNode a = allocations.get(ord);
        if (a.isNull()) {
          continue;
        }
        BigInteger n = InetAddresses.toBigInteger(base).add(BigInteger.valueOf(ord));
        String ip =
            InetAddresses.toAddrString(
                base.getAddress().length == 4
                    ? InetAddresses.fromIPv4BigInteger(n)
                    : InetAddresses.fromIPv6BigInteger(n));
        allocated.add(ip);
        if (!ipCount.containsKey(ip)) {
          f.get(ALLOCATION).add(cidr + " " + ip);
        }
        String handle = attrs.path(a.asInt()).path("handle_id").asText("");
        if (!handle.isEmpty()) {
          byHandle.computeIfAbsent(handle, k -> new HashMap<>()).merge(cidr, 1, Integer::sum);
        }
      }
    }
    for (String ip : ipCount.keySet()) {
      if (!allocated.contains(ip)) {
        f.get(NOT_ALLOCATED).add(ip);
      }
    }
    Map<String, Map<String, Integer>> stored = new HashMap<>();
    for (Map.Entry<String, String> h : s.under("/calico/ipam/v2/handle/").entrySet()) {
      JsonNode v = parse(h.getValue());
      Map<String, Integer> counts = new HashMap<>();
      v.path("block").fields().forEachRemaining(e -> counts.put(e.getKey(), e.getValue().asInt()));
      counts.values().removeIf(c -> c == 0);
      stored.put(v.path("id").asText(), counts);
    }
    Set<String> handles = new HashSet<>(stored.keySet());
    handles.addAll(byHandle.keySet());
    for (String h : handles) {
      Map<String, Integer> want = byHandle.getOrDefault(h, Map.of());
      Map<String, Integer> got = stored.getOrDefault(h, Map.of());
      if (!want.equals(got)) {
        f.get(HANDLE).add(h + " stored " + got + ", blocks " + want);
      }
    }
    f.replaceAll((k, v) -> List.copyOf(v));
    return new Leaks(f);
  }

  private static boolean hasAddress(SystemState.NetState net, String ip) {
    for (JsonNode l : net.links()) {
      for (JsonNode a : l.path("addr_info")) {
        if (ip.equals(a.path("local").asText())) {
          return true;
        }
      }
    }
    return false;
  }

  /** How many leaks in all. */
  int total() {
    return found.values().stream().mapToInt(List::size).sum();
  }

  /** The count of one kind. */
  int count(String kind) {
    return found.get(kind).size();
  }

  /** One line per kind: its count and the first few things that show it. */
  String describe() {
    StringBuilder b = new StringBuilder();
    found.forEach(
        (k, v) -> {
          b.append(String.format("  %-44s %3d", k, v.size()));
          if (!v.isEmpty()) {
            b.append("  e.g. ").append(v.subList(0, Math.min(2, v.size())));
          }
          b.append('\n');
        });
    return b.toString();
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException("Not JSON: " + json, e);
    }
  }
}
