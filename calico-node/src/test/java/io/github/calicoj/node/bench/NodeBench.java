package io.github.calicoj.node.bench;

import static io.github.calicoj.testkit.BenchStats.median;
import static io.github.calicoj.testkit.BenchStats.p99;

import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Revision;
import io.github.calicoj.datastore.Transaction;
import io.github.calicoj.datastore.jetcd.EtcdDatastore;
import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.nft.NftTable;
import io.github.calicoj.netns.nft.Nftables;
import io.github.calicoj.node.CalicoNode;
import io.github.calicoj.node.internal.dataplane.KernelDataplane;
import io.github.calicoj.node.internal.model.Direction;
import io.github.calicoj.node.internal.nft.NftBatch;
import io.github.calicoj.node.internal.render.NftNames;
import io.github.calicoj.node.internal.track.IncrementalTracker;
import io.github.calicoj.testkit.EtcdCluster;
import io.github.calicoj.testkit.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;

/**
 * The node agent end to end, at 10 and at 1,000 local endpoints, in one run:
 *
 * <ul>
 *   <li><b>cold start</b>: {@code E} local endpoints (each with its cali veth), {@code E} on
 *       another host, {@code E/5} profiles of 5 rules each, tags on every profile, written to a
 *       real etcd member; then the agent is started and timed until {@code awaitInSync}; the heap
 *       after a GC is read then;
 *   <li><b>propagation</b>: from etcd's commit of one change (its answer to the write) until the
 *       agent has applied its revision (it counts a revision applied once the kernel committed the
 *       nftables transaction and the route changes returned), for a tag change, a profile append, a
 *       rule update and a new endpoint, {@value #ROUNDS} each, every change undone by the next so
 *       the scale stays put; also from the write call, so with etcd's own commit time, and that
 *       commit time alone; after each kind, {@code nft list} shows the kernel holds the last one;
 *   <li><b>baseline</b>: the same changes' nftables batches applied through the agent's Java path
 *       (the incremental tracker, then raw element batches or libnftables in process), all through
 *       libnftables, and through an {@code nft -j -f} process per change (how the reference agent
 *       ran {@code iptables-restore}).
 * </ul>
 *
 * Run it with {@code scripts/bench node} (root), which runs it inside a test host namespace, so the
 * table, links and routes never touch the real host. The machine is shared: absolute times move
 * with its load; the ratios of one run are what count.
 *
 * <p>It runs under the normal scheduler, even with {@code BENCH_REALTIME=1}: on 2 cores, SCHED_FIFO
 * lets a thread that does not block keep its CPU against every thread of its class and below. With
 * etcd in the agent's class, etcd's Go runtime kept its threads spinning on both cores after each
 * request, and the agent's apply thread, woken by the watch event, waited up to 145 ms for a CPU;
 * with etcd one class below the agent, etcd's commit waited instead (its p99 up to 119 ms, against
 * 4-14 ms with both in one class or neither real-time).
 */
