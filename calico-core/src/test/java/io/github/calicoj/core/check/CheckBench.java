package io.github.calicoj.core.check;

import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.etcd.EtcdGatewayDatastore;
import io.github.calicoj.datastore.jetcd.EtcdDatastore;
import io.github.calicoj.testkit.BenchStats;
import io.github.calicoj.testkit.EtcdCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code ipam check} at scale: 3,000 endpoints and allocations across 4 simulated hosts with 30
 * planted leaks, in one etcd member the bench starts. Each round times the floor (the three list
 * calls the check makes, their values left unparsed) and then a whole check of every host (no
 * dataplane: the hosts are simulated), through the gateway client the CLI uses and through jetcd;
 * the first check of each client, in a fresh client, is reported too. Goal: a check within 2 s. Run
 * with {@code scripts/bench lifecycle}; {@code -Dbench.rounds=N} (default 30).
 */
public final class CheckBench {
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 30);
  private static final int WARMUP = 10;
  private static final int COLD = 5;
  private static final List<String> HOSTS = List.of("sim-0", "sim-1", "sim-2", "sim-3");

  private CheckBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 2 && args[0].startsWith("http")) {
      cold(args[0], args[1]);
      return;
    }
    try (EtcdCluster etcd = EtcdCluster.startSingle()) {
      try (Datastore writer = jetcd(etcd)) {
        ScaleCluster.write(writer, HOSTS, 750);
      }
      System.out.printf(
          "CheckBench: etcd %s, 4 hosts x 750 endpoints + 30 leaks, %d rounds, %d cores, JDK %s,"
              + " load average %s%n",
          etcd.endpoints(),
          ROUNDS,
          Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.vm.version"),
          load());
      System.out.println();
      System.out.println(
          "| client | fresh JVM median (max) ms | warm median ms | warm p99 ms | floor median ms"
              + " | ratio warm/floor |");
      System.out.println("|---|---|---|---|---|---|");
      for (String name : List.of("gateway", "jetcd")) {
        long[] cold = new long[COLD];
        for (int i = 0; i < COLD; i++) {
          cold[i] = child(etcd.endpoints(), name);
        }
        try (Datastore ds = name.equals("gateway") ? gateway(etcd) : jetcd(etcd)) {
          run(name, ds, cold);
        }
      }
      System.out.printf("%nload average after: %s%n", load());
    }
  }

  private static void run(String name, Datastore ds, long[] cold) {
    IpamChecker checker = IpamChecker.builder(ds, HOSTS.get(0)).build();
    CheckOptions all = CheckOptions.builder().allHosts(true).dataplane(false).build();
    for (int i = 0; i < WARMUP; i++) {
      floor(ds);
      timeCheck(checker, all);
    }
    long[] floor = new long[ROUNDS];
    long[] check = new long[ROUNDS];
    for (int i = 0; i < ROUNDS; i++) {
      floor[i] = floor(ds);
      check[i] = timeCheck(checker, all);
    }
    double med = BenchStats.median(check) / 1e6;
    double floorMed = BenchStats.median(floor) / 1e6;
    long coldMax = java.util.Arrays.stream(cold).max().orElse(0);
    System.out.printf(
        "| %s | %.0f (%.0f) | %.1f | %.1f | %.1f | %.2f |%n",
        name,
        BenchStats.median(cold) / 1e6,
        coldMax / 1e6,
        med,
        BenchStats.p99(check) / 1e6,
        floorMed,
        med / floorMed);
    System.out.printf(
        "  goal (check <= 2 s at 3,000 endpoints): %s%n",
        BenchStats.p99(check) <= 2_000_000_000L && coldMax <= 2_000_000_000L ? "met" : "NOT met");
  }

  /** Runs one check in a child JVM and returns its time, as the child measured it. */
  private static long child(String endpoints, String client) throws Exception {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                CheckBench.class.getName(),
                endpoints,
                client)
            .redirectErrorStream(true)
            .start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (!p.waitFor(5, java.util.concurrent.TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException("child check failed: " + out);
    }
    for (String line : out.split("\n")) {
      if (line.startsWith("cold ")) {
        return Long.parseLong(line.substring(5).trim());
      }
    }
    throw new IllegalStateException("child printed no time: " + out);
  }

  /** The child: one check in this fresh JVM, timed from building the client. */
  private static void cold(String endpoints, String client) {
    long t = System.nanoTime();
    try (Datastore ds =
        client.equals("gateway")
            ? EtcdGatewayDatastore.builder()
                .endpoints(endpoints)
                .requestTimeout(Duration.ofSeconds(30))
                .build()
            : EtcdDatastore.builder()
                .endpoints(endpoints)
                .requestTimeout(Duration.ofSeconds(30))
                .build()) {
      timeCheck(
          IpamChecker.builder(ds, HOSTS.get(0)).build(),
          CheckOptions.builder().allHosts(true).dataplane(false).build());
    }
    System.out.println("cold " + (System.nanoTime() - t));
  }

  /** One check; fails if it does not find exactly the planted leaks' count. */
  private static long timeCheck(IpamChecker checker, CheckOptions options) {
    long t = System.nanoTime();
    int found = checker.check(options).findings().size();
    long took = System.nanoTime() - t;
    if (found != ScaleCluster.LEAKS) {
      throw new IllegalStateException("found " + found + ", not " + ScaleCluster.LEAKS);
    }
    return took;
  }

  /** The reads a check cannot avoid: its three list calls. */
  private static long floor(Datastore ds) {
    long t = System.nanoTime();
    int n = ds.list(CalicoKeys.CALICOJ).size();
    n += ds.list(CalicoKeys.IPAM).size();
    n += ds.list(CalicoKeys.HOSTS).size();
    long took = System.nanoTime() - t;
    if (n < 9000) {
      throw new IllegalStateException("only " + n + " keys listed");
    }
    return took;
  }

  private static Datastore gateway(EtcdCluster etcd) {
    return EtcdGatewayDatastore.builder()
        .endpoints(etcd.endpoints())
        .requestTimeout(Duration.ofSeconds(30))
        .build();
  }

  private static Datastore jetcd(EtcdCluster etcd) {
    return EtcdDatastore.builder()
        .endpoints(etcd.endpoints())
        .requestTimeout(Duration.ofSeconds(30))
        .build();
  }

  private static String load() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }
}
