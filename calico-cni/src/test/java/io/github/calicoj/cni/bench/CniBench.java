package io.github.calicoj.cni.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.github.calicoj.testkit.BenchStats;
import io.github.calicoj.testkit.EtcdCluster;
import io.github.calicoj.testkit.TestNamespace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Wall time of whole CNI plugin invocations (JVM start included), as a runtime pays it: ADD and DEL
 * of {@code calico-cni} (the packaged launcher, its class-data-sharing archive made beforehand, one
 * etcd member) against Debian's reference plugins doing the same job in the same run ({@code ptp}
 * with {@code host-local} IPAM: a veth into the container, an address, routes). Each round adds one
 * container of each (a fresh namespace each), then deletes both; the order within a round
 * alternates. Also the VERSION answer runtimes ask before every ADD and DEL. Goal: ADD median at
 * most 300 ms and at most 3 times ptp's.
 *
 * <p>Run with {@code scripts/bench cni} (root): the program runs inside a test "host" namespace, so
 * both plugins put their host ends there, and its etcd listens on that namespace's loopback. {@code
 * -Dbench.runs=N} sets the rounds (default 40). {@code BENCH_REALTIME=1} runs everything under
 * SCHED_FIFO, which takes most of a shared machine's other work out of the wall times; the report
 * names the scheduling.
 */
public final class CniBench {
  private static final int RUNS = Integer.getInteger("bench.runs", 40);
  private static final Path PLUGIN = Path.of("calico-cni", "target", "calico-cni").toAbsolutePath();
  private static final Path PTP = Path.of("/usr/lib/cni/ptp");

  private CniBench() {}

  public static void main(String[] args) throws Exception {
    if (!Files.isExecutable(PLUGIN) || !Files.isExecutable(PTP)) {
      throw new IllegalStateException(
          "Needs " + PLUGIN + " (mvn package) and " + PTP + " (containernetworking-plugins)");
    }
    String loadBefore = loadAverage();
    Path dataDir = Files.createTempDirectory("cjt-bench-host-local-");
    List<TestNamespace> ns = new ArrayList<>();
    try (EtcdCluster etcd = EtcdCluster.startSingle()) {
      etcd.etcdctl("put", "/calico/v1/ipam/v4/pool/10.151.0.0-16", "{\"cidr\": \"10.151.0.0/16\"}");
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
        invoke(PLUGIN, "ADD", "warm" + w, ns.get(2 * RUNS), ours);
        invoke(PLUGIN, "DEL", "warm" + w, ns.get(2 * RUNS), ours);
      }
      invoke(PTP, "ADD", "warm", ns.get(2 * RUNS + 1), ptp);
      invoke(PTP, "DEL", "warm", ns.get(2 * RUNS + 1), ptp);

      long[][] t = new long[6][RUNS]; // ours ADD, DEL, VERSION; ptp ADD, DEL, VERSION
      for (int i = 0; i < RUNS; i++) {
        boolean oursFirst = i % 2 == 0;
        TestNamespace a = ns.get(2 * i);
        TestNamespace b = ns.get(2 * i + 1);
        String id = "bench" + i;
        for (int k = 0; k < 2; k++) {
          if ((k == 0) == oursFirst) {
            t[0][i] = invoke(PLUGIN, "ADD", id, a, ours);
          } else {
            t[3][i] = invoke(PTP, "ADD", id, b, ptp);
          }
        }
        for (int k = 0; k < 2; k++) {
          if ((k == 0) == oursFirst) {
            t[1][i] = invoke(PLUGIN, "DEL", id, a, ours);
            t[2][i] = invoke(PLUGIN, "VERSION", id, a, "{\"cniVersion\":\"1.0.0\"}");
          } else {
            t[4][i] = invoke(PTP, "DEL", id, b, ptp);
            t[5][i] = invoke(PTP, "VERSION", id, b, "{\"cniVersion\":\"1.0.0\"}");
          }
        }
      }
      System.out.printf(
          "CniBench: %d rounds, %d cores, JDK %s, %s scheduling; load average %s before, %s"
              + " after%n%n",
          RUNS,
          Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.vm.version"),
          realtime() ? "real-time (SCHED_FIFO)" : "normal",
          loadBefore,
          loadAverage());
      System.out.println(
          "| invocation | calico-cni median ms | p99 | ptp+host-local median ms | p99 | ratio of medians |");
      System.out.println("|---|---|---|---|---|---|");
      row("ADD", t[0], t[3]);
      row("DEL", t[1], t[4]);
      row("VERSION", t[2], t[5]);
      double add = ms(BenchStats.median(t[0]));
      double ratio = add / ms(BenchStats.median(t[3]));
      System.out.printf(
          "%nGoal ADD median <= 300 ms: %.1f ms, %s. Goal within 3x of ptp+host-local: %.1fx, %s.%n",
          add, add <= 300 ? "met" : "not met", ratio, ratio <= 3 ? "met" : "not met");
    } finally {
      ns.forEach(TestNamespace::close);
      try (Stream<Path> files = Files.walk(dataDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Runs one plugin invocation as a runtime does; returns its wall time in nanoseconds. */
  private static long invoke(
      Path plugin, String command, String id, TestNamespace ns, String config) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(plugin.toString());
    pb.environment().put("CNI_COMMAND", command);
    pb.environment().put("CNI_CONTAINERID", id);
    pb.environment().put("CNI_NETNS", ns.path().toString());
    pb.environment().put("CNI_IFNAME", "eth0");
    pb.environment().put("CNI_PATH", PLUGIN.getParent() + ":/usr/lib/cni");
    long start = System.nanoTime();
    Process p = pb.start();
    CompletableFuture<byte[]> err =
        CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
    try (OutputStream in = p.getOutputStream()) {
      in.write(config.getBytes(UTF_8));
    } catch (IOException e) {
      // the launcher answers VERSION without reading stdin; the exit status tells the rest
    }
    byte[] out = readAll(p.getInputStream());
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(plugin + " " + command + " did not finish in 60 s");
    }
    long took = System.nanoTime() - start;
    if (p.exitValue() != 0) {
      throw new IllegalStateException(
          plugin
              + " "
              + command
              + " failed: "
              + new String(out, UTF_8)
              + new String(err.get(10, TimeUnit.SECONDS), UTF_8));
    }
    return took;
  }

  private static byte[] readAll(InputStream in) {
    try (in) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
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

  private static String loadAverage() throws IOException {
    String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ", -1);
    return f[0] + " " + f[1] + " " + f[2];
  }

  /** Whether this process runs under SCHED_FIFO ({@code chrt -f}), as its children then do. */
  private static boolean realtime() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/sched"))) {
      if (line.startsWith("policy")) {
        return line.strip().endsWith(" 1");
      }
    }
    return false;
  }
}
