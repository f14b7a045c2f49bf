package io.github.calicoj.netns.nft.bench;

import static io.github.calicoj.testkit.BenchStats.median;
import static io.github.calicoj.testkit.BenchStats.p99;
import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.nft.NftTable;
import io.github.calicoj.netns.nft.Nftables;
import io.github.calicoj.netns.nft.internal.NftContext;
import io.github.calicoj.netns.nft.internal.NftJson;
import io.github.calicoj.testkit.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Adding one set element, one change at a time, three ways, in the same run:
 *
 * <ul>
 *   <li><b>calicoj</b>: {@link Nftables#batch} end to end (JSON text built per change, handed to
 *       the handle's namespace thread, libnftables, the kernel, the answer back);
 *   <li><b>libnftables direct</b>: the same document through one libnftables context on the calling
 *       thread, without the handle (the floor under the Java path);
 *   <li><b>nft -f</b> (baseline): an nft script file written and an {@code nft -f FILE} process per
 *       change, the way the reference agent ran {@code iptables-restore}.
 * </ul>
 *
 * <p>Run it with {@code scripts/bench nft} (root), which starts this program inside a test
 * namespace ({@code ip netns exec cjt-bench-host}): the table {@code inet cjt_bench} and everything
 * else live there, and the {@code nft} processes run there without {@code ip netns exec}.
 */
public final class NftBench {
  private static final int PER_ROUND = Integer.getInteger("bench.perRound", 200);
  private static final int PROCESS_PER_ROUND = Integer.getInteger("bench.processPerRound", 100);
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
  private static final int WARMUP = Integer.getInteger("bench.warmup", 500);
  private static final NftTable TABLE = NftTable.inet("cjt_bench");

  private static int next; // element counter: every change adds a new address

  private NftBench() {}

  public static void main(String[] args) throws Exception {
    System.out.printf(
        "NftBench: one set element per change; %d rounds of %d (calicoj, direct) and %d (nft -f);"
            + " %d cores, kernel %s, JDK %s, load %s%n",
        ROUNDS,
        PER_ROUND,
        PROCESS_PER_ROUND,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("os.version"),
        System.getProperty("java.vm.version"),
        Files.readString(Path.of("/proc/loadavg")).strip());
    Path script = Files.createTempFile("cjt-nftbench", ".nft");
    try (NetNs here = NetNs.current();
        Nftables nft = Nftables.open(here)) {
      nft.deleteTableIfExists(TABLE);
      nft.run(
          "{\"nftables\": [{\"add\": {\"table\": {\"family\": \"inet\", \"name\": \"cjt_bench\"}}},"
              + " {\"add\": {\"set\": {\"family\": \"inet\", \"table\": \"cjt_bench\","
              + " \"name\": \"s\", \"type\": \"ipv4_addr\"}}}]}");
      // The floor: a context on this thread, which already lives in the bench namespace.
      NftContext direct = NftContext.create();
      try {
        for (int i = 0; i < WARMUP; i++) { // not measured: JIT, jnr stubs, caches
          viaHandle(nft);
          viaDirect(direct);
        }
        for (int i = 0; i < 10; i++) {
          viaProcess(script);
        }
        long[] ours = new long[ROUNDS * PER_ROUND];
        long[] floor = new long[ROUNDS * PER_ROUND];
        long[] process = new long[ROUNDS * PROCESS_PER_ROUND];
        List<String> rounds = new ArrayList<>();
        for (int r = 0; r < ROUNDS; r++) {
          long[] o = new long[PER_ROUND];
          long[] d = new long[PER_ROUND];
          long[] p = new long[PROCESS_PER_ROUND];
          for (int i = 0; i < PER_ROUND; i++) {
            o[i] = viaHandle(nft);
            d[i] = viaDirect(direct);
          }
          for (int i = 0; i < PROCESS_PER_ROUND; i++) {
            p[i] = viaProcess(script);
          }
          System.arraycopy(o, 0, ours, r * PER_ROUND, PER_ROUND);
          System.arraycopy(d, 0, floor, r * PER_ROUND, PER_ROUND);
          System.arraycopy(p, 0, process, r * PROCESS_PER_ROUND, PROCESS_PER_ROUND);
          rounds.add(
              String.format(
                  "round %d: calicoj %.1f µs, direct %.1f µs, nft -f %.0f µs (×%.0f)",
                  r + 1,
                  median(o) / 1e3,
                  median(d) / 1e3,
                  median(p) / 1e3,
                  (double) median(p) / median(o)));
        }
        int expected = next;
        int found =
            new ObjectMapper()
                .readTree(nft.listSet(TABLE, "s"))
                .path("nftables")
                .get(1)
                .path("set")
                .path("elem")
                .size();
        if (found != expected) {
          throw new IllegalStateException("set has " + found + " elements, expected " + expected);
        }
        rounds.forEach(System.out::println);
        System.out.println();
        System.out.println("| add one set element (µs per change) | median | p99 | n |");
        System.out.println("|---|---|---|---|");
        row("calicoj Nftables.batch (namespace thread, libnftables)", ours);
        row("libnftables direct on the calling thread (floor)", floor);
        row("nft -f FILE, one process per change (baseline)", process);
        System.out.printf(
            "%nratio nft -f / calicoj (medians): %.1fx; calicoj overhead over direct: %.1f µs%n",
            (double) median(process) / median(ours), (median(ours) - median(floor)) / 1e3);
        System.out.printf("elements in the set afterwards: %d (checked)%n", found);
      } finally {
        direct.free();
        nft.deleteTableIfExists(TABLE);
      }
    } finally {
      Files.deleteIfExists(script);
    }
  }

  private static String nextAddress() {
    int i = ++next;
    return "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255);
  }

  private static String element(String ip) {
    return "{\"add\": {\"element\": {\"family\": \"inet\", \"table\": \"cjt_bench\", \"name\": \"s\","
        + " \"elem\": [\""
        + ip
        + "\"]}}}";
  }

  private static long viaHandle(Nftables nft) {
    long t0 = System.nanoTime();
    nft.batch(List.of(element(nextAddress())));
    return System.nanoTime() - t0;
  }

  private static long viaDirect(NftContext ctx) {
    long t0 = System.nanoTime();
    byte[] doc = NftJson.documentBytes(NftJson.document(List.of(element(nextAddress()))));
    NftContext.Result r = ctx.run(doc, NftContext.OUTPUT_JSON, false);
    long t = System.nanoTime() - t0;
    if (r.rc() != 0) {
      throw new IllegalStateException("direct: " + r.errors());
    }
    return t;
  }

  private static long viaProcess(Path script) throws Exception {
    long t0 = System.nanoTime();
    Files.writeString(script, "add element inet cjt_bench s { " + nextAddress() + " }\n", UTF_8);
    Processes.run(List.of("nft", "-f", script.toString()), Duration.ofSeconds(30));
    return System.nanoTime() - t0;
  }

  private static void row(String what, long[] xs) {
    System.out.printf(
        "| %s | %.1f | %.1f | %d |%n", what, median(xs) / 1e3, p99(xs) / 1e3, xs.length);
  }
}
