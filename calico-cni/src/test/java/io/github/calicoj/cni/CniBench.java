package io.github.calicoj.cni;

import io.github.calicoj.testkit.BenchHost;
import io.github.calicoj.testkit.BenchStats;
import io.github.calicoj.testkit.EtcdCluster;
import io.github.calicoj.testkit.TestNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Wall time of whole CNI plugin invocations (JVM start included), as a runtime pays it: ADD and DEL
 * of {@code calico-cni} (the packaged launcher, its class-data-sharing archive made beforehand, one
 * etcd member) against Debian's reference plugins doing the same job in the same run ({@code ptp}
 * with {@code host-local} IPAM: a veth into the container, an address, routes). Each round adds one
 * container of each (a fresh namespace each), then deletes both; the order within a round
 * alternates. Also the VERSION answer runtimes ask for before every ADD and DEL. Goal: ADD median
 * at most 300 ms and at most 3 times ptp's.
 *
 * <p>Run with {@code scripts/bench cni} (root): the program runs inside a test "host" namespace, so
 * both plugins put their host ends there, and its etcd listens on that namespace's loopback. {@code
 * -Dbench.runs=N} (through {@code BENCH_JAVA_OPTS}) sets the rounds (default 40). {@code
 * BENCH_REALTIME=1} runs everything under SCHED_FIFO, which takes most of a shared machine's other
 * work out of the wall times; the report names the scheduling.
 */
public final class CniBench {
  private static final int RUNS = Integer.getInteger("bench.runs", 40);
  private static final Path PTP = Path.of("/usr/lib/cni/ptp");
  private static final String VERSION = "{\"cniVersion\":\"1.0.0\"}";

  private CniBench() {}

  public static void main(String[] args) throws Exception {
    if (!Files.isExecutable(CniTestbed.PLUGIN) || !Files.isExecutable(PTP)) {
      throw new IllegalStateException(
          "Needs "
              + CniTestbed.PLUGIN
              + " (mvn package) and "
              + PTP
              + " (containernetworking-plugins)");
    }
    String loadBefore = BenchHost.loadAverage();
    Path dataDir = Files.createTempDirectory("cjt-bench-host-local-");
    List<TestNamespace> ns = new ArrayList<>();
    try (EtcdCluster etcd = EtcdCluster.startSingle()) {
      CniTestbed.addPool(etcd, "10.151.0.0/16");
      String ours =
          "{\"cniVersion\":\"1.0.0\",\"name\":\"cjt-bench\",\"type\":\"calico-cni\","
              + "\"etcd_endpoints\":\""
              + etcd.endpoints()
              + "\",\"nodename\":\"cjt-bench-node\",\"ipam\":{\"type\":\"calico-ipam\"}}";
      String ptp =
          "{\"cniVersion\":\"1.0.0\",\"name\":\"cjt-bench-ptp\",\"type\":\"ptp\","
              + "\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.152.0.0/16\",\"dataDir\":\""
              + dataDir
              + "\"}}";
      for (int i = 0; i < 2 * RUNS + 2; i++) {
        ns.add(TestNamespace.create());
      }
      // Warm-up, untimed: the first ADD makes the launcher's archive if it has none.
      for (int w = 0; w < 2; w++) {
        run(CniTestbed.PLUGIN, "ADD", "warm" + w, ns.get(2 * RUNS), ours);
        run(CniTestbed.PLUGIN, "DEL", "warm" + w, ns.get(2 * RUNS), ours);
      }
      run(PTP, "ADD", "warm", ns.get(2 * RUNS + 1), ptp);
      run(PTP, "DEL", "warm", ns.get(2 * RUNS + 1), ptp);

      long[][] t = new long[6][RUNS]; // calico-cni ADD, DEL, VERSION; ptp ADD, DEL, VERSION
      for (int i = 0; i < RUNS; i++) {
        boolean oursFirst = i % 2 == 0;
        TestNamespace a = ns.get(2 * i);
        TestNamespace b = ns.get(2 * i + 1);
        String id = "bench" + i;
        for (int k = 0; k < 2; k++) {
          if ((k == 0) == oursFirst) {
            t[0][i] = run(CniTestbed.PLUGIN, "ADD", id, a, ours);
          } else {
            t[3][i] = run(PTP, "ADD", id, b, ptp);
          }
        }
        for (int k = 0; k < 2; k++) {
          if ((k == 0) == oursFirst) {
            t[1][i] = run(CniTestbed.PLUGIN, "DEL", id, a, ours);
            t[2][i] = run(CniTestbed.PLUGIN, "VERSION", id, a, VERSION);
          } else {
            t[4][i] = run(PTP, "DEL", id, b, ptp);
            t[5][i] = run(PTP, "VERSION", id, b, VERSION);
          }
        }
      }
      System.out.printf(
          "CniBench: %d rounds, %d cores, JDK %s, %s scheduling; load average %s before, %s"
              + " after%n%n",
          RUNS,
          Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.vm.version"),
          BenchHost.realtime() ? "real-time (SCHED_FIFO)" : "normal",
          loadBefore,
          BenchHost.loadAverage());
      System.out.println(
          "| invocation | calico-cni median ms | p99 | ptp+host-local median ms | p99 | ratio of"
              + " medians |");
      System.out.println("|---|---|---|---|---|---|");
      row("ADD", t[0], t[3]);
      row("DEL", t[1], t[4]);
      row("VERSION", t[2], t[5]);
      double add = ms(BenchStats.median(t[0]));
      double ratio = add / ms(BenchStats.median(t[3]));
      System.out.printf(
          "%nGoal ADD median <= 300 ms: %.1f ms, %s. Goal within 3x of ptp+host-local: %.1fx,"
              + " %s.%n",
          add, add <= 300 ? "met" : "not met", ratio, ratio <= 3 ? "met" : "not met");
    } finally {
      ns.forEach(TestNamespace::close);
      try (Stream<Path> files = Files.walk(dataDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** One invocation that must succeed; its wall time in nanoseconds. */
  private static long run(Path plugin, String command, String id, TestNamespace ns, String config) {
    Map<String, String> env = CniTestbed.cniEnv(command, id, ns.path().toString(), "eth0", "");
    CniTestbed.Invocation i = CniTestbed.exec(plugin, env, config);
    if (i.exit() != 0) {
      throw new IllegalStateException(
          plugin + " " + command + " failed: " + i.stdout() + i.stderr());
    }
    return i.nanos();
  }

  private static void row(String what, long[] ours, long[] ptp) {
    System.out.printf(
        "| %s | %.1f | %.1f | %.1f | %.1f | %.2f |%n",
        what,
        ms(BenchStats.median(ours)),
        ms(BenchStats.p99(ours)),
        ms(BenchStats.median(ptp)),
        ms(BenchStats.p99(ptp)),
        (double) BenchStats.median(ours) / BenchStats.median(ptp));
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }
}
