package io.github.calicoj.node.internal.track;

import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Revision;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Random datastore changes over a small universe, for checking the incremental tracker against the
 * full one: endpoints on two hosts (valid, invalid, inactive, sharing an interface, moving between
 * hosts, with addresses in and out of the pools, IPv4 and IPv6), profiles (tags and rules, valid
 * and not, including port ranges, ICMP 255 and string ports), pools, affinities, host addresses and
 * Felix configuration. Deterministic for a seed.
 */
public final class RandomChanges {
  /** One change: a key and its new value, or null for a delete. */
  public record Change(String key, String value) {
    /** Gives the change to {@code tracker}: a put, or a delete for a null value. */
    public void applyTo(DesiredTracker tracker) {
      if (value == null) {
        tracker.delete(Key.of(key));
      } else {
        tracker.put(Key.of(key), value);
      }
    }
  }

  /** {@link #initial()} as a listing at revision 1. */
  public static List<KeyValue> initialListing() {
    List<KeyValue> listing = new ArrayList<>();
    for (Change c : initial()) {
      listing.add(new KeyValue(Key.of(c.key()), c.value(), Revision.of(1)));
    }
    return listing;
  }

  private static final String[] PROFILES = {"P0", "P1", "P2", "P3", "P4"};
  private static final String[] RULES = {
    "{\"action\": \"allow\"}",
    "{\"action\": \"deny\", \"protocol\": \"icmp\"}",
    "{\"action\": \"allow\", \"src_tag\": \"%s\"}",
    "{\"action\": \"allow\", \"protocol\": \"tcp\", \"dst_ports\": [80, \"8000:8080\", 8001]}",
    "{\"action\": \"deny\", \"protocol\": \"tcp\", \"!dst_ports\": [22, \"1000:2000\"]}",
    "{\"action\": \"allow\", \"protocol\": \"udp\", \"src_ports\": [\"1:10\"], \"dst_ports\": [53,"
        + " \"60:70\"]}",
    "{\"action\": \"allow\", \"protocol\": \"icmp\", \"icmp_type\": 255}",
    "{\"action\": \"allow\", \"src_net\": \"10.65.0.0/30\"}",
    "{\"action\": \"next-tier\", \"dst_tag\": \"%s\"}",
    "{\"action\": \"log\", \"ip_version\": 6}",
    "{\"action\": \"allow\", \"protocol\": \"tcp\", \"dst_ports\": [\"80\"]}", // invalid
  };

  private final Random random;

  public RandomChanges(long seed) {
    this.random = new Random(seed);
  }

  private <T> T pick(T[] from) {
    return from[random.nextInt(from.length)];
  }

  private static String id(int i) {
    return String.format(Locale.ROOT, "%08x", 0xa1b2c300 + i) + "0".repeat(24);
  }

  /** A batch of one to five changes. */
  public List<Change> next() {
    List<Change> out = new ArrayList<>();
    int n = 1 + random.nextInt(5);
    for (int i = 0; i < n; i++) {
      out.add(one());
    }
    return out;
  }

  private Change one() {
    int r = random.nextInt(100);
    if (r < 45) {
      return endpoint();
    }
    if (r < 80) {
      return profile();
    }
    if (r < 85) {
      return pool();
    }
    if (r < 90) {
      String host = random.nextBoolean() ? "h1" : "h2";
      String block = host.equals("h1") ? "10.65.0.0-26" : "10.65.0.64-26";
      if (random.nextInt(4) == 0) {
        block = "10.65.1.0-26";
      }
      return new Change(
          "/calico/ipam/v2/host/" + host + "/ipv4/block/" + block,
          random.nextBoolean() ? "" : null);
    }
    if (r < 94) {
      String v = random.nextInt(3) == 0 ? null : random.nextBoolean() ? "172.31.0.2" : "bogus";
      return new Change("/calico/v1/host/h2/bird_ip", v);
    }
    return config();
  }

