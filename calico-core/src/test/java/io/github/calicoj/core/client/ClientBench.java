package io.github.calicoj.core.client;

import static io.github.calicoj.testkit.BenchStats.median;
import static io.github.calicoj.testkit.BenchStats.p99;

import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Transaction;
import io.github.calicoj.datastore.TxnOp;
import io.github.calicoj.datastore.etcd.EtcdClientKind;
import io.github.calicoj.datastore.etcd.EtcdTestClients;
import io.github.calicoj.netns.InterfaceName;
import io.github.calicoj.netns.IpPrefix;
import io.github.calicoj.netns.MacAddress;
import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.Netlink;
import io.github.calicoj.netns.Route;
import io.github.calicoj.netns.VethOptions;
import io.github.calicoj.testkit.EtcdCluster;
import io.github.calicoj.testkit.TestNamespace;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * {@code addContainer} end to end (netns + IPAM + endpoint, one etcd member) for 200 namespace
 * workloads, against the netns-only sequence in the same run; {@code removeContainer} one at a time
 * and in bulk. Host ends live in a test host namespace. Run with {@code scripts/bench client}
 * (root).
 *
 * <p>{@code scripts/bench client --workloads 3000}: the scale mode. Workloads accumulate on one
 * host (no warm-up beyond the run itself), and the add's median, p99 and per-step medians are
 * printed per bucket of 250, with the netns-only sequence measured before the first add and after
 * the last (so with none and with all of the workloads' links present) as the kernel's own cost;
 * then one bulk removal of all of them.
 */
public final class ClientBench {
  private static final int N = Integer.getInteger("bench.workloads", 200);
  private static final String NEXT_HOP = "172.31.251.1";

  private ClientBench() {}

  public static void main(String[] args) throws Exception {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("--workloads")) {
        scale(Integer.parseInt(args[i + 1]));
        return;
      }
    }
    List<TestNamespace> ns = new ArrayList<>();
    try (EtcdCluster etcd = EtcdCluster.startSingle();
        TestNamespace host = TestNamespace.createHost(NEXT_HOP);
        Datastore raw = EtcdTestClients.connect(EtcdClientKind.JETCD, etcd.endpoints());
        CountingDatastore store = new CountingDatastore(raw);
        CalicoClient calico =
            CalicoClient.builder(store, "cjt-bench")
                .hostNamespace(host.path())
                .stepListener(ClientBench::mark)
                .build()) {
      for (int i = 0; i < N; i++) {
        ns.add(TestNamespace.create());
      }
      calico.configureNode(NodeConfig.ipv4((Inet4Address) InetAddress.getByName(NEXT_HOP)));
      calico.ipPools().add(IpPool.of(Cidr.parse("10.160.0.0/16")));
      List<String> paths = new ArrayList<>();
      ns.forEach(t -> paths.add(t.path().toString()));

      // Warm-up, not measured: rounds of add and bulk remove (12 x 200 adds by default). jetcd's
      // call path (gRPC, Netty, Vert.x) is still getting faster after 1000 adds; a long-running
      // embedding is past that, and -Dbench.warmupRounds=5 shows the earlier figure.
      for (int r = 0; r < Integer.getInteger("bench.warmupRounds", 12); r++) {
        paths.forEach(p -> calico.addContainer(p, "ipv4"));
        calico.removeContainers(paths);
        Thread.sleep(1500);
      }

      // Measured rounds; each runs the adds and then, on the same namespaces, the netns-only
      // baseline, so that a slow spell of this shared VM hits both.
      int rounds = Integer.getInteger("bench.rounds", 3);
      long[] add = new long[N * rounds];
      long[] netnsOnly = new long[N * rounds];
      long[] vethOnly = new long[N * rounds];
      long[] removeOne = new long[(N / 2) * rounds];
      long[] bulk = new long[rounds];
      List<String> perRound = new ArrayList<>();
      List<CountingDatastore.Call> addCalls = new ArrayList<>();
      @Nullable Transaction lastAdd = null;
      List<CountingDatastore.Call> removeCalls = new ArrayList<>();
      List<CountingDatastore.Call> bulkCalls = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        long[] addRound = new long[N];
        for (int i = 0; i < N; i++) {
          store.drain();
          long t0 = System.nanoTime();
          lastStep = null;
          calico.addContainer(paths.get(i), "ipv4");
          long end = System.nanoTime();
          addCalls.addAll(store.drain());
          lastAdd = store.lastWrite().orElseThrow();
          addRound[i] = end - t0;
          add[round * N + i] = end - t0;
          BEFORE_FIRST_STEP.add(firstMark - t0);
          LAST_STEP.add(end - lastMark);
        }
        for (int i = 0; i < N / 2; i++) {
          long t0 = System.nanoTime();
          calico.removeContainer(paths.get(i));
          removeOne[round * (N / 2) + i] = System.nanoTime() - t0;
          removeCalls.addAll(store.drain());
        }
        long t0 = System.nanoTime();
        calico.removeContainers(paths.subList(N / 2, N));
        bulk[round] = (System.nanoTime() - t0) / (N - N / 2);
        bulkCalls.addAll(store.drain());
        Thread.sleep(1500);
        long[] netnsRound = netnsOnly(host, ns, round, netnsOnly, vethOnly);
        perRound.add(
            String.format(
                "round %d: add %.2f ms, netns-only %.2f ms, ratio %.2f",
                round + 1,
                median(addRound) / 1e6,
                median(netnsRound) / 1e6,
                (double) median(addRound) / median(netnsRound)));
        Thread.sleep(1500);
      }

      System.out.printf(
          "ClientBench: %d workloads x %d rounds after %d warm-up rounds, one etcd member, %d cores, JDK %s%n%n",
          N,
          rounds,
          Integer.getInteger("bench.warmupRounds", 12),
          Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.vm.version"));
      System.out.println("| measurement | median ms | p99 ms |");
      System.out.println("|---|---|---|");
      row("addContainer (netns + IPAM + endpoint)", add);
      row("netns-only sequence", netnsOnly);
      row("createVeth only", vethOnly);
      row("removeContainer, one at a time", removeOne);
      System.out.printf(
          "| removeContainers, bulk of %d | %.2f per workload | |%n",
          N - N / 2, median(bulk) / 1e6);
      System.out.printf(
          "| netns-only bulk delete of %d links | %.2f per link | |%n",
          N, median(BULK_DELETE.stream().mapToLong(Long::longValue).toArray()) / 1e6);
      System.out.printf(
          "%nratio addContainer/netns-only (median): %.2f%n",
          (double) median(add) / median(netnsOnly));
      perRound.forEach(System.out::println);
      System.out.println(
          "\nmedian time from the start of each step to the start of the next (µs):");
      System.out.printf(
          "  %-18s %8.0f%n",
          "(resolve, open)",
          median(BEFORE_FIRST_STEP.stream().mapToLong(Long::longValue).toArray()) / 1e3);
      STEP_TIMES.forEach(
          (step, times) ->
              System.out.printf(
                  "  %-18s %8.0f%n",
                  step, median(times.stream().mapToLong(Long::longValue).toArray()) / 1e3));
      System.out.printf(
          "  %-18s %8.0f (to the return)%n",
          lastStep, median(LAST_STEP.stream().mapToLong(Long::longValue).toArray()) / 1e3);
      System.out.println("\ndatastore round trips (count per operation, median µs):");
      calls("addContainer", addCalls, N * rounds);
      calls("removeContainer", removeCalls, (N / 2) * rounds);
      calls("removeContainers, bulk of " + (N - N / 2), bulkCalls, rounds);
      roundTrips(raw, Objects.requireNonNull(lastAdd));
    } finally {
      ns.forEach(TestNamespace::close);
    }
  }

  private static final int BUCKET = 250;

  /** The scale mode: {@code n} workloads accumulating on one host; see the class comment. */
  private static void scale(int n) throws Exception {
    List<TestNamespace> ns = new ArrayList<>();
    List<TestNamespace> probe = new ArrayList<>();
    try (EtcdCluster etcd = EtcdCluster.startSingle();
        TestNamespace host = TestNamespace.createHost(NEXT_HOP);
        Datastore store = EtcdTestClients.connect(EtcdClientKind.JETCD, etcd.endpoints());
        CalicoClient calico =
            CalicoClient.builder(store, "cjt-bench")
                .hostNamespace(host.path())
                .stepListener(ClientBench::mark)
                .build()) {
      for (int i = 0; i < n; i++) {
        ns.add(TestNamespace.create());
      }
      for (int i = 0; i < 200; i++) {
        probe.add(TestNamespace.create());
      }
      calico.configureNode(NodeConfig.ipv4((Inet4Address) InetAddress.getByName(NEXT_HOP)));
      calico.ipPools().add(IpPool.of(Cidr.parse("10.160.0.0/16")));
      long[] before = netnsOnly(host, probe, 0, new long[probe.size()], new long[probe.size()]);
      long[] add = new long[n];
      List<Map<AddStep, List<Long>>> steps = new ArrayList<>();
      List<String> paths = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        if (i % BUCKET == 0) {
          synchronized (ClientBench.class) {
            STEP_TIMES.clear();
          }
        }
        String p = ns.get(i).path().toString();
        paths.add(p);
        long t0 = System.nanoTime();
        lastStep = null;
        calico.addContainer(p, "ipv4");
        add[i] = System.nanoTime() - t0;
        if (i % BUCKET == BUCKET - 1 || i == n - 1) {
          synchronized (ClientBench.class) {
            steps.add(new EnumMap<>(STEP_TIMES));
          }
        }
      }
      long[] after = netnsOnly(host, probe, 0, new long[probe.size()], new long[probe.size()]);
      long t0 = System.nanoTime();
      calico.removeContainers(paths);
      double bulkPerWorkload = (System.nanoTime() - t0) / 1e6 / n;

      System.out.printf(
          "ClientBench scale: %d workloads accumulating on one host, one etcd member (jetcd), %d"
              + " cores, JDK %s, load average %s%n%n",
          n,
          Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.vm.version"),
          Files.readString(Path.of("/proc/loadavg")).trim());
      System.out.println("| workloads | add median ms | add p99 ms | slowest steps (median µs) |");
      System.out.println("|---|---|---|---|");
      for (int b = 0; b * BUCKET < n; b++) {
        int from = b * BUCKET;
        int to = Math.min(n, from + BUCKET);
        long[] slice = Arrays.copyOfRange(add, from, to);
        StringBuilder top = new StringBuilder();
        steps.get(b).entrySet().stream()
            .sorted(
                (x, y) ->
                    Long.compare(
                        median(y.getValue().stream().mapToLong(Long::longValue).toArray()),
                        median(x.getValue().stream().mapToLong(Long::longValue).toArray())))
            .limit(3)
            .forEach(
                e ->
                    top.append(
                        String.format(
                            "%s %.0f; ",
                            e.getKey(),
                            median(e.getValue().stream().mapToLong(Long::longValue).toArray())
                                / 1e3)));
        System.out.printf(
            "| %d–%d | %.2f | %.2f | %s |%n",
            from, to - 1, median(slice) / 1e6, p99(slice) / 1e6, top);
      }
      int lo = Math.min(500, n / 2);
      long[] early = Arrays.copyOfRange(add, lo, Math.min(n, lo + BUCKET));
      long[] late = Arrays.copyOfRange(add, Math.max(0, n - BUCKET), n);
      System.out.printf(
          "%nadd median, last bucket / bucket from %d: %.2f%n"
              + "netns-only sequence with 0 workloads present: %.2f ms; with %d present: %.2f ms"
              + " (x%.2f)%n"
              + "removeContainers of all %d: %.2f ms per workload%n",
          lo,
          (double) median(late) / median(early),
          median(before) / 1e6,
          n,
          median(after) / 1e6,
          (double) median(after) / median(before),
          n,
          bulkPerWorkload);
    } finally {
      ns.forEach(TestNamespace::close);
      probe.forEach(TestNamespace::close);
    }
  }

  /**
   * The netns-only sequence for every workload (what addContainer adds on top of it is the IPAM,
   * the endpoint transaction and the host side), then a bulk delete of its links.
   */
  private static long[] netnsOnly(
      TestNamespace host, List<TestNamespace> ns, int round, long[] all, long[] vethAll)
      throws Exception {
    long[] out = new long[N];
    List<InterfaceName> links = new ArrayList<>();
    InetAddress gw = InetAddress.getByName(NEXT_HOP);
    try (NetNs h = NetNs.open(host.path());
        Netlink hostNl = Netlink.openIn(h)) {
      InterfaceName eth1 = InterfaceName.of("eth1");
      for (int i = 0; i < N; i++) {
        InterfaceName cali = InterfaceName.of("cjtn" + i);
        long s = System.nanoTime();
        try (NetNs w = NetNs.open(ns.get(i).path());
            Netlink in = Netlink.openIn(w)) {
          long c0 = System.nanoTime();
          hostNl.createVeth(cali, eth1, w, VethOptions.DEFAULT.withHostMac(MacAddress.CALICO_HOST));
          vethAll[round * N + i] = System.nanoTime() - c0;
          in.setUp(eth1);
          in.addAddress(eth1, IpPrefix.parse("10.161." + (i / 250) + "." + (i % 250 + 1) + "/32"));
          in.addRoute(Route.onLink(gw, eth1));
          in.addRoute(Route.defaultVia(gw, eth1));
          in.link(eth1).mac();
        }
        out[i] = System.nanoTime() - s;
        all[round * N + i] = out[i];
        links.add(cali);
      }
      long d0 = System.nanoTime();
      hostNl.deleteLinks(links);
      BULK_DELETE.add((System.nanoTime() - d0) / links.size());
    }
    return out;
  }

  /** The netns-only bulk delete of each round's links, per link. */
  private static final List<Long> BULK_DELETE = new ArrayList<>();

  private static final Map<AddStep, List<Long>> STEP_TIMES = new EnumMap<>(AddStep.class);
  private static AddStep lastStep;
  private static long lastMark;
  private static long firstMark;

  /** Resolving the workload and opening its namespace: from the call to the first step. */
  private static final List<Long> BEFORE_FIRST_STEP = new ArrayList<>();

  /** The last step (the endpoint transaction), to the return. */
  private static final List<Long> LAST_STEP = new ArrayList<>();

  /** Attributes the time since the previous step's start to that step. */
  private static synchronized void mark(AddStep step) {
    long now = System.nanoTime();
    if (lastStep == null) {
      firstMark = now;
    }
    if (lastStep != null && step.ordinal() > lastStep.ordinal()) {
      STEP_TIMES.computeIfAbsent(lastStep, k -> new ArrayList<>()).add(now - lastMark);
    }
    lastStep = step;
    lastMark = now;
  }

  /** Prints how many calls of each kind {@code ops} operations made, and their median time. */
  private static void calls(String what, List<CountingDatastore.Call> calls, int ops) {
    Map<String, List<Long>> byKind = new TreeMap<>();
    calls.forEach(c -> byKind.computeIfAbsent(c.kind(), k -> new ArrayList<>()).add(c.nanos()));
    StringBuilder line = new StringBuilder();
    byKind.forEach(
        (kind, times) ->
            line.append(
                String.format(
                    "%s %.2f (%.0f µs); ",
                    kind,
                    (double) times.size() / ops,
                    median(times.stream().mapToLong(Long::longValue).toArray()) / 1e3)));
    System.out.printf(
        "  %-32s %sin all %.0f µs per operation%n",
        what, line, calls.stream().mapToLong(CountingDatastore.Call::nanos).sum() / 1e3 / ops);
  }

  /**
   * The floor: one etcd round trip on loopback (get, put, one-key guarded write), and the writes
   * and reads of an add's transaction ({@code add}) under other keys with no guard, alone, in the
   * same run.
   */
  private static void roundTrips(Datastore store, Transaction add) {
    int n = 300;
    long[] get = new long[n];
    long[] put = new long[n];
    long[] txn = new long[n];
    long[] addLike = new long[n];
    for (int i = 0; i < n; i++) {
      Transaction.Builder b = Transaction.builder();
      for (TxnOp op : add.ops()) {
        if (op instanceof TxnOp.Put p) {
          b.put(Key.of("/calico/bench/txn" + p.key().path()), p.value());
        }
      }
      add.reads().forEach(k -> b.readPrefix(Key.of("/calico/bench/txn" + k.path())));
      Transaction t = b.build();
      long t0 = System.nanoTime();
      store.commit(t);
      addLike[i] = System.nanoTime() - t0;
    }
    store.deletePrefix(Key.of("/calico/bench/txn/"));
    Key key = Key.of("/calico/bench/rt");
    store.put(key, "0");
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      store.get(key);
      long t1 = System.nanoTime();
      KeyValue written = store.put(key, Integer.toString(i));
      long t2 = System.nanoTime();
      store.update(key, "x" + i, written.revision());
      txn[i] = System.nanoTime() - t2;
      get[i] = t1 - t0;
      put[i] = t2 - t1;
    }
    store.delete(key);
    System.out.printf(
        "%netcd round trip on loopback, same run (median µs): get %.0f, put %.0f,"
            + " update guarded on a revision %.0f; the add's writes and reads alone (%d puts, %d"
            + " bytes) %.0f%n",
        median(get) / 1e3,
        median(put) / 1e3,
        median(txn) / 1e3,
        add.ops().size(),
        add.ops().stream().mapToInt(o -> o instanceof TxnOp.Put p ? p.value().length() : 0).sum(),
        median(addLike) / 1e3);
  }

  private static void row(String what, long[] xs) {
    System.out.printf("| %s | %.2f | %.2f |%n", what, median(xs) / 1e6, p99(xs) / 1e6);
  }
}
