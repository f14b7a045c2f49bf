package io.github.calicoj.core.bench;

import io.github.calicoj.core.ipam.IpOwner;
import io.github.calicoj.core.ipam.Ipam;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.repository.IpPools;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Guard;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.Revision;
import io.github.calicoj.datastore.Transaction;
import io.github.calicoj.datastore.TxnResult;
import io.github.calicoj.datastore.etcd.EtcdClientKind;
import io.github.calicoj.datastore.etcd.EtcdTestClients;
import io.github.calicoj.testkit.BenchStats;
import io.github.calicoj.testkit.EtcdCluster;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * IPAM auto-assign against raw compare-and-set transactions through the Datastore API, on one etcd
 * member started by the bench, in the same run. The raw CAS writes a value as large as a block
 * document, so both sides move the same bytes. Run with {@code scripts/bench ipam}.
 */
public final class IpamBench {
  private static final int OPS = Integer.getInteger("bench.ops", 2000);
  private static final int CLIENTS = 8;

  private IpamBench() {}

  public static void main(String[] args) throws Exception {
    try (EtcdCluster etcd = EtcdCluster.startSingle();
        Datastore ds = client(etcd)) {
      System.out.printf(
          "IpamBench: etcd %s, %d ops, %d cores, JDK %s%n",
          etcd.endpoints(),
          OPS,
          Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.vm.version"));
      new IpPools(ds).add(IpPool.of(Cidr.parse("10.0.0.0/8")));
      String blockSized = "x".repeat(700);
      // Warm-up of both paths.
      rawCas(ds, "warm", OPS / 4, blockSized);
      Ipam warm = Ipam.on(ds);
      for (int i = 0; i < OPS / 4; i++) {
        warm.autoAssignOne(4, "warm-host", IpOwner.UNOWNED);
      }

      long[] raw1 = rawCas(ds, "raw1", OPS, blockSized);
      long t0 = System.nanoTime();
      Ipam ipam = Ipam.on(ds);
      long[] ours1 = new long[OPS];
      for (int i = 0; i < OPS; i++) {
        long s = System.nanoTime();
        ipam.autoAssignOne(4, "bench-host", IpOwner.UNOWNED);
        ours1[i] = System.nanoTime() - s;
      }
      double ours1Rate = OPS / ((System.nanoTime() - t0) / 1e9);
      double raw1Rate = OPS / (Arrays.stream(raw1).sum() / 1e9);

      double raw8Rate = parallel(etcd, (c, n) -> rawCas(c, "raw8-" + n, OPS / CLIENTS, blockSized));
      List<long[]> ours8Lat = new ArrayList<>();
      double ours8Rate =
          parallel(
              etcd,
              (c, n) -> {
                Ipam mine = Ipam.on(c);
                long[] lat = new long[OPS / CLIENTS];
                for (int i = 0; i < lat.length; i++) {
                  long s = System.nanoTime();
                  InetAddress unused = mine.autoAssignOne(4, "bench-host-" + n, IpOwner.UNOWNED);
                  lat[i] = System.nanoTime() - s;
                }
                synchronized (ours8Lat) {
                  ours8Lat.add(lat);
                }
                return lat;
              });
      long[] all8 = ours8Lat.stream().flatMapToLong(Arrays::stream).toArray();

      System.out.println();
      System.out.println("| measurement | median µs | p99 µs | ops/s |");
      System.out.println("|---|---|---|---|");
      System.out.printf(
          "| raw CAS txn, 1 client | %.0f | %.0f | %.0f |%n", med(raw1), p99(raw1), raw1Rate);
      System.out.printf(
          "| IPAM auto-assign, 1 client | %.0f | %.0f | %.0f |%n",
          med(ours1), p99(ours1), ours1Rate);
      System.out.printf("| raw CAS txn, %d clients | | | %.0f |%n", CLIENTS, raw8Rate);
      System.out.printf(
          "| IPAM auto-assign, %d clients (%d hosts) | %.0f | %.0f | %.0f |%n",
          CLIENTS, CLIENTS, med(all8), p99(all8), ours8Rate);
      System.out.printf(
          "%nratio auto-assign/raw CAS (1 client): %.2f; (%d clients): %.2f%n",
          ours1Rate / raw1Rate, CLIENTS, ours8Rate / raw8Rate);
    }
  }

  private interface Work {
    long[] run(Datastore ds, int n) throws Exception;
  }

  private static double parallel(EtcdCluster etcd, Work work) throws Exception {
    List<Datastore> clients = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      clients.add(client(etcd));
    }
    ExecutorService exec = Executors.newFixedThreadPool(CLIENTS);
    long t0 = System.nanoTime();
    List<Future<long[]>> fs = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      int n = i;
      Datastore c = clients.get(i);
      fs.add(exec.submit(() -> work.run(c, n)));
    }
    long total = 0;
    for (Future<long[]> f : fs) {
      total += f.get(10, TimeUnit.MINUTES).length;
    }
    double rate = total / ((System.nanoTime() - t0) / 1e9);
    exec.shutdown();
    clients.forEach(Datastore::close);
    return rate;
  }

  /** Sequential CAS transactions on one key, each guarded on the previous revision. */
  private static long[] rawCas(Datastore ds, String name, int n, String value) {
    Key key = Key.of("/bench/raw/" + name);
    Revision rev = ds.put(key, value).revision();
    long[] lat = new long[n];
    for (int i = 0; i < n; i++) {
      long s = System.nanoTime();
      TxnResult r =
          ds.commit(
              Transaction.builder().guard(Guard.atRevision(key, rev)).put(key, value).build());
      lat[i] = System.nanoTime() - s;
      if (!r.succeeded()) {
        throw new IllegalStateException("uncontended CAS failed");
      }
      rev = r.revision();
    }
    return lat;
  }

  private static Datastore client(EtcdCluster etcd) {
    return EtcdTestClients.connect(EtcdClientKind.JETCD, etcd.endpoints());
  }

  private static double med(long[] xs) {
    return BenchStats.median(xs) / 1e3;
  }

  private static double p99(long[] xs) {
    return BenchStats.p99(xs) / 1e3;
  }
}