public final class NodeBench {
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 200);
  private static final int WARMUP = Integer.getInteger("bench.warmup", 20);
  private static final int BASELINE_ROUNDS = Integer.getInteger("bench.baselineRounds", 100);
  private static final String HOST = "bench";
  private static final String PEER = "peer";
  private static final String HOST_IP = "172.31.9.1";
  private static final String PEER_IP = "172.31.9.2";

  private NodeBench() {}

  public static void main(String[] args) throws Exception {
    System.out.printf(
        Locale.ROOT,
        "NodeBench: %d rounds per change (+%d warm-up), baseline %d; %d cores, kernel %s, JDK %s,"
            + " load %s%n",
        ROUNDS,
        WARMUP,
        BASELINE_ROUNDS,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("os.version"),
        System.getProperty("java.vm.version"),
        Files.readString(Path.of("/proc/loadavg")).strip());
    Processes.run(List.of("ip", "link", "set", "lo", "up"), Duration.ofSeconds(10));
    Processes.run(
        List.of("ip", "link", "add", "cjtpeer0", "type", "veth", "peer", "name", "cjtpeer1"),
        Duration.ofSeconds(10));
    Processes.run(
        List.of("ip", "addr", "add", HOST_IP + "/24", "dev", "cjtpeer0"), Duration.ofSeconds(10));
    Processes.run(List.of("ip", "link", "set", "cjtpeer0", "up"), Duration.ofSeconds(10));
    Processes.run(List.of("ip", "link", "set", "cjtpeer1", "up"), Duration.ofSeconds(10));
    Map<String, Result> results = new LinkedHashMap<>();
    try (EtcdCluster etcd = EtcdCluster.startSingle();
        EtcdDatastore store =
            EtcdDatastore.builder()
                .endpoints(etcd.endpoints())
                .requestTimeout(Duration.ofSeconds(10))
                .build()) {
      for (int endpoints : new int[] {10, 1000}) {
        results.put(Integer.toString(endpoints), run(store, endpoints));
      }
    }
    Result small = results.get("10");
    Result large = results.get("1000");
    System.out.println();
    System.out.println("one change, 1,000 endpoints / 10 endpoints (medians; goal: within 2x):");
    for (String change : small.propagation.keySet()) {
      double[] s = small.propagation.get(change);
      double[] l = large.propagation.get(change);
      double[] sa = small.applied.get(change);
      double[] la = large.applied.get(change);
      System.out.printf(
          Locale.ROOT,
          "  %-15s propagation after the commit x%.2f   agent's apply (Java path) x%.2f%n",
          change,
          l[0] / s[0],
          la[0] / sa[0]);
    }
  }

  /** Medians and p99s, in nanoseconds, by change. */
  private record Result(Map<String, double[]> propagation, Map<String, double[]> applied) {}

  private static Result run(EtcdDatastore store, int endpoints) throws Exception {
    store.deletePrefix(Key.of("/calico/"));
    store.deletePrefix(Key.of("/calicoj/"));
    Data data = new Data(endpoints);
    links(endpoints + 1, true); // the last one for the "new endpoint" change
    try {
      long w0 = System.nanoTime();
      List<Map.Entry<String, String>> all = new ArrayList<>(data.initial().entrySet());
      for (int from = 0; from < all.size(); from += 100) {
        Transaction.Builder txn = Transaction.builder();
        all.subList(from, Math.min(all.size(), from + 100))
            .forEach(e -> txn.put(Key.of(e.getKey()), e.getValue()));
        store.commit(txn.build());
      }
      long written = System.nanoTime() - w0;
      long t0 = System.nanoTime();
      Map<String, double[]> propagation = new LinkedHashMap<>();
      try (CalicoNode agent =
          CalicoNode.builder(store, HOST)
              .removeOnClose(true)
              // The bench's endpoints are Docker-orchestrated, with no container behind them.
              .followDocker(false)
              .sweepInterval(Duration.ZERO)
              .build()) {
        agent.start();
        if (!agent.awaitInSync(Duration.ofSeconds(120))) {
          throw new IllegalStateException("not in sync: " + agent.status());
        }
        long cold = System.nanoTime() - t0;
        System.gc();
        System.gc();
        Runtime rt = Runtime.getRuntime();
        long heap = rt.totalMemory() - rt.freeMemory();
        System.out.printf(
            Locale.ROOT,
            "%n%d local endpoints (+%d on another host), %d profiles x 5 rules, tags on each:"
                + " %d keys written in %.0f ms; cold start to in sync %.0f ms; heap after GC %d MiB"
                + " (goals: 1,000 endpoints in 1 s, 128 MiB)%n",
            endpoints,
            endpoints,
            data.profiles,
            data.initial().size(),
            written / 1e6,
            cold / 1e6,
            heap >> 20);
        for (Change c : data.changes()) {
          long[] samples = new long[ROUNDS]; // from etcd's answer to the write
          long[] whole = new long[ROUNDS]; // from the write call
          long[] commits = new long[ROUNDS]; // the etcd commit's own part of whole
          for (int i = 0; i < ROUNDS + WARMUP; i++) {
            String[] kv = c.at(i);
            long start = System.nanoTime();
            Transaction.Builder txn = Transaction.builder();
            if (kv[1] == null) {
              txn.delete(Key.of(kv[0]));
            } else {
              txn.put(Key.of(kv[0]), kv[1]);
            }
            long revision = store.commit(txn.build()).revision().value();
            long answered = System.nanoTime();
            // The agent counts a revision applied once the kernel committed its nftables
            // transaction and took its route changes.
            while (agent.status().appliedRevision() < revision) {
              LockSupport.parkNanos(20_000);
              if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(10)) {
                throw new IllegalStateException(c.name() + " not applied: " + agent.status());
              }
            }
            long applied = System.nanoTime();
            if (i >= WARMUP) {
              // The watch event may beat etcd's answer to the agent: then it took no time after.
              samples[i - WARMUP] = applied - answered;
              whole[i - WARMUP] = applied - start;
              commits[i - WARMUP] = answered - start;
            }
          }
          // A set or chain that the last change made unused is gone: that reads as "not there".
          Processes.Result listed = Processes.runForResult(c.oracle(), Duration.ofSeconds(30));
          String kernel = listed.exitCode() == 0 ? listed.output() : "";
          String last = c.expected(ROUNDS + WARMUP - 1);
          boolean matches = c.present(ROUNDS + WARMUP - 1) == kernel.contains(last);
          propagation.put(c.name(), new double[] {median(samples), p99(samples)});
          System.out.printf(
              Locale.ROOT,
              "  propagation %-15s after etcd's commit median %6.2f ms p99 %6.2f ms (goal p99 50"
                  + " ms) | from the write call median %6.2f ms p99 %6.2f ms | the etcd commit"
                  + " median %6.2f ms p99 %6.2f ms | the kernel shows the last change: %s%n",
              c.name(),
              median(samples) / 1e6,
              p99(samples) / 1e6,
              median(whole) / 1e6,
              p99(whole) / 1e6,
              median(commits) / 1e6,
              p99(commits) / 1e6,
              matches);
          if (!matches) {
            throw new IllegalStateException(
                c.name()
                    + ": the kernel does not show "
                    + last
                    + "; "
                    + String.join(" ", c.oracle())
                    + " said: "
                    + listed.output()
                    + "; sets: "
                    + Processes.runForResult(
                            List.of("nft", "list", "sets", "inet", "calico"),
                            Duration.ofSeconds(30))
                        .output());
          }
        }
        if (!agent.awaitInSync(Duration.ofSeconds(30))) {
          throw new IllegalStateException("not in sync after the changes: " + agent.status());
        }
      }
      Map<String, double[]> applied = baseline(data);
      return new Result(propagation, applied);
    } finally {
      links(endpoints + 1, false);
    }
  }

  /**
   * The agent's Java path (incremental tracker, then {@code KernelDataplane.apply}: a raw element
   * batch for element-only changes, libnftables JSON in process for the rest) against the same
   * batches all through libnftables and through an {@code nft -j -f} process per change, on the
   * same table. The Java path's share spent in the kernel call (libnftables or the raw batch, and
   * the kernel's commit) is shown apart from the tracker's.
   */
  private static Map<String, double[]> baseline(Data data) throws Exception {
    Map<String, double[]> out = new LinkedHashMap<>();
    IncrementalTracker tracker = new IncrementalTracker(HOST, Map.of());
    List<KeyValue> listing = new ArrayList<>();
    data.initial().forEach((k, v) -> listing.add(new KeyValue(Key.of(k), v, Revision.of(1))));
    Path file = Files.createTempFile("cjt-nodebench", ".json");
    try (NetNs here = NetNs.current();
        Nftables nft = Nftables.open(here)) {
      nft.run(tracker.reset(listing).toJson());
      for (Change c : data.changes()) {
        List<Long> java = new ArrayList<>();
        List<Long> inKernelCall = new ArrayList<>();
        List<Long> viaLibrary = new ArrayList<>();
        List<Long> process = new ArrayList<>();
        // Two changes (one and its undo) each way in turn: the agent's apply (raw element batches
        // for element-only changes, libnftables for the rest), libnftables for everything, and an
        // nft -f process.
        for (int i = 0;
            java.size() < BASELINE_ROUNDS
                || viaLibrary.size() < BASELINE_ROUNDS
                || process.size() < BASELINE_ROUNDS;
            i++) {
          String[] kv = c.at(i);
          int way = (i / 2) % 3;
          long t0 = System.nanoTime();
          if (kv[1] == null) {
            tracker.delete(Key.of(kv[0]));
          } else {
            tracker.put(Key.of(kv[0]), kv[1]);
          }
          NftBatch batch = tracker.update().nft();
          String json = way == 0 ? "" : batch.toJson();
          long t1 = System.nanoTime();
          if (way == 2) {
            Files.writeString(file, json);
            Processes.run(List.of("nft", "-j", "-f", file.toString()), Duration.ofSeconds(30));
          } else if (way == 1) {
            nft.run(json);
          } else {
            KernelDataplane.apply(nft, batch);
          }
          long t2 = System.nanoTime();
          List<Long> into = way == 0 ? java : way == 1 ? viaLibrary : process;
          if (i >= WARMUP && into.size() < BASELINE_ROUNDS) {
            into.add(t2 - t0);
            if (way == 0) {
              inKernelCall.add(t2 - t1);
            }
          }
        }
        long[] j = java.stream().mapToLong(Long::longValue).toArray();
        long[] k = inKernelCall.stream().mapToLong(Long::longValue).toArray();
        long[] lib = viaLibrary.stream().mapToLong(Long::longValue).toArray();
        long[] p = process.stream().mapToLong(Long::longValue).toArray();
        out.put(c.name(), new double[] {median(j), p99(j)});
        System.out.printf(
            Locale.ROOT,
            "  apply %-15s Java path median %6.2f ms p99 %6.2f ms (in the kernel call %6.2f ms) |"
                + " all through libnftables median %6.2f ms | nft -f process median %6.2f ms p99"
                + " %6.2f ms | x%.1f (goal 20x)%n",
            c.name(),
            median(j) / 1e6,
            p99(j) / 1e6,
            median(k) / 1e6,
            median(lib) / 1e6,
            median(p) / 1e6,
            p99(p) / 1e6,
            median(p) / (double) median(j));
      }
      nft.deleteTableIfExists(NftTable.inet("calico"));
    } finally {
      Files.deleteIfExists(file);
    }
    return out;
  }

  /** Creates (or deletes) one cali veth per local endpoint, both ends up, with one ip -batch. */
  private static void links(int endpoints, boolean add) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < endpoints; i++) {
      String cali = "cali" + Data.id(HOST, i).substring(0, 11);
      if (add) {
        b.append("link add ")
            .append(cali)
            .append(" type veth peer name cjtq")
            .append(i)
            .append('\n');
        b.append("link set ").append(cali).append(" up\n");
        b.append("link set cjtq").append(i).append(" up\n");
      } else {
        b.append("link del ").append(cali).append('\n');
      }
    }
    Path f = Files.createTempFile("cjt-links", ".ip");
    try {
      Files.writeString(f, b.toString());
      Processes.runForResult(
          List.of("ip", "-force", "-batch", f.toString()), Duration.ofMinutes(5));
    } finally {
      Files.deleteIfExists(f);
    }
  }

  /**
   * A change that alternates between two values (the second undoes the first), with an {@code nft}
   * command that lists the object it changes and, for a round, the text that object shows after
   * that round if {@link #present}, or lacks if not.
   */
  private record Change(
      String name,
      IntFunction<@Nullable String[]> values,
      List<String> oracle,
      IntFunction<String> expected,
      IntFunction<Boolean> present) {
    @Nullable String[] at(int round) {
      return values.apply(round);
    }

    String expected(int round) {
      return expected.apply(round);
    }

    boolean present(int round) {
      return present.apply(round);
    }
  }

  /** The benchmark's data at one scale. */
  static final class Data {
    final int endpoints;
    final int profiles;

    Data(int endpoints) {
      this.endpoints = endpoints;
      this.profiles = Math.max(2, endpoints / 5);
    }

    static String id(String host, int i) {
      return String.format(Locale.ROOT, "%s%09x", host.equals(HOST) ? "a1" : "b2", i)
          + "0".repeat(21);
    }

    static String key(String host, int i) {
      return "/calico/v1/host/" + host + "/workload/docker/w" + i + "/endpoint/" + id(host, i);
    }

    static String ip(String host, int i) {
      return "10." + (host.equals(HOST) ? 1 : 2) + "." + (i / 250) + "." + (i % 250 + 1);
    }

    static String endpoint(String host, int i, String... profiles) {
      StringBuilder p = new StringBuilder();
      for (String s : profiles) {
        p.append(p.length() == 0 ? "" : ", ").append('"').append(s).append('"');
      }
      return "{\"state\": \"active\", \"name\": \"cali"
          + id(host, i).substring(0, 11)
          + "\", \"mac\": \"ee:ee:ee:00:00:01\", \"profile_ids\": ["
          + p
          + "], \"ipv4_nets\": [\""
          + ip(host, i)
          + "/32\"], \"ipv6_nets\": [], \"ipv4_gateway\": \""
          + HOST_IP
          + "\"}";
    }

    String rules(int p, int port) {
      return "{\"inbound_rules\": [{\"action\": \"allow\", \"src_tag\": \"p"
          + p
          + "\"}, {\"action\": \"allow\", \"protocol\": \"tcp\", \"dst_ports\": ["
          + port
          + ", \"8000:8080\"], \"src_tag\": \"p"
          + ((p + 1) % profiles)
          + "\"}, {\"action\": \"deny\", \"protocol\": \"icmp\", \"icmp_type\": 8},"
          + " {\"action\": \"allow\", \"src_net\": \"10.200.0.0/16\"}],"
          + " \"outbound_rules\": [{\"action\": \"allow\"}]}";
    }

    Map<String, String> initial() {
      Map<String, String> kv = new LinkedHashMap<>();
      kv.put("/calico/v1/Ready", "true");
      kv.put("/calico/v1/config/InterfacePrefix", "cali");
      kv.put("/calico/v1/ipam/v4/pool/10.0.0.0-8", "{\"cidr\": \"10.0.0.0/8\"}");
      kv.put("/calico/v1/host/" + HOST + "/bird_ip", HOST_IP);
      kv.put("/calico/v1/host/" + PEER + "/bird_ip", PEER_IP);
      kv.put("/calico/ipam/v2/host/" + HOST + "/ipv4/block/10.1.0.0-20", "");
      kv.put("/calico/ipam/v2/host/" + PEER + "/ipv4/block/10.2.0.0-20", "");
      for (int p = 0; p < profiles; p++) {
        kv.put("/calico/v1/policy/profile/p" + p + "/tags", "[\"p" + p + "\", \"all\"]");
        kv.put("/calico/v1/policy/profile/p" + p + "/rules", rules(p, 80));
      }
      for (String host : List.of(HOST, PEER)) {
        for (int i = 0; i < endpoints; i++) {
          kv.put(key(host, i), endpoint(host, i, "p" + (i % profiles)));
        }
      }
      return kv;
    }

    List<Change> changes() {
      String q = "p" + (2 % profiles); // endpoint 2's profile
      String p4 = "p" + (4 % profiles);
      String e3 = "cali" + id(HOST, 3).substring(0, 11);
      String fresh = "cali" + id(HOST, endpoints).substring(0, 11);
      return List.of(
          new Change(
              "tag change",
              i ->
                  new String[] {
                    "/calico/v1/policy/profile/" + q + "/tags",
                    i % 2 == 0 ? "[\"" + q + "\", \"all\", \"p1\"]" : "[\"" + q + "\", \"all\"]"
                  },
              List.of("nft", "list", "set", "inet", "calico", "t4_p1"),
              i -> ip(HOST, 2),
              i -> i % 2 == 0),
          new Change(
              "profile append",
              i ->
                  new String[] {
                    key(HOST, 3),
                    i % 2 == 0
                        ? endpoint(HOST, 3, "p" + (3 % profiles), p4)
                        : endpoint(HOST, 3, "p" + (3 % profiles))
                  },
              List.of("nft", "list", "map", "inet", "calico", "tw_dispatch"),
              i ->
                  "\""
                      + e3
                      + "\" : jump "
                      + NftNames.listChain(Direction.INBOUND, List.of("p" + (3 % profiles), p4)),
              i -> i % 2 == 0),
          new Change(
              "rule update",
              i -> new String[] {"/calico/v1/policy/profile/p1/rules", rules(1, 80 + (i % 2) + 1)},
              List.of("nft", "list", "chain", "inet", "calico", "pi_p1"),
              i -> "tcp dport " + (80 + (i % 2) + 1) + " ",
              i -> true),
          new Change(
              "new endpoint",
              i ->
                  new String[] {
                    key(HOST, endpoints), i % 2 == 0 ? endpoint(HOST, endpoints, "p0") : null
                  },
              List.of("nft", "list", "map", "inet", "calico", "fw_dispatch"),
              i -> "\"" + fresh + "\"",
              i -> i % 2 == 0));
    }
  }
}
