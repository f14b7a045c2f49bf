package io.github.calicoj.node.bench;

import io.github.calicoj.datastore.Key;
import io.github.calicoj.node.internal.decode.SnapshotDecoder;
import io.github.calicoj.node.internal.render.DesiredState;
import io.github.calicoj.node.internal.render.Renderer;
import io.github.calicoj.testkit.BenchStats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The agent's pure part at two scales, in one run: {@code E} local endpoints (plus as many on a
 * second host), {@code E/5} profiles of 5 rules with tags. Measures a cold decode + render + full
 * JSON, then the cost of one incremental change (decode the changed key, snapshot, render, diff,
 * JSON) for a tag change, a profile append, a rule update and a new endpoint; reports medians and
 * p99s and the ratio 1000 / 10. No I/O; run with {@code java -cp <test classpath>
 * io.github.calicoj.node.bench.RenderBench}.
 */
public final class RenderBench {
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 200);
  private static final int WARMUP = Integer.getInteger("bench.warmup", 300);

  private RenderBench() {}

  public static void main(String[] args) {
    System.out.printf(
        Locale.ROOT,
        "RenderBench: %d rounds per change, %d cores, JDK %s%n",
        ROUNDS,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    Map<String, double[]> small = run(10);
    Map<String, double[]> large = run(1000);
    System.out.println("ratio of medians, 1000 / 10 endpoints:");
    small.forEach(
        (k, v) -> System.out.printf(Locale.ROOT, "  %-16s x%.1f%n", k, large.get(k)[0] / v[0]));
  }

  private static Map<String, String> data(int endpoints) {
    Map<String, String> kv = new LinkedHashMap<>();
    kv.put("/calico/v1/Ready", "true");
    kv.put("/calico/v1/config/InterfacePrefix", "cali");
    kv.put("/calico/v1/ipam/v4/pool/10.0.0.0-8", "{\"cidr\": \"10.0.0.0/8\"}");
    int profiles = Math.max(2, endpoints / 5);
    for (int p = 0; p < profiles; p++) {
      kv.put("/calico/v1/policy/profile/p" + p + "/tags", "[\"p" + p + "\", \"all\"]");
      kv.put("/calico/v1/policy/profile/p" + p + "/rules", rules(p, profiles, 80));
    }
    for (String host : List.of("h1", "h2")) {
      for (int i = 0; i < endpoints; i++) {
        kv.put(key(host, i), endpoint(host, i, "p" + (i % profiles)));
      }
    }
    return kv;
  }

  private static String rules(int p, int profiles, int port) {
    return "{\"inbound_rules\": [{\"action\": \"allow\", \"src_tag\": \"p"
        + p
        + "\"},"
        + " {\"action\": \"allow\", \"protocol\": \"tcp\", \"dst_ports\": ["
        + port
        + ", \"8000:8080\"],"
        + " \"src_tag\": \"p"
        + ((p + 1) % profiles)
        + "\"},"
        + " {\"action\": \"deny\", \"protocol\": \"icmp\", \"icmp_type\": 8},"
        + " {\"action\": \"allow\", \"src_net\": \"10.200.0.0/16\"}],"
        + " \"outbound_rules\": [{\"action\": \"allow\"}]}";
  }

  private static String key(String host, int i) {
    return "/calico/v1/host/" + host + "/workload/docker/w" + i + "/endpoint/" + id(host, i);
  }

  private static String id(String host, int i) {
    return String.format(Locale.ROOT, "%s%09x", host.equals("h1") ? "a1" : "b2", i)
        + "0".repeat(21);
  }

  private static String endpoint(String host, int i, String... profiles) {
    String ip = "10." + (host.equals("h1") ? 1 : 2) + "." + (i / 250) + "." + (i % 250);
    StringBuilder p = new StringBuilder();
    for (String s : profiles) {
      p.append(p.length() == 0 ? "" : ", ").append('"').append(s).append('"');
    }
    return "{\"state\": \"active\", \"name\": \"cali"
        + id(host, i).substring(0, 11)
        + "\","
        + " \"mac\": \"ee:ee:ee:00:00:01\", \"profile_ids\": ["
        + p
        + "],"
        + " \"ipv4_nets\": [\""
        + ip
        + "/32\"], \"ipv6_nets\": []}";
  }

  private static Map<String, double[]> run(int endpoints) {
    Map<String, String> kv = data(endpoints);
    // Cold: decode everything, render, full JSON (5 times, the last one is reported).
    Renderer renderer = null;
    long coldNanos = 0;
    int coldJson = 0;
    SnapshotDecoder d = null;
    DesiredState state = null;
    for (int warm = 0; warm < 5; warm++) {
      long t0 = System.nanoTime();
      d = new SnapshotDecoder("h1", Map.of());
      for (Map.Entry<String, String> e : kv.entrySet()) {
        d.put(Key.of(e.getKey()), e.getValue());
      }
      renderer = new Renderer();
      state = renderer.render(d.snapshot());
      coldJson = state.replacement().toJson().length();
      coldNanos = System.nanoTime() - t0;
    }
    System.gc();
    Runtime rt = Runtime.getRuntime();
    long heap = rt.totalMemory() - rt.freeMemory();
    System.out.printf(
        Locale.ROOT,
        "%d local endpoints (+%d remote), %d profiles: cold decode+render+JSON %.1f ms,"
            + " %d chains, %d KiB of JSON, heap after GC %d MiB%n",
        endpoints,
        endpoints,
        Math.max(2, endpoints / 5),
        coldNanos / 1e6,
        state.table().chains().size(),
        coldJson / 1024,
        heap >> 20);
    Map<String, double[]> out = new LinkedHashMap<>();
    int profiles = Math.max(2, endpoints / 5);
    // Each change alternates between two values so every round really changes something.
    out.put(
        "tag change",
        change(
            "tag change",
            d,
            renderer,
            state,
            i ->
                new String[] {
                  "/calico/v1/policy/profile/p0/tags",
                  i % 2 == 0 ? "[\"p0\", \"all\", \"x\"]" : "[\"p0\", \"all\", \"p1\"]"
                },
            endpoints));
    out.put(
        "profile append",
        change(
            "profile append",
            d,
            renderer,
            state,
            i ->
                new String[] {
                  key("h1", 3),
                  i % 2 == 0
                      ? endpoint("h1", 3, "p" + (3 % profiles), "p" + (4 % profiles))
                      : endpoint("h1", 3, "p" + (3 % profiles))
                },
            endpoints));
    out.put(
        "rule update",
        change(
            "rule update",
            d,
            renderer,
            state,
            i ->
                new String[] {
                  "/calico/v1/policy/profile/p1/rules", rules(1, profiles, 80 + (i % 2))
                },
            endpoints));
    out.put(
        "new endpoint",
        change(
            "new endpoint",
            d,
            renderer,
            state,
            // added on even rounds, removed on odd ones: the scale stays put
            i ->
                new String[] {
                  key("h1", endpoints), i % 2 == 0 ? endpoint("h1", endpoints, "p0") : null
                },
            endpoints));
    return out;
  }

  /** The key and new value (null: deleted) of a round's change. */
  private interface Change {
    @Nullable String[] at(int round);
  }

  private static double[] change(
      String name, SnapshotDecoder d, Renderer r, DesiredState start, Change c, int endpoints) {
    DesiredState prev = start;
    List<Long> nanos = new ArrayList<>();
    long commands = 0;
    for (int i = 0; i < ROUNDS + WARMUP; i++) {
      long t0 = System.nanoTime();
      @Nullable String[] kv = c.at(i);
      String value = kv[1];
      if (value == null) {
        d.delete(Key.of(String.valueOf(kv[0])));
      } else {
        d.put(Key.of(String.valueOf(kv[0])), value);
      }
      DesiredState next = r.render(d.snapshot());
      var batch = next.changesSince(prev);
      String json = batch.toJson();
      long t = System.nanoTime() - t0;
      if (json.isEmpty()) {
        throw new AssertionError("no JSON");
      }
      if (i >= WARMUP) {
        nanos.add(t);
        commands += batch.size();
      }
      prev = next;
    }
    long[] samples = nanos.stream().mapToLong(Long::longValue).toArray();
    double median = BenchStats.median(samples);
    double p99 = BenchStats.p99(samples);
    System.out.printf(
        Locale.ROOT,
        "  %-5d %-16s median %8.3f ms  p99 %8.3f ms  (%.1f commands per batch on average)%n",
        endpoints,
        name,
        median / 1e6,
        p99 / 1e6,
        commands / (double) ROUNDS);
    return new double[] {median, p99};
  }
}
