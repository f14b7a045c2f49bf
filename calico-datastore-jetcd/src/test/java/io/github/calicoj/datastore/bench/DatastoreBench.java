package io.github.calicoj.datastore.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Revision;
import io.github.calicoj.datastore.etcd.EtcdGatewayDatastore;
import io.github.calicoj.datastore.jetcd.EtcdDatastore;
import io.github.calicoj.testkit.EtcdCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * EtcdDatastore (and EtcdGatewayDatastore) against raw jetcd on one etcd member, in the same run:
 * sequential put and CAS latency (median, p99) and CAS-transaction throughput with 16 in flight.
 * Rounds alternate between the two clients so that drift (disk, JIT, etcd compaction) hits both
 * alike; the reported figure per client is the median over rounds. Run it with {@code scripts/bench
 * datastore}.
 */
public final class DatastoreBench {
  private static final int OPS = Integer.getInteger("bench.ops", 1000);
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 5);
  private static final int IN_FLIGHT = 16;
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private DatastoreBench() {}

  public static void main(String[] args) throws Exception {
    String endpoint = args.length > 0 ? args[0] : null;
    EtcdCluster cluster = endpoint == null ? EtcdCluster.startSingle() : null;
    String endpoints = endpoint != null ? endpoint : cluster.endpoints();
    System.out.printf(
        "DatastoreBench: etcd %s, %d ops x %d rounds, %d cores, %s%n",
        endpoints,
        OPS,
        ROUNDS,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.version"));
    try (Client raw = Client.builder().endpoints(endpoints).build();
        EtcdDatastore store =
            EtcdDatastore.builder().endpoints(endpoints).requestTimeout(TIMEOUT).build();
        EtcdGatewayDatastore gateway =
            EtcdGatewayDatastore.builder().endpoints(endpoints).requestTimeout(TIMEOUT).build()) {
      KV kv = raw.getKVClient();
      // Warm up both paths (JIT, connections).
      for (int i = 0; i < 2; i++) {
        rawPut(kv, "warm");
        ourPut(store, "warm");
        rawCas(kv, "warm");
        ourCas(store, "warm");
        ourPut(gateway, "gwwarm");
        ourCas(gateway, "gwwarm");
      }
      rawCasThroughput(kv, "warm");
      ourCasThroughput(store, "warm");
      List<Long> rawPutMed = new ArrayList<>(), ourPutMed = new ArrayList<>();
      List<Long> rawPutP99 = new ArrayList<>(), ourPutP99 = new ArrayList<>();
      List<Long> rawCasMed = new ArrayList<>(), ourCasMed = new ArrayList<>();
      List<Long> rawCasP99 = new ArrayList<>(), ourCasP99 = new ArrayList<>();
      List<Double> rawTput = new ArrayList<>(), ourTput = new ArrayList<>();
      List<Long> gwPutMed = new ArrayList<>(), gwCasMed = new ArrayList<>();
      for (int r = 0; r < ROUNDS; r++) {
        Stats s = rawPut(kv, "r" + r);
        rawPutMed.add(s.median());
        rawPutP99.add(s.percentile(99));
        s = ourPut(store, "r" + r);
        ourPutMed.add(s.median());
        ourPutP99.add(s.percentile(99));
        s = rawCas(kv, "r" + r);
        rawCasMed.add(s.median());
        rawCasP99.add(s.percentile(99));
        s = ourCas(store, "r" + r);
        ourCasMed.add(s.median());
        ourCasP99.add(s.percentile(99));
        gwPutMed.add(ourPut(gateway, "gw" + r).median());
        gwCasMed.add(ourCas(gateway, "gw" + r).median());
        rawTput.add(rawCasThroughput(kv, "r" + r));
        ourTput.add(ourCasThroughput(store, "r" + r));
      }
      System.out.println();
      System.out.println("| measurement | raw jetcd | EtcdDatastore | ratio (ours/raw) |");
      System.out.println("|---|---|---|---|");
      row("sequential put, median µs", med(rawPutMed) / 1e3, med(ourPutMed) / 1e3);
      row("sequential put, p99 µs", med(rawPutP99) / 1e3, med(ourPutP99) / 1e3);
      row("sequential CAS update, median µs", med(rawCasMed) / 1e3, med(ourCasMed) / 1e3);
      row("sequential CAS update, p99 µs", med(rawCasP99) / 1e3, med(ourCasP99) / 1e3);
      double rt = medD(rawTput), ot = medD(ourTput);
      System.out.printf(
          "| CAS txn throughput, %d in flight, ops/s | %.0f | %.0f | %.3f (time ratio %.3f) |%n",
          IN_FLIGHT, rt, ot, ot / rt, rt / ot);
      System.out.println();
      System.out.println(
          "| EtcdGatewayDatastore (JSON gateway, used by the CLI) | median µs | ratio to raw jetcd |");
      System.out.println("|---|---|---|");
      System.out.printf(
          "| sequential put | %.1f | %.3f |%n",
          med(gwPutMed) / 1e3, (double) med(gwPutMed) / med(rawPutMed));
      System.out.printf(
          "| sequential CAS update | %.1f | %.3f |%n",
          med(gwCasMed) / 1e3, (double) med(gwCasMed) / med(rawCasMed));
      System.out.println();
      System.out.println(
          "Per-round medians (µs) put raw/ours: " + us(rawPutMed) + " / " + us(ourPutMed));
      System.out.println(
          "Per-round medians (µs) CAS raw/ours: " + us(rawCasMed) + " / " + us(ourCasMed));
      System.out.println("Per-round throughput raw/ours: " + rawTput + " / " + ourTput);
    } finally {
      if (cluster != null) {
        cluster.close();
      }
    }
  }

  private static void row(String what, double raw, double ours) {
    System.out.printf("| %s | %.1f | %.1f | %.3f |%n", what, raw, ours, ours / raw);
  }

  private static long med(List<Long> xs) {
    List<Long> s = new ArrayList<>(xs);
    s.sort(null);
    return s.get(s.size() / 2);
  }

  private static double medD(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(null);
    return s.get(s.size() / 2);
  }

  private static String us(List<Long> xs) {
    return xs.stream().map(x -> Long.toString(x / 1000)).toList().toString();
  }

  private static ByteSequence b(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  private static Stats rawPut(KV kv, String tag) throws Exception {
    Stats s = new Stats(OPS);
    ByteSequence k = b("/bench/raw/put/" + tag);
    for (int i = 0; i < OPS; i++) {
      long t0 = System.nanoTime();
      kv.put(k, b(Integer.toString(i))).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      s.add(System.nanoTime() - t0);
    }
    return s;
  }

  private static Stats ourPut(Datastore store, String tag) {
    Stats s = new Stats(OPS);
    Key k = Key.of("/bench/ours/put/" + tag);
    for (int i = 0; i < OPS; i++) {
      long t0 = System.nanoTime();
      store.put(k, Integer.toString(i));
      s.add(System.nanoTime() - t0);
    }
    return s;
  }

  /** One raw CAS: the same transaction EtcdDatastore.update sends. Returns the new revision. */
  private static long rawCasOnce(KV kv, ByteSequence k, long rev, int i) throws Exception {
    TxnResponse r =
        kv.txn()
            .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(rev)))
            .Then(Op.put(k, b(Integer.toString(i)), PutOption.DEFAULT))
            .Else(Op.get(k, GetOption.DEFAULT))
            .commit()
            .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    if (!r.isSucceeded()) {
      throw new IllegalStateException("raw CAS lost on an uncontended key");
    }
    return r.getHeader().getRevision();
  }

  private static Stats rawCas(KV kv, String tag) throws Exception {
    Stats s = new Stats(OPS);
    ByteSequence k = b("/bench/raw/cas/" + tag);
    long rev =
        kv.put(k, b("x")).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).getHeader().getRevision();
    for (int i = 0; i < OPS; i++) {
      long t0 = System.nanoTime();
      rev = rawCasOnce(kv, k, rev, i);
      s.add(System.nanoTime() - t0);
    }
    return s;
  }

  private static Stats ourCas(Datastore store, String tag) {
    Stats s = new Stats(OPS);
    Key k = Key.of("/bench/ours/cas/" + tag);
    Revision rev = store.put(k, "x").revision();
    for (int i = 0; i < OPS; i++) {
      long t0 = System.nanoTime();
      rev = store.update(k, Integer.toString(i), rev).revision();
      s.add(System.nanoTime() - t0);
    }
    return s;
  }

  /** 16 chains of CAS on 16 keys, kept in flight asynchronously, as jetcd users would. */
  private static double rawCasThroughput(KV kv, String tag) throws Exception {
    AtomicLong done = new AtomicLong();
    CountDownLatch finished = new CountDownLatch(IN_FLIGHT);
    int perChain = OPS / IN_FLIGHT * 4;
    long t0 = System.nanoTime();
    for (int c = 0; c < IN_FLIGHT; c++) {
      ByteSequence k = b("/bench/raw/tput/" + tag + "/" + c);
      long rev =
          kv.put(k, b("x"))
              .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
              .getHeader()
              .getRevision();
      chain(kv, k, rev, perChain, done, finished);
    }
    if (!finished.await(120, TimeUnit.SECONDS)) {
      throw new IllegalStateException("raw throughput run did not finish");
    }
    return done.get() / ((System.nanoTime() - t0) / 1e9);
  }

  private static void chain(
      KV kv, ByteSequence k, long rev, int left, AtomicLong done, CountDownLatch finished) {
    if (left == 0) {
      finished.countDown();
      return;
    }
    CompletableFuture<TxnResponse> f =
        kv.txn()
            .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(rev)))
            .Then(Op.put(k, b(Integer.toString(left)), PutOption.DEFAULT))
            .Else(Op.get(k, GetOption.DEFAULT))
            .commit();
    f.whenComplete(
        (r, e) -> {
          if (e != null || !r.isSucceeded()) {
            finished.countDown();
            return;
          }
          done.incrementAndGet();
          chain(kv, k, r.getHeader().getRevision(), left - 1, done, finished);
        });
  }

  /** 16 threads, each a chain of synchronous CAS updates on its own key. */
  private static double ourCasThroughput(EtcdDatastore store, String tag) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(IN_FLIGHT);
    int perChain = OPS / IN_FLIGHT * 4;
    List<Key> keys = new ArrayList<>();
    List<Revision> revs = new ArrayList<>();
    for (int c = 0; c < IN_FLIGHT; c++) {
      Key k = Key.of("/bench/ours/tput/" + tag + "/" + c);
      keys.add(k);
      revs.add(store.put(k, "x").revision());
    }
    long t0 = System.nanoTime();
    List<Future<Integer>> fs = new ArrayList<>();
    for (int c = 0; c < IN_FLIGHT; c++) {
      Key k = keys.get(c);
      Revision start = revs.get(c);
      fs.add(
          pool.submit(
              () -> {
                Revision rev = start;
                for (int i = 0; i < perChain; i++) {
                  KeyValue kv = store.update(k, Integer.toString(i), rev);
                  rev = kv.revision();
                }
                return perChain;
              }));
    }
    long total = 0;
    for (Future<Integer> f : fs) {
      total += f.get(120, TimeUnit.SECONDS);
    }
    double tput = total / ((System.nanoTime() - t0) / 1e9);
    pool.shutdown();
    return tput;
  }
}
