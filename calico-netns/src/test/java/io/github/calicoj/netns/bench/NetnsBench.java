package io.github.calicoj.netns.bench;

import static io.github.calicoj.testkit.BenchStats.median;
import static io.github.calicoj.testkit.BenchStats.p99;

import io.github.calicoj.netns.InterfaceName;
import io.github.calicoj.netns.IpPrefix;
import io.github.calicoj.netns.MacAddress;
import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.Netlink;
import io.github.calicoj.netns.Route;
import io.github.calicoj.netns.VethOptions;
import io.github.calicoj.testkit.Processes;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The add-workload sequence through calico-netns against the reference's {@code ip netns exec}
 * sequence, in the same run, plus teardown one at a time and in bulk.
 *
 * <p>Run it with {@code scripts/bench netns}, which starts this program inside a test "host"
 * namespace ({@code ip netns exec cjt-bench-host}), so host ends never touch the real host. Each
 * workload has its own namespace {@code cjtbn<i>}, made before timing starts.
 */
public final class NetnsBench {
  private static final int N = Integer.getInteger("bench.workloads", 200);
  private static final int WARMUP_ROUNDS = Integer.getInteger("bench.warmupRounds", 5);
  private static final int MEASURED_ROUNDS = Integer.getInteger("bench.rounds", 3);
  private static final InetAddress GW = addr("169.254.1.1");

  private NetnsBench() {}

  public static void main(String[] args) throws Exception {
    System.out.printf(
        "NetnsBench: %d workloads after %d warm-up rounds, %d cores, kernel %s, JDK %s%n",
        N,
        WARMUP_ROUNDS,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("os.version"),
        System.getProperty("java.vm.version"));
    List<String> names = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      names.add("cjtbn" + i);
      sh("ip", "netns", "add", names.get(i));
    }
    try (Netlink host = Netlink.open()) {
      // Warm-up, not measured: JIT-compile the whole path, as in a long-running agent.
      List<Double> warmMedians = new ArrayList<>();
      for (int round = 0; round < WARMUP_ROUNDS; round++) {
        List<InterfaceName> warm = new ArrayList<>();
        long[] times = new long[N];
        for (int i = 0; i < N; i++) {
          long w0 = System.nanoTime();
          addWorkload(host, names.get(i), i);
          times[i] = System.nanoTime() - w0;
          warm.add(hostName("o", i));
        }
        warmMedians.add(median(times) / 1e3);
        host.deleteLinks(warm);
        settle();
      }
      System.out.println("warm-up round medians (µs): " + warmMedians);

      // Measured: MEASURED_ROUNDS rounds of N adds; all but the last are bulk-deleted again.
      long[] ours = new long[N * MEASURED_ROUNDS];
      List<Double> roundMedians = new ArrayList<>();
      for (int round = 0; round < MEASURED_ROUNDS; round++) {
        long[] times = new long[N];
        for (int i = 0; i < N; i++) {
          long t0 = System.nanoTime();
          addWorkload(host, names.get(i), i);
          times[i] = System.nanoTime() - t0;
          ours[round * N + i] = times[i];
        }
        roundMedians.add(median(times) / 1e3);
        if (round < MEASURED_ROUNDS - 1) {
          List<InterfaceName> all = new ArrayList<>();
          for (int i = 0; i < N; i++) {
            all.add(hostName("o", i));
          }
          host.deleteLinks(all);
          settle();
        }
      }
      System.out.println("measured round medians (µs): " + roundMedians);
      long[] oursDelOne = new long[N / 2];
      for (int i = 0; i < N / 2; i++) {
        long t0 = System.nanoTime();
        host.deleteLink(hostName("o", i));
        oursDelOne[i] = System.nanoTime() - t0;
      }
      List<InterfaceName> rest = new ArrayList<>();
      for (int i = N / 2; i < N; i++) {
        rest.add(hostName("o", i));
      }
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
      List<InterfaceName> ipRest = new ArrayList<>();
      for (int i = N / 2; i < N; i++) {
        ipRest.add(hostName("i", i));
      }
      host.deleteLinks(ipRest);

      System.out.println();
      System.out.println("| measurement (µs per workload) | median | p99 |");
      System.out.println("|---|---|---|");
      row("calico-netns add (veth, peer born in netns, up, addr, 2 routes, MAC)", ours);
      row("ip netns exec sequence (reference)", ip);
      row("calico-netns delete, one at a time", oursDelOne);
      row("ip link del, one at a time", ipDel);
      System.out.printf(
          "| calico-netns bulk delete (%d links, one group) | %.1f amortized | |%n",
          rest.size(), oursBulk / 1e3 / rest.size());
      System.out.printf(
          "%nratio ip/ours (median add): %.1fx%n", (double) median(ip) / median(ours));
    } finally {
      for (String n : names) {
        Processes.runForResult(List.of("ip", "netns", "del", n), Duration.ofSeconds(10));
      }
    }
  }

  private static void addWorkload(Netlink host, String ns, int i) {
    InterfaceName eth0 = InterfaceName.of("eth0");
    try (NetNs w = NetNs.open(Path.of("/var/run/netns", ns));
        Netlink in = Netlink.openIn(w)) {
      host.createVeth(
          hostName("o", i), eth0, w, VethOptions.DEFAULT.withHostMac(MacAddress.CALICO_HOST));
      in.setUp(eth0);
      in.addAddress(eth0, IpPrefix.parse(ip(i) + "/32"));
      in.addRoute(Route.onLink(GW, eth0));
      in.addRoute(Route.defaultVia(GW, eth0));
      if (in.link(eth0).mac().equals(MacAddress.ZERO)) {
        throw new IllegalStateException("no MAC");
      }
    }
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
    return InterfaceName.of("cjt" + kind + i);
  }

  private static String ip(int i) {
    return "10.88." + (i / 250) + "." + (i % 250 + 1);
  }

  private static void sh(String... cmd) {
    Processes.run(List.of(cmd), Duration.ofSeconds(30));
  }

  private static void row(String what, long[] xs) {
    System.out.printf("| %s | %.1f | %.1f |%n", what, median(xs) / 1e3, p99(xs) / 1e3);
  }

  private static InetAddress addr(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(s, e);
    }
  }
}
