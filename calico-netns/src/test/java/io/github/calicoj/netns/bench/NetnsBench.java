package io.github.calicoj.netns.bench;

import static io.github.calicoj.testkit.BenchStats.median;
import static io.github.calicoj.testkit.BenchStats.p99;

import io.github.calicoj.netns.CaliLinkConfig;
import io.github.calicoj.netns.InterfaceName;
import io.github.calicoj.netns.IpPrefix;
import io.github.calicoj.netns.Link;
import io.github.calicoj.netns.MacAddress;
import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.Netlink;
import io.github.calicoj.netns.Route;
import io.github.calicoj.netns.VethOptions;
import io.github.calicoj.netns.internal.Namespaces;
import io.github.calicoj.testkit.Processes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The add-workload sequence through calico-netns against two baselines measured in the same run:
 * the raw-netlink C floor ({@code nlbench oneshot}, the same steps with no library at all) and the
 * reference's {@code ip netns exec} sequence. The add is measured two ways: one call per step
 * ({@code setUp}, {@code addAddress}, two {@code addRoute}, {@code link}), and batched ({@code
 * link}, then {@code configureInterface}: up, address and routes in one datagram). Also the host
 * side of a cali link ({@code configureCaliLink} against {@code /proc/sys} writes behind a
 * namespace switch, and again with a thousand more links present), a per-step breakdown, and
 * teardown one at a time and in bulk.
 *
 * <p>Run it with {@code scripts/bench netns}, which builds {@code nlbench} into a temporary
 * directory (system property {@code bench.nlbench}; without it the C floor is skipped) and starts
 * this program inside a test "host" namespace ({@code ip netns exec cjt-bench-host}), so host ends
 * never touch the real host. Each workload has its own namespace {@code cjtbn<i>}, made before
 * timing starts. Each round runs every variant, in a rotating order, so that all see the same
 * machine load.
 */
public final class NetnsBench {
  private static final int N = Integer.getInteger("bench.workloads", 200);
  private static final int WARMUP_ROUNDS = Integer.getInteger("bench.warmupRounds", 5);
  private static final int MEASURED_ROUNDS = Integer.getInteger("bench.rounds", 4);
  private static final String NLBENCH = System.getProperty("bench.nlbench", "");
  private static final InetAddress GW = addr("169.254.1.1");
  private static final InterfaceName ETH0 = InterfaceName.of("eth0");

  /** How many extra links make the host crowded, for the host side's cost at scale. */
  private static final int CROWD = 1000;

  /** nlbench's own per-step means of its latest round, {@code STEPS=1}. */
  private static final Map<String, String> cSteps = new LinkedHashMap<>();

  private NetnsBench() {}

