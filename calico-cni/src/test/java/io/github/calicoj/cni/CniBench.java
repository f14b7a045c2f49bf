package io.github.calicoj.cni;

import io.github.calicoj.testkit.BenchHost;
import io.github.calicoj.testkit.BenchStats;
import io.github.calicoj.testkit.EtcdCluster;
import io.github.calicoj.testkit.TestNamespace;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Wall time of whole CNI plugin invocations, as a runtime pays it: ADD and DEL of {@code
 * calico-cni} (the packaged launcher, one etcd member) in two ways, against Debian's reference
 * plugins doing the same job in the same run ({@code ptp} with {@code host-local} IPAM: a veth into
 * the container, an address, routes):
 *
 * <ul>
 *   <li><b>standalone</b>: the launcher starts a JVM per invocation (its class-data-sharing archive
 *       made beforehand);
 *   <li><b>server</b>: the launcher sends the invocation with curl to a resident {@code calico-cni
 *       serve} (started by this program and warmed up by 100 untimed ADD and DEL pairs, as a server
 *       that has run for a while is: its JIT has compiled the request path).
 * </ul>
 *
 * Each round adds one container of each kind (a fresh namespace each), then deletes the three; the
 * order within a round rotates. Also the VERSION answer runtimes ask for before every ADD and DEL
 * (the launcher answers it in both ways). Goals: ADD median at most 300 ms, and within 3 times
 * ptp's.
 *
 * <p>Run with {@code scripts/bench cni} (root): the program runs inside a test "host" namespace, so
 * every plugin puts its host ends there, and its etcd listens on that namespace's loopback. {@code
 * -Dbench.runs=N} (through {@code BENCH_JAVA_OPTS}) sets the rounds (default 40). {@code
 * BENCH_REALTIME=1} runs everything under SCHED_FIFO, which takes most of a shared machine's other
 * work out of the wall times; the report names the scheduling.
 */
public final class CniBench {
  private static final int RUNS = Integer.getInteger("bench.runs", 40);
  private static final int SERVER_WARMUP = 100;
  private static final Path PTP = Path.of("/usr/lib/cni/ptp");
  private static final String VERSION = "{\"cniVersion\":\"1.0.0\"}";

  /** The ways measured, in the table's order. */
  private enum Way {
    STANDALONE,
    SERVER,
    PTP
  }

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
    Path serverDir = Files.createTempDirectory("cjt-bench-server-");
    Path socket = serverDir.resolve("run/cni.sock");
    List<TestNamespace> ns = new ArrayList<>();
    Process server = null;
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
      server = startServer(socket, serverDir);
      Map<Way, Plugin> plugins =
          Map.of(
              Way.STANDALONE, new Plugin(CniTestbed.PLUGIN, "off", ours),
              Way.SERVER, new Plugin(CniTestbed.PLUGIN, socket.toString(), ours),
              Way.PTP, new Plugin(PTP, "off", ptp));
      int kinds = Way.values().length;
      for (int i = 0; i < kinds * RUNS + kinds; i++) {
        ns.add(TestNamespace.create());
      }
      // Warm-up, untimed: the first standalone ADD makes the launcher's archive if it has none;
      // the server's code gets compiled.
      for (int w = 0; w < 2; w++) {
        plugins.get(Way.STANDALONE).addDel("warm" + w, ns.get(kinds * RUNS));
      }
      for (int w = 0; w < SERVER_WARMUP; w++) {
        plugins.get(Way.SERVER).addDel("warm-s" + w, ns.get(kinds * RUNS + 1));
      }
      plugins.get(Way.PTP).addDel("warm", ns.get(kinds * RUNS + 2));

