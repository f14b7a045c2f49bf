package io.github.calicoj.examples.bench;

import io.github.calicoj.testkit.EtcdCluster;
import io.github.calicoj.testkit.TestNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Wall time of whole {@code bin/calicoctl container add <netns> ipv4} processes (JVM start
 * included) against one etcd member: the default (class-data-sharing archive, etcd's JSON gateway)
 * and, in the same run, without the archive, and with jetcd instead of the gateway (with an archive
 * made for it). Run with {@code scripts/bench cli} (root).
 */
public final class CliBench {
  private static final int RUNS = Integer.getInteger("bench.runs", 10);

  private CliBench() {}

  public static void main(String[] args) throws Exception {
    Path launcher = Path.of("bin", "calicoctl").toAbsolutePath();
    Path jsa = Path.of("examples", "target", "calicoctl.jsa");
    try (EtcdCluster etcd = EtcdCluster.startSingle();
        TestNamespace host = TestNamespace.createHost("172.31.252.1")) {
      Map<String, String> env =
          Map.of(
              "ETCD_ENDPOINTS", etcd.endpoints(),
              "HOSTNAME", "cjt-bench",
              "CALICO_HOST_NETNS", host.path().toString());
      run(launcher, env, false, "node", "--ip=172.31.252.1");
      run(launcher, env, false, "pool", "add", "10.150.0.0/16");
      List<TestNamespace> ns = new ArrayList<>();
      for (int i = 0; i < RUNS; i++) {
        ns.add(TestNamespace.create());
      }
      try {
        // The archive is made by one ordinary run of the same command, then reused.
        Files.deleteIfExists(jsa);
        run(launcher, env, false, "container", "add", ns.get(0).path().toString(), "ipv4");
        run(launcher, env, false, "container", "remove", ns.get(0).path().toString());
        long[] cds = series(launcher, env, ns, false);
        long[] plain = series(launcher, env, ns, true);
        // jetcd, with an archive made by a jetcd run; then the default archive again.
        Map<String, String> jetcdEnv = new java.util.HashMap<>(env);
        jetcdEnv.put("CALICOJ_ETCD_CLIENT", "jetcd");
        Files.deleteIfExists(jsa);
        run(launcher, jetcdEnv, false, "container", "add", ns.get(0).path().toString(), "ipv4");
        run(launcher, jetcdEnv, false, "container", "remove", ns.get(0).path().toString());
        long[] jetcd = series(launcher, jetcdEnv, ns, false);
        Files.deleteIfExists(jsa);
        run(launcher, env, false, "container", "add", ns.get(0).path().toString(), "ipv4");
        run(launcher, env, false, "container", "remove", ns.get(0).path().toString());
        System.out.printf(
            "CliBench: %d runs of `calicoctl container add <netns> ipv4`, %d cores, JDK %s%n%n",
            RUNS,
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.vm.version"));
        System.out.println("| launcher | median ms | min ms | max ms |");
        System.out.println("|---|---|---|---|");
        row("default: AppCDS archive, etcd JSON gateway", cds);
        row("without CDS (CALICOJ_NO_CDS=1)", plain);
        row("jetcd instead of the gateway (CALICOJ_ETCD_CLIENT=jetcd), with CDS", jetcd);
        System.out.printf("%nratio without/with CDS: %.2f%n", (double) median(plain) / median(cds));
        System.out.printf("ratio jetcd/gateway: %.2f%n", (double) median(jetcd) / median(cds));
      } finally {
        ns.forEach(TestNamespace::close);
      }
    }
  }

  private static long[] series(
      Path launcher, Map<String, String> env, List<TestNamespace> ns, boolean noCds)
      throws Exception {
    long[] t = new long[ns.size()];
    for (int i = 0; i < ns.size(); i++) {
      long s = System.nanoTime();
      run(launcher, env, noCds, "container", "add", ns.get(i).path().toString(), "ipv4");
      t[i] = System.nanoTime() - s;
      run(launcher, env, noCds, "container", "remove", ns.get(i).path().toString());
    }
    return t;
  }

  private static void run(Path launcher, Map<String, String> env, boolean noCds, String... args)
      throws Exception {
    List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    if (noCds) {
      pb.environment().put("CALICOJ_NO_CDS", "1");
    }
    Process p = pb.start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("calicoctl " + String.join(" ", args) + " failed: " + out);
    }
  }

  private static long median(long[] xs) {
    long[] s = xs.clone();
    Arrays.sort(s);
    return s[s.length / 2] / 1_000_000;
  }

  private static void row(String what, long[] xs) {
    System.out.printf(
        "| %s | %d | %d | %d |%n",
        what,
        median(xs),
        Arrays.stream(xs).min().orElse(0) / 1_000_000,
        Arrays.stream(xs).max().orElse(0) / 1_000_000);
  }
}
