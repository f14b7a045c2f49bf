package io.github.calicoj.node.internal;

import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Revision;
import io.github.calicoj.node.internal.decode.SnapshotDecoder;
import io.github.calicoj.node.internal.model.Snapshot;
import io.github.calicoj.node.internal.render.DesiredState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Raw datastore contents for tests, written with the keys and JSON of Calico's v1 data model: the
 * setup of the behaviours listed in calico-node/README.md (hosts h1 and h2, pool 192.168.0.0/16,
 * default profiles) is {@link #spec6()}.
 */
public final class Kvs {
  /** Endpoint ids of those behaviours' workloads A–E (32 hex characters; names cali + 11). */
  public static final String A = "aaaaaaaaaaaa4aaa8aaaaaaaaaaaaaaa";

  public static final String B = "bbbbbbbbbbbb4bbb8bbbbbbbbbbbbbbb";
  public static final String C = "cccccccccccc4ccc8ccccccccccccccc";
  public static final String D = "dddddddddddd4ddd8ddddddddddddddd";
  public static final String E = "eeeeeeeeeeee4eee8eeeeeeeeeeeeeee";

  /** Behaviour 8 in calico-node/README.md: P's inbound rules allow tcp to 80 and 8000-8080. */
  public static final String BEHAVIOUR8_RULES =
      "{\"inbound_rules\": [{\"action\": \"allow\", \"protocol\": \"tcp\","
          + " \"dst_ports\": [80, \"8000:8080\"]}]}";

  private final Map<String, String> kvs = new LinkedHashMap<>();

  /** Empty. */
  public static Kvs empty() {
    return new Kvs();
  }

  /**
   * The behaviours' default setup: Ready, InterfacePrefix cali, h1 and h2 with RETURN, pool
   * 192.168.0.0/16, affinities (h1: 192.168.0.0/26, h2: 192.168.0.64/26), profiles P and Q as
   * {@code profile add} writes them, A (.1) and C (.2) in P on h1, B (.3) in Q on h1, E (.65) in P
   * and D (.66) in Q on h2.
   */
  public static Kvs spec6() {
    Kvs k = new Kvs();
    k.put("/calico/v1/Ready", "true");
    k.put("/calico/v1/config/InterfacePrefix", "cali");
    for (String[] h : new String[][] {{"h1", "172.31.0.1"}, {"h2", "172.31.0.2"}}) {
      k.put("/calico/v1/host/" + h[0] + "/config/DefaultEndpointToHostAction", "RETURN");
      k.put("/calico/v1/host/" + h[0] + "/bird_ip", h[1]);
      k.put("/calico/bgp/v1/host/" + h[0] + "/ip_addr_v4", h[1]);
      k.put("/calico/bgp/v1/host/" + h[0] + "/ip_addr_v6", "");
    }
    k.put("/calico/v1/ipam/v4/pool/192.168.0.0-16", "{\"cidr\": \"192.168.0.0/16\"}");
    k.put("/calico/ipam/v2/host/h1/ipv4/block/192.168.0.0-26", "");
    k.put("/calico/ipam/v2/host/h2/ipv4/block/192.168.0.64-26", "");
    k.profile("P").profile("Q");
    k.endpoint("h1", A, "192.168.0.1", "P");
    k.endpoint("h1", C, "192.168.0.2", "P");
    k.endpoint("h1", B, "192.168.0.3", "Q");
    k.endpoint("h2", E, "192.168.0.65", "P");
    k.endpoint("h2", D, "192.168.0.66", "Q");
    return k;
  }

  /** Sets a key. */
  public Kvs put(String key, String value) {
    kvs.put(key, value);
    return this;
  }

  /** Removes a key. */
  public Kvs remove(String key) {
    kvs.remove(key);
    return this;
  }

  /** The profile as {@code calicoctl profile add NAME} writes it (era A, with "id"). */
  public Kvs profile(String name) {
    put("/calico/v1/policy/profile/" + name + "/tags", "[\"" + name + "\"]");
    return rules(
        name,
        "{\"id\": \""
            + name
            + "\", \"inbound_rules\": [{\"action\": \"allow\", \"src_tag\": \""
            + name
            + "\"}], \"outbound_rules\": [{\"action\": \"allow\"}]}");
  }

  /** A profile's rules value. */
  public Kvs rules(String name, String json) {
    return put("/calico/v1/policy/profile/" + name + "/rules", json);
  }

  /** A profile's tags value. */
  public Kvs tags(String name, String json) {
    return put("/calico/v1/policy/profile/" + name + "/tags", json);
  }

  /** The endpoint key of workload {@code wl-<id[:4]>} on {@code host}. */
  public static String endpointKey(String host, String id) {
    return "/calico/v1/host/"
        + host
        + "/workload/docker/wl-"
        + id.substring(0, 4)
        + "/endpoint/"
        + id;
  }

  /** An era-A endpoint as calicoctl writes it: active, one IPv4 address, the given profiles. */
  public Kvs endpoint(String host, String id, String ip, String... profiles) {
    StringBuilder p = new StringBuilder();
    for (String name : profiles) {
      p.append(p.length() == 0 ? "" : ", ").append('"').append(name).append('"');
    }
    return put(
        endpointKey(host, id),
        "{\"state\": \"active\", \"name\": \"cali"
            + id.substring(0, 11)
            + "\", \"mac\": \"ee:ee:ee:00:00:"
            + id.substring(0, 2)
            + "\", \"profile_ids\": ["
            + p
            + "], \"ipv4_nets\": [\""
            + ip
            + "/32\"], \"ipv6_nets\": [], \"ipv4_gateway\": \"172.31.0.1\", \"ipv6_gateway\":"
            + " null}");
  }

  /** The entries, as a list would return them. */
  public List<KeyValue> entries() {
    List<KeyValue> out = new ArrayList<>();
    long rev = 1;
    for (Map.Entry<String, String> e : kvs.entrySet()) {
      out.add(new KeyValue(Key.of(e.getKey()), e.getValue(), Revision.of(rev++)));
    }
    return out;
  }

  /** The snapshot host {@code host} decodes. */
  public Snapshot snapshot(String host) {
    return SnapshotDecoder.decode(host, entries());
  }

  /** The desired state of host {@code host}. */
  public DesiredState state(String host) {
    return DesiredState.of(snapshot(host));
  }
}