  private Change endpoint() {
    int i = random.nextInt(12);
    String host = random.nextInt(3) == 0 ? "h2" : "h1";
    String key = "/calico/v1/host/" + host + "/workload/docker/w" + i + "/endpoint/" + id(i);
    int r = random.nextInt(10);
    if (r == 0) {
      return new Change(key, null);
    }
    if (r == 1) {
      return new Change(key, "{\"state\": \"active\", \"name\": 42}");
    }
    String iface =
        random.nextInt(6) == 0 ? "cali" + id(0).substring(0, 11) : "cali" + id(i).substring(0, 11);
    if (random.nextInt(15) == 0) {
      iface = "tap" + id(i).substring(0, 11);
    }
    StringBuilder profiles = new StringBuilder();
    int np = random.nextInt(3);
    for (int p = 0; p < np; p++) {
      String name = random.nextInt(8) == 0 ? "ghost" : pick(PROFILES);
      if (profiles.indexOf("\"" + name + "\"") < 0) {
        profiles.append(profiles.length() == 0 ? "" : ", ").append('"').append(name).append('"');
      }
    }
    String v4 = random.nextInt(8) == 0 ? "10.99.0." + i : "10.65.0." + (random.nextInt(2) * 64 + i);
    String v6 = random.nextInt(4) == 0 ? "\"fd00::" + Integer.toHexString(i + 1) + "/128\"" : "";
    return new Change(
        key,
        "{\"state\": \""
            + (random.nextInt(6) == 0 ? "inactive" : "active")
            + "\", \"name\": \""
            + iface
            + "\", \"mac\": \"ee:ee:ee:00:00:"
            + String.format(Locale.ROOT, "%02x", i)
            + "\", \"profile_ids\": ["
            + profiles
            + "], \"ipv4_nets\": [\""
            + v4
            + "/32\"], \"ipv6_nets\": ["
            + v6
            + "]}");
  }

  private Change profile() {
    String name = pick(PROFILES);
    if (random.nextBoolean()) {
      String key = "/calico/v1/policy/profile/" + name + "/tags";
      int r = random.nextInt(8);
      if (r == 0) {
        return new Change(key, null);
      }
      if (r == 1) {
        return new Change(key, "{\"not\": \"a list\"}");
      }
      StringBuilder tags = new StringBuilder("\"" + name + "\"");
      if (random.nextBoolean()) {
        tags.append(", \"").append(pick(PROFILES)).append('"');
      }
      if (random.nextInt(4) == 0) {
        tags.append(", \"X\"");
      }
      return new Change(key, "[" + tags + "]");
    }
    String key = "/calico/v1/policy/profile/" + name + "/rules";
    if (random.nextInt(8) == 0) {
      return new Change(key, null);
    }
    return new Change(
        key, "{\"inbound_rules\": [" + rules() + "], \"outbound_rules\": [" + rules() + "]}");
  }

  private String rules() {
    StringBuilder b = new StringBuilder();
    int n = random.nextInt(4);
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, pick(RULES), pick(PROFILES)));
    }
    return b.toString();
  }

  private Change pool() {
    if (random.nextInt(4) == 0) {
      return new Change(
          "/calico/v1/ipam/v4/pool/10.66.0.0-16",
          random.nextBoolean() ? null : "{\"cidr\": \"10.66.0.0/16\", \"masquerade\": true}");
    }
    String opts = random.nextBoolean() ? ", \"masquerade\": true" : "";
    if (random.nextInt(4) == 0) {
      opts += ", \"ipip\": \"tunl0\"";
    }
    return new Change(
        "/calico/v1/ipam/v4/pool/10.65.0.0-16", "{\"cidr\": \"10.65.0.0/16\"" + opts + "}");
  }

  private Change config() {
    int r = random.nextInt(4);
    return switch (r) {
      case 0 ->
          new Change(
              "/calico/v1/host/h1/config/DefaultEndpointToHostAction",
              random.nextBoolean() ? "RETURN" : "DROP");
      case 1 ->
          new Change(
              "/calico/v1/config/InterfacePrefix", random.nextBoolean() ? "cali" : "cali,tap");
      case 2 ->
          new Change(
              "/calico/v1/config/IptablesMarkMask",
              random.nextBoolean() ? "0xff000000" : "0x00ff0000");
      default -> new Change("/calico/v1/Ready", random.nextBoolean() ? "true" : "false");
    };
  }

  /** The starting data: both hosts' addresses, the pool, the blocks, the profiles. */
  public static List<Change> initial() {
    List<Change> out = new ArrayList<>();
    out.add(new Change("/calico/v1/Ready", "true"));
    out.add(new Change("/calico/v1/config/InterfacePrefix", "cali"));
    out.add(new Change("/calico/v1/host/h1/bird_ip", "172.31.0.1"));
    out.add(new Change("/calico/v1/host/h2/bird_ip", "172.31.0.2"));
    out.add(new Change("/calico/v1/ipam/v4/pool/10.65.0.0-16", "{\"cidr\": \"10.65.0.0/16\"}"));
    out.add(new Change("/calico/ipam/v2/host/h1/ipv4/block/10.65.0.0-26", ""));
    out.add(new Change("/calico/ipam/v2/host/h2/ipv4/block/10.65.0.64-26", ""));
    for (String p : PROFILES) {
      out.add(new Change("/calico/v1/policy/profile/" + p + "/tags", "[\"" + p + "\"]"));
      out.add(
          new Change(
              "/calico/v1/policy/profile/" + p + "/rules",
              "{\"inbound_rules\": [{\"action\": \"allow\", \"src_tag\": \""
                  + p
                  + "\"}], \"outbound_rules\": [{\"action\": \"allow\"}]}"));
    }
    return out;
  }
}
