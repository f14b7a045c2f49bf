package io.github.calicoj.netns.nft;

import static io.github.calicoj.netns.nft.NftOracle.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.nft.internal.NftNative;
import io.github.calicoj.testkit.Race;
import io.github.calicoj.testkit.TestNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One handle shared by many threads, two handles in two namespaces at once, and the bounded wait.
 * Root; results checked with {@code nft -j} inside the test namespaces.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class NftablesConcurrencyIT extends NftFixture.PerTest {
  private static final int THREADS = 8;
  private static final int PER_THREAD = 50;

  private static String add(NftTable t, String ip) {
    return NftFixture.element("add", t, "t4_web", ip);
  }

  private static String threadNs() throws Exception {
    return Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
  }

  /** A task that adds {@code prefix}1 to {@code prefix}100 to the set, one batch each. */
  private Callable<Void> fill(Nftables nft, String prefix) {
    return () -> {
      for (int i = 1; i <= 100; i++) {
        nft.batch(List.of(add(table, prefix + i)));
      }
      return null;
    };
  }

  @Test
  void threadsSharingOneHandleTakeTurnsAndEachGetsItsOwnAnswer() throws Exception {
    try (NetNs n = NetNs.open(ns.path());
        Nftables nft = Nftables.open(n)) {
      nft.run(NftFixture.skeleton(table));
      List<Integer> perThread =
          Race.run(
              THREADS,
              thread ->
                  () -> {
                    String before = threadNs();
                    int checks = 0;
                    for (int i = 0; i < PER_THREAD; i++) {
                      nft.batch(List.of(add(table, "10.66." + thread + "." + (i + 1))));
                      if (i % 5 == 0) {
                        // A listing reaches exactly its caller, whole and parseable.
                        JsonNode listed = parse(nft.listSet(table, "t4_web")).path("nftables");
                        assertThat(listed.get(1).path("set").path("name").asText())
                            .isEqualTo("t4_web");
                        assertThat(listed.get(1).path("set").path("elem").size()).isPositive();
                        checks++;
                      }
                      if (i % 7 == 0) {
                        // So does an error, with its own command and text.
                        String missing = "cjt_missing" + thread;
                        assertThatThrownBy(() -> nft.listSet(table, missing))
                            .isInstanceOfSatisfying(
                                NftablesException.class,
                                e -> {
                                  assertThat(e.isNotFound()).isTrue();
                                  assertThat(e.command()).contains(missing);
                                });
                        checks++;
                      }
                    }
                    assertThat(threadNs()).isEqualTo(before);
                    return checks;
                  },
              Duration.ofMinutes(2));
      assertThat(perThread.stream().mapToInt(Integer::intValue).sum())
          .isEqualTo(THREADS * (10 + 8));
    }
    TreeSet<String> expected = new TreeSet<>();
    for (int t = 0; t < THREADS; t++) {
      for (int i = 0; i < PER_THREAD; i++) {
        expected.add("10.66." + t + "." + (i + 1));
      }
    }
    assertThat(NftOracle.setElements(ns.name(), table, "t4_web")).hasValue(expected);
  }

  @Test
  void twoHandlesInTwoNamespacesWorkAtTheSameTime() throws Exception {
    try (TestNamespace other = TestNamespace.create();
        NetNs a = NetNs.open(ns.path());
        NetNs b = NetNs.open(other.path());
        Nftables nftA = Nftables.open(a);
        Nftables nftB = Nftables.open(b)) {
      nftA.run(NftFixture.skeleton(table));
      nftB.run(NftFixture.skeleton(table));
      Race.run(List.of(fill(nftA, "10.1.0."), fill(nftB, "10.2.0.")), Duration.ofMinutes(2));
      assertThat(NftOracle.setElements(ns.name(), table, "t4_web").orElseThrow())
          .hasSize(100)
          .allMatch(ip -> ip.startsWith("10.1.0."));
      assertThat(NftOracle.setElements(other.name(), table, "t4_web").orElseThrow())
          .hasSize(100)
          .allMatch(ip -> ip.startsWith("10.2.0."));
    }
  }

  @Test
  void aCommandThatOutlivesTheTimeoutIsReportedAsOutcomeUnknownAndMayStillApply() {
    try (NetNs n = NetNs.open(ns.path());
        Nftables nft = Nftables.open(n, Duration.ofMillis(300))) {
      nft.run(NftFixture.skeleton(table));
      String doc = NftFixture.document(add(table, "10.3.0.1"));
      // Holding libnftables' process-wide lock stalls the handle's thread inside the command.
      synchronized (NftNative.LIBRARY_LOCK) {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> nft.run(doc))
            .isInstanceOfSatisfying(
                NftablesException.class,
                e -> {
                  assertThat(e.isOutcomeUnknown()).isTrue();
                  assertThat(e.getMessage())
                      .contains("no answer within PT0.3S; it may still be applied");
                  assertThat(e.command()).isEqualTo(doc);
                });
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));

        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> nft.run(doc))
            .isInstanceOfSatisfying(
                NftablesException.class,
                e -> {
                  assertThat(e.isOutcomeUnknown()).isTrue();
                  assertThat(e.getMessage()).contains("interrupted while waiting");
                });
        assertThat(Thread.interrupted()).as("interrupt flag re-set").isTrue();
      }
      // Both queued commands ran once the lock was free; the next call waits behind them.
      assertThat(
              parse(nft.listSet(table, "t4_web")).path("nftables").get(1).path("set").path("elem"))
          .extracting(JsonNode::asText)
          .containsExactly("10.3.0.1");
    }
  }
}
