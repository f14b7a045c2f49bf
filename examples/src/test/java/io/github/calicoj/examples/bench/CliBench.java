package io.github.calicoj.examples.bench;

import io.github.calicoj.testkit.EtcdCluster;
import io.github.calicoj.testkit.TestNamespace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Wall time of whole {@code bin/calicoctl container add <netns> ipv4} processes (JVM start
 * included) against one etcd member, with host ends in a test namespace, and its baseline in the
 * same run: a JVM that starts with the launcher's options, prints one line and exits. Rounds
 * interleave the baseline with the default launcher (class-data-sharing archive, etcd's JSON
 * gateway) and the launcher without the archive; then rounds of the baseline and jetcd instead of
 * the gateway (with an archive made for it). Run with {@code scripts/bench cli} (root); {@code
 * -Dbench.runs=N} sets the rounds (default 10). On a shared machine, {@code BENCH_REALTIME=1
 * scripts/bench cli} runs it and every process it starts under real-time scheduling, which takes
 * most of the other work's noise out of the wall times; the report says which scheduling it ran
 * under. {@code scripts/bench cli --module-path} measures the module path instead ({@link
 * ModulePathBench}).
 */
public final class CliBench {
  private static final int RUNS = Integer.getInteger("bench.runs", 10);

  /** The launcher's JVM options (bin/calicoctl), for the baseline JVM. */
  private static final List<String> JVM_OPTIONS =
      List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-Xshare:auto");

  private CliBench() {}

  /** The baseline: a JVM that starts, prints a line and exits. */
  public static final class Hello {
    private Hello() {}

    /** Prints one line. */
    public static void main(String[] args) {
      System.out.println("hello");
    }
  }

  /**
   * Runs the rounds; {@code --module-path} runs {@link ModulePathBench} instead (what the module
   * path would cost the same CLI's start-up).
   */
  public static void main(String[] args) throws Exception {
    if (Arrays.asList(args).contains("--module-path")) {
      ModulePathBench.run();
      return;
    }
    Path launcher = Path.of("bin", "calicoctl").toAbsolutePath();
    Path jsa = Path.of("examples", "target", "calicoctl.jsa");
    List<String> hello = new ArrayList<>(List.of(javaBinary()));
    hello.addAll(JVM_OPTIONS);
    Path helloClasses =
        Path.of(Hello.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    hello.addAll(List.of("-cp", helloClasses.toString(), Hello.class.getName()));
    String loadBefore = loadAverage();
    try (EtcdCluster etcd = EtcdCluster.startSingle();
        TestNamespace host = TestNamespace.createHost("172.31.252.1")) {
      Map<String, String> env =
          Map.of(
              "ETCD_ENDPOINTS", etcd.endpoints(),
              "HOSTNAME", "cjt-bench",
              "CALICO_HOST_NETNS", host.path().toString());
      Map<String, String> noCds = with(env, "CALICOJ_NO_CDS", "1");
      Map<String, String> jetcdEnv = with(env, "CALICOJ_ETCD_CLIENT", "jetcd");
      run(launcher, env, "node", "--ip=172.31.252.1");
      run(launcher, env, "pool", "add", "10.150.0.0/16");
      List<TestNamespace> ns = new ArrayList<>();
      for (int i = 0; i < RUNS; i++) {
        ns.add(TestNamespace.create());
      }
      try {
        // The archive is made by one ordinary run of the same command, then reused.
        makeArchive(jsa, launcher, env, ns.get(0));
        long[][] gateway = rounds(hello, launcher, List.of(env, noCds), ns);
        makeArchive(jsa, launcher, jetcdEnv, ns.get(0));
        long[][] jetcd = rounds(hello, launcher, List.of(jetcdEnv), ns);
        makeArchive(jsa, launcher, env, ns.get(0)); // leave the default archive behind

        long[] baseline = concat(gateway[0], jetcd[0]);
        System.out.printf(
            "CliBench: %d rounds of `calicoctl container add <netns> ipv4`, %d cores, JDK %s,"
                + " %s scheduling; load average %s before, %s after%n%n",
            RUNS,
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.vm.version"),
            realtime() ? "real-time (SCHED_FIFO)" : "normal",
            loadBefore,
            loadAverage());
        System.out.println("| process | median ms | min ms | max ms | median / baseline |");
        System.out.println("|---|---|---|---|---|");
        long base = median(baseline);
        row("baseline: a JVM with the launcher's options that prints a line", baseline, base);
        row("default: AppCDS archive, etcd JSON gateway", gateway[1], base);
        row("without CDS (CALICOJ_NO_CDS=1)", gateway[2], base);
        row("jetcd instead of the gateway (CALICOJ_ETCD_CLIENT=jetcd), with CDS", jetcd[1], base);
        System.out.printf(
            "%nratio without/with CDS: %.2f; jetcd/gateway: %.2f%n",
            (double) median(gateway[2]) / median(gateway[1]),
            (double) median(jetcd[1]) / median(gateway[1]));
      } finally {
        ns.forEach(TestNamespace::close);
      }
    }
  }

  /**
   * {@code RUNS} rounds; each runs the baseline, then {@code container add} (and an untimed remove)
   * once per environment. Returns the baseline's times, then each environment's.
   */
  private static long[][] rounds(
      List<String> baseline, Path launcher, List<Map<String, String>> envs, List<TestNamespace> ns)
      throws Exception {
    long[][] t = new long[envs.size() + 1][RUNS];
    for (int i = 0; i < RUNS; i++) {
      long s = System.nanoTime();
      exec(baseline, Map.of());
      t[0][i] = System.nanoTime() - s;
      String path = ns.get(i).path().toString();
      for (int e = 0; e < envs.size(); e++) {
        s = System.nanoTime();
        run(launcher, envs.get(e), "container", "add", path, "ipv4");
        t[e + 1][i] = System.nanoTime() - s;
        run(launcher, envs.get(e), "container", "remove", path);
      }
    }
    return t;
  }

  private static void makeArchive(
      Path jsa, Path launcher, Map<String, String> env, TestNamespace ns) throws Exception {
    Files.deleteIfExists(jsa);
    run(launcher, env, "container", "add", ns.path().toString(), "ipv4");
    run(launcher, env, "container", "remove", ns.path().toString());
  }

  private static void run(Path launcher, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
    cmd.addAll(List.of(args));
    exec(cmd, env);
  }

  private static void exec(List<String> cmd, Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
    }
  }

  private static Map<String, String> with(Map<String, String> env, String name, String value) {
    Map<String, String> m = new HashMap<>(env);
    m.put(name, value);
    return m;
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String loadAverage() throws IOException {
    String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
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

  private static long[] concat(long[] a, long[] b) {
    long[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  /** The median in milliseconds of times in nanoseconds. */
  static long median(long[] xs) {
    long[] s = xs.clone();
    Arrays.sort(s);
    return s[s.length / 2] / 1_000_000;
  }

  /**
   * A table row: median, min and max in milliseconds, and the median's ratio to {@code baseline}.
   */
  static void row(String what, long[] xs, long baseline) {
    System.out.printf(
        "| %s | %d | %d | %d | %.2f |%n",
        what,
        median(xs),
        Arrays.stream(xs).min().orElse(0) / 1_000_000,
        Arrays.stream(xs).max().orElse(0) / 1_000_000,
        (double) median(xs) / baseline);
  }
}