      long[][][] t = new long[kinds][3][RUNS]; // [way][ADD, DEL, VERSION][round]
      for (int i = 0; i < RUNS; i++) {
        String id = "bench" + i + "-"; // and the way's number: one container per way
        for (int k = 0; k < kinds; k++) {
          Way w = Way.values()[(i + k) % kinds];
          t[w.ordinal()][0][i] =
              plugins.get(w).run("ADD", id + w.ordinal(), ns.get(kinds * i + w.ordinal()));
        }
        for (int k = 0; k < kinds; k++) {
          Way w = Way.values()[(i + k) % kinds];
          TestNamespace n = ns.get(kinds * i + w.ordinal());
          t[w.ordinal()][1][i] = plugins.get(w).run("DEL", id + w.ordinal(), n);
          t[w.ordinal()][2][i] = plugins.get(w).run("VERSION", id + w.ordinal(), n);
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
          "| invocation | standalone median ms | p99 | server median ms | p99 | ptp+host-local"
              + " median ms | p99 | standalone / ptp | server / ptp |");
      System.out.println("|---|---|---|---|---|---|---|---|---|");
      String[] names = {"ADD", "DEL", "VERSION"};
      for (int c = 0; c < 3; c++) {
        row(names[c], t[0][c], t[1][c], t[2][c]);
      }
      double add = ms(BenchStats.median(t[0][0]));
      double addServer = ms(BenchStats.median(t[1][0]));
      double ptpAdd = ms(BenchStats.median(t[2][0]));
      System.out.printf(
          "%nGoal ADD median <= 300 ms: standalone %.1f ms, %s; server %.1f ms, %s.%n"
              + "Goal ADD within 3x of ptp+host-local: standalone %.1fx, %s; server %.1fx, %s.%n",
          add,
          add <= 300 ? "met" : "not met",
          addServer,
          addServer <= 300 ? "met" : "not met",
          add / ptpAdd,
          add / ptpAdd <= 3 ? "met" : "not met",
          addServer / ptpAdd,
          addServer / ptpAdd <= 3 ? "met" : "not met");
    } finally {
      if (server != null) {
        server.destroy();
        if (!server.waitFor(60, TimeUnit.SECONDS)) {
          server.destroyForcibly();
        }
      }
      ns.forEach(TestNamespace::close);
      for (Path d : List.of(dataDir, serverDir)) {
        try (Stream<Path> files = Files.walk(d)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  /** {@code calico-cni serve} on {@code socket}, once it answers (at most 30 s). */
  private static Process startServer(Path socket, Path dir) throws IOException {
    Process p =
        new ProcessBuilder(CniTestbed.PLUGIN.toString(), "serve", "--socket", socket.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("server.out").toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      if (Files.exists(socket)) {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
          return p;
        } catch (IOException e) {
          // not yet
        }
      }
      if (!p.isAlive() || System.nanoTime() > deadline) {
        p.destroyForcibly();
        throw new IllegalStateException(
            "calico-cni serve did not listen on "
                + socket
                + ": "
                + Files.readString(dir.resolve("server.out")));
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * A plugin as a runtime calls it.
   *
   * @param path the executable
   * @param socket {@code CALICOJ_CNI_SOCKET}: the server's socket, or off
   * @param config the network configuration
   */
  private record Plugin(Path path, String socket, String config) {
    /** One invocation that must succeed; its wall time in nanoseconds. */
    long run(String command, String id, TestNamespace ns) {
      Map<String, String> env = CniTestbed.cniEnv(command, id, ns.path().toString(), "eth0", "");
      env.put("CALICOJ_CNI_SOCKET", socket);
      CniTestbed.Invocation i =
          CniTestbed.exec(path, env, command.equals("VERSION") ? VERSION : config);
      if (i.exit() != 0) {
        throw new IllegalStateException(
            path + " " + command + " failed: " + i.stdout() + i.stderr());
      }
      return i.nanos();
    }

    void addDel(String id, TestNamespace ns) {
      run("ADD", id, ns);
      run("DEL", id, ns);
    }
  }

  private static void row(String what, long[] standalone, long[] server, long[] ptp) {
    double base = ms(BenchStats.median(ptp));
    System.out.printf(
        "| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.2f | %.2f |%n",
        what,
        ms(BenchStats.median(standalone)),
        ms(BenchStats.p99(standalone)),
        ms(BenchStats.median(server)),
        ms(BenchStats.p99(server)),
        base,
        ms(BenchStats.p99(ptp)),
        ms(BenchStats.median(standalone)) / base,
        ms(BenchStats.median(server)) / base);
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }
}