  public static void main(String[] args) throws Exception {
    System.out.printf(
        "NetnsBench: %d workloads, %d warm-up and %d measured rounds, %d cores, kernel %s, JDK %s,"
            + " load average %s%n",
        N,
        WARMUP_ROUNDS,
        MEASURED_ROUNDS,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("os.version"),
        System.getProperty("java.vm.version"),
        Files.readString(Path.of("/proc/loadavg")).trim());
    List<String> names = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      names.add("cjtbn" + i);
      sh("ip", "netns", "add", names.get(i));
    }
    Path nsDir = Files.createTempDirectory("cjt-nlbench-ns");
    try (Netlink host = Netlink.open();
        NetNs hostNs = NetNs.current()) {
      for (int i = 0; i < N; i++) { // nlbench opens NSDIR/bxns<i>
        Files.createSymbolicLink(
            nsDir.resolve("bxns" + i), Path.of("/var/run/netns", names.get(i)));
      }
      // Warm-up, not measured: JIT-compile the whole path, as in a long-running agent.
      List<Double> warmMedians = new ArrayList<>();
      for (int round = 0; round < WARMUP_ROUNDS; round++) {
        warmMedians.add(median(javaRound(host, names, round % 2 == 0)) / 1e3);
        hostSide(host, hostNs, new long[N], new long[N]);
        host.deleteLinks(hostNames("o"));
        settle();
      }
      System.out.println("warm-up round medians (µs): " + warmMedians);

      // Each round runs the C floor and both ways through calico-netns, in a rotating order, so
      // that all see the same machine load; each cleans up after itself.
      boolean haveFloor = !NLBENCH.isEmpty();
      List<String> variants = new ArrayList<>(List.of("calls", "batched"));
      if (haveFloor) {
        variants.add("C");
      }
      Map<String, long[]> all = new LinkedHashMap<>();
      variants.forEach(v -> all.put(v, new long[N * MEASURED_ROUNDS]));
      long[] switched = new long[N * MEASURED_ROUNDS];
      long[] netlink = new long[N * MEASURED_ROUNDS];
      List<String> rounds = new ArrayList<>();
      for (int round = 0; round < MEASURED_ROUNDS; round++) {
        Map<String, Long> medians = new LinkedHashMap<>();
        for (int k = 0; k < variants.size(); k++) {
          String v = variants.get((round + k) % variants.size());
          long[] t;
          if (v.equals("C")) {
            t = cRound(host, nsDir);
          } else {
            t = javaRound(host, names, v.equals("batched"));
            if (v.equals("batched")) {
              long[] sw = new long[N];
              long[] nl = new long[N];
              hostSide(host, hostNs, sw, nl);
              System.arraycopy(sw, 0, switched, round * N, N);
              System.arraycopy(nl, 0, netlink, round * N, N);
            }
            host.deleteLinks(hostNames("o"));
            settle();
          }
          System.arraycopy(t, 0, all.get(v), round * N, N);
          medians.put(v, median(t));
        }
        StringBuilder r = new StringBuilder();
        medians.forEach((v, m) -> r.append(String.format("%s %.0f ", v, m / 1e3)));
        if (haveFloor) {
          r.append(
              String.format(
                  "(batched/C %.2fx, calls/C %.2fx)",
                  (double) medians.get("batched") / medians.get("C"),
                  (double) medians.get("calls") / medians.get("C")));
        }
        rounds.add(r.toString().trim());
      }
      System.out.println("measured rounds, medians (µs):");
      rounds.forEach(r -> System.out.println("  " + r));
      System.out.println("C floor step means (µs), last round: " + cSteps);
      stepRound(host, names);
      long[] ours = all.get("batched");
      long[] calls = all.get("calls");
      long[] floor = haveFloor ? all.get("C") : new long[0];

      long[] oursDelOne = new long[N / 2];
      for (int i = 0; i < N / 2; i++) {
        long t0 = System.nanoTime();
        host.deleteLink(hostName("o", i));
        oursDelOne[i] = System.nanoTime() - t0;
      }
      List<InterfaceName> rest = hostNames("o").subList(N / 2, N);
      long t0 = System.nanoTime();
      int deleted = host.deleteLinks(rest);
      long oursBulk = System.nanoTime() - t0;
      if (deleted != rest.size()) {
        throw new IllegalStateException("bulk delete removed " + deleted + " of " + rest.size());
      }

      long[] ip = new long[N];
      for (int i = 0; i < N; i++) {
        long s = System.nanoTime();
        ipSequence(names.get(i), i);
        ip[i] = System.nanoTime() - s;
      }
      long[] ipDel = new long[N / 2];
      for (int i = 0; i < N / 2; i++) {
        long s = System.nanoTime();
        sh("ip", "link", "del", hostName("i", i).value());
        ipDel[i] = System.nanoTime() - s;
      }
      host.deleteLinks(hostNames("i").subList(N / 2, N));
      long[] crowded = hostSideCrowded(host);

      System.out.println();
      System.out.println("| measurement (µs per workload) | median | p99 |");
      System.out.println("|---|---|---|");
      row("calico-netns add, batched (createVeth, link, configureInterface)", ours);
      row("calico-netns add, one call per step (setUp, addAddress, 2 addRoute, link)", calls);
      if (haveFloor) {
        row("C floor, nlbench oneshot (same steps, raw netlink)", floor);
      }
      row("ip netns exec sequence (reference)", ip);
      row("host side, /proc/sys writes behind a namespace switch", switched);
      row("host side, Netlink.configureCaliLink", netlink);
      row("host side, Netlink.configureCaliLink, " + CROWD + " more veth pairs present", crowded);
      row("calico-netns delete, one at a time", oursDelOne);
      row("ip link del, one at a time", ipDel);
      System.out.printf(
          "| calico-netns bulk delete (%d links, one group) | %.1f amortized | |%n",
          rest.size(), oursBulk / 1e3 / rest.size());
      System.out.println();
      if (haveFloor) {
        System.out.printf(
            "ratio calico-netns/C floor (median add): batched %.2fx, one call per step %.2fx%n",
            (double) median(ours) / median(floor), (double) median(calls) / median(floor));
      } else {
        System.out.println("C floor skipped: no -Dbench.nlbench");
      }
      System.out.printf(
          "ratio ip/calico-netns (median add): %.1fx%n", (double) median(ip) / median(ours));
      System.out.printf(
          "ratio switched sysctls/configureCaliLink (median host side): %.1fx%n",
          (double) median(switched) / median(netlink));
      System.out.printf(
          "ratio configureCaliLink with %d more veth pairs / without: %.2fx%n",
          CROWD, (double) median(crowded) / median(netlink));
    } finally {
      for (String n : names) {
        Processes.runForResult(List.of("ip", "netns", "del", n), Duration.ofSeconds(10));
      }
      try (var files = Files.list(nsDir)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          Files.delete(p);
        }
      }
      Files.delete(nsDir);
    }
  }

  /** One round of N adds through calico-netns; returns each add's time. */
  private static long[] javaRound(Netlink host, List<String> names, boolean batched) {
    long[] times = new long[N];
    for (int i = 0; i < N; i++) {
      long t0 = System.nanoTime();
      if (batched) {
        addWorkloadBatched(host, names.get(i), i);
      } else {
        addWorkload(host, names.get(i), i);
      }
      times[i] = System.nanoTime() - t0;
    }
    return times;
  }

  /** The same add with {@link Netlink#configureInterface}: up, address and routes at once. */
  private static void addWorkloadBatched(Netlink host, String ns, int i) {
    try (NetNs w = NetNs.open(Path.of("/var/run/netns", ns));
        Netlink in = Netlink.openIn(w)) {
      host.createVeth(
          hostName("o", i), ETH0, w, VethOptions.DEFAULT.withHostMac(MacAddress.CALICO_HOST));
      Link eth0 = in.link(ETH0);
      if (eth0.mac().equals(MacAddress.ZERO)) {
        throw new IllegalStateException("no MAC");
      }
      in.configureInterface(
          eth0,
          List.of(IpPrefix.parse(ip(i) + "/32")),
          List.of(Route.onLink(GW, ETH0), Route.defaultVia(GW, ETH0)));
    }
  }

  private static void addWorkload(Netlink host, String ns, int i) {
    try (NetNs w = NetNs.open(Path.of("/var/run/netns", ns));
        Netlink in = Netlink.openIn(w)) {
      host.createVeth(
          hostName("o", i), ETH0, w, VethOptions.DEFAULT.withHostMac(MacAddress.CALICO_HOST));
      in.setUp(ETH0);
      in.addAddress(ETH0, IpPrefix.parse(ip(i) + "/32"));
      in.addRoute(Route.onLink(GW, ETH0));
      in.addRoute(Route.defaultVia(GW, ETH0));
      if (in.link(ETH0).mac().equals(MacAddress.ZERO)) {
        throw new IllegalStateException("no MAC");
      }
    }
  }

  /**
   * One more round of adds (after the measured ones, whose links it deletes first), with each step
   * timed on its own: where an add's time goes.
   */
  private static void stepRound(Netlink host, List<String> names) {
    String[] steps = {
      "open ns",
      "socket in ns",
      "veth",
      "up",
      "address",
      "on-link route",
      "default route",
      "MAC",
      "close"
    };
    long[][] t = new long[steps.length][N];
    for (int i = 0; i < N; i++) {
      long t0 = System.nanoTime();
      NetNs w = NetNs.open(Path.of("/var/run/netns", names.get(i)));
      long t1 = System.nanoTime();
      Netlink in = Netlink.openIn(w);
      long t2 = System.nanoTime();
      host.createVeth(
          hostName("o", i), ETH0, w, VethOptions.DEFAULT.withHostMac(MacAddress.CALICO_HOST));
      long t3 = System.nanoTime();
      in.setUp(ETH0);
      long t4 = System.nanoTime();
      in.addAddress(ETH0, IpPrefix.parse(ip(i) + "/32"));
      long t5 = System.nanoTime();
      in.addRoute(Route.onLink(GW, ETH0));
      long t6 = System.nanoTime();
      in.addRoute(Route.defaultVia(GW, ETH0));
      long t7 = System.nanoTime();
      in.link(ETH0).mac();
      long t8 = System.nanoTime();
      in.close();
      w.close();
      long t9 = System.nanoTime();
      long[] marks = {t0, t1, t2, t3, t4, t5, t6, t7, t8, t9};
      for (int k = 0; k < steps.length; k++) {
        t[k][i] = marks[k + 1] - marks[k];
      }
    }
    StringBuilder out = new StringBuilder("calico-netns step medians (µs):");
    for (int k = 0; k < steps.length; k++) {
      out.append(String.format(" %s %.1f;", steps[k], median(t[k]) / 1e3));
    }
    System.out.println(out);
  }

  /**
   * Calico's IPv4 host side of each host end, two ways in alternating order: the three {@code
   * /proc/sys} writes behind one switch into the namespace (what a caller whose thread is not in
   * the host namespace pays for file writes), and {@link Netlink#configureCaliLink} of the link as
   * {@link Netlink#createVeth} returned it.
   */
  private static void hostSide(Netlink host, NetNs hostNs, long[] switched, long[] netlink) {
    for (int i = 0; i < N; i++) {
      InterfaceName cali = hostName("o", i);
      Link link = host.link(cali); // as createVeth returned it; not timed
      Map<String, String> files = new LinkedHashMap<>();
      files.put("/proc/sys/net/ipv4/conf/" + cali + "/proxy_arp", "1");
      files.put("/proc/sys/net/ipv4/neigh/" + cali + "/proxy_delay", "0");
      files.put("/proc/sys/net/ipv4/conf/" + cali + "/forwarding", "1");
      for (int k = 0; k < 2; k++) {
        long t0 = System.nanoTime();
        if ((i + k) % 2 == 0) {
          Namespaces.callOnSwitcher(hostNs.fd(), "bench", () -> writeFiles(files));
          switched[i] = System.nanoTime() - t0;
        } else {
          host.configureCaliLink(link, CaliLinkConfig.IPV4);
          netlink[i] = System.nanoTime() - t0;
        }
      }
    }
  }

  /**
   * {@link Netlink#configureCaliLink} of {@value #CROWD} veths' host ends (both ends here, up, each
   * with IPv6's link-local routes), made for this and deleted after it, {@code N} calls: the
   * setting must cost the same on a crowded host.
   */
  private static long[] hostSideCrowded(Netlink host) throws IOException {
    StringBuilder batch = new StringBuilder();
    for (int i = 0; i < CROWD; i++) {
      batch.append(String.format("link add cjtx%d type veth peer name cjty%d%n", i, i));
      batch.append(String.format("link set cjtx%d up%nlink set cjty%d up%n", i, i));
    }
    Path file = Files.createTempFile("cjt-netnsbench", ".batch");
    List<InterfaceName> made = new ArrayList<>();
    for (int i = 0; i < CROWD; i++) {
      made.add(InterfaceName.of("cjtx" + i));
    }
    try {
      Files.writeString(file, batch.toString(), StandardCharsets.US_ASCII);
      sh("ip", "-batch", file.toString());
      long[] t = new long[N];
      for (int i = 0; i < N; i++) {
        Link link = host.link(made.get(i % CROWD)); // not timed
        long t0 = System.nanoTime();
        host.configureCaliLink(link, CaliLinkConfig.IPV4);
        t[i] = System.nanoTime() - t0;
      }
      return t;
    } finally {
      host.deleteLinks(made);
      Files.deleteIfExists(file);
    }
  }

  private static int writeFiles(Map<String, String> files) throws IOException {
    for (Map.Entry<String, String> f : files.entrySet()) {
      Files.writeString(Path.of(f.getKey()), f.getValue(), StandardCharsets.US_ASCII);
    }
    return files.size();
  }

  /**
   * One round of {@code nlbench oneshot 0 N}: the same steps in C over raw netlink, timed by the C
   * program itself per workload; its host ends ({@code bxh<i>}) are removed afterwards.
   */
  private static long[] cRound(Netlink host, Path nsDir) throws InterruptedException {
    String out =
        Processes.run(
            List.of(
                "env", "STEPS=1", NLBENCH, "oneshot", "0", Integer.toString(N), nsDir.toString()),
            Duration.ofMinutes(2));
    long[] times = new long[N];
    int seen = 0;
    for (String line : out.split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length == 2 && f[0].matches("\\d+")) {
        times[Integer.parseInt(f[0])] = Math.round(Double.parseDouble(f[1]) * 1000);
        seen++;
      }
    }
    cSteps.clear();
    for (String line : out.split("\n")) {
      Matcher m = Pattern.compile("\\s*step (.+?)\\s+mean ([0-9.]+) us").matcher(line);
      if (m.matches()) {
        cSteps.put(m.group(1), m.group(2));
      }
    }
    if (seen != N) {
      throw new IllegalStateException("nlbench reported " + seen + " of " + N + ": " + out);
    }
    host.deleteLinks(hostNames("bxh"));
    settle();
    return times;
  }

  /** The reference's sequence: pycalico's {@code netns.py}, one {@code ip} command per step. */
  private static void ipSequence(String ns, int i) {
    String h = hostName("i", i).value();
    String t = "cjtt" + i;
    sh("ip", "link", "add", h, "type", "veth", "peer", "name", t);
    sh("ip", "link", "set", h, "up");
    sh("ip", "link", "set", t, "netns", ns);
    sh("ip", "netns", "exec", ns, "ip", "link", "set", "dev", t, "name", "eth1");
    sh("ip", "netns", "exec", ns, "ip", "link", "set", "eth1", "up");
    sh("ip", "netns", "exec", ns, "ip", "-4", "addr", "add", ip(i) + "/32", "dev", "eth1");
    sh("ip", "netns", "exec", ns, "ip", "-4", "route", "replace", "169.254.1.1", "dev", "eth1");
    sh(
        "ip",
        "netns",
        "exec",
        ns,
        "ip",
        "-4",
        "route",
        "replace",
        "default",
        "via",
        "169.254.1.1",
        "dev",
        "eth1");
    sh("ip", "netns", "exec", ns, "cat", "/sys/class/net/eth1/address");
  }

  /** Lets the kernel finish the RCU and cleanup work of a bulk delete before timing more adds. */
  private static void settle() throws InterruptedException {
    Thread.sleep(1500);
  }

  private static InterfaceName hostName(String kind, int i) {
    return InterfaceName.of(kind.length() == 1 ? "cjt" + kind + i : kind + i);
  }

  private static List<InterfaceName> hostNames(String kind) {
    List<InterfaceName> all = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      all.add(hostName(kind, i));
    }
    return all;
  }

  private static String ip(int i) {
    return "10.88." + (i / 250) + "." + (i % 250 + 1);
  }

  private static void sh(String... cmd) {
    Processes.run(Arrays.asList(cmd), Duration.ofSeconds(30));
  }

  private static void row(String what, long[] xs) {
    System.out.printf("| %s | %.1f | %.1f |%n", what, median(xs) / 1e3, p99(xs) / 1e3);
  }

  private static InetAddress addr(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(s, e);
    }
  }
}
