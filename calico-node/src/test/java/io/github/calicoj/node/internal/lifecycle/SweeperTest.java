package io.github.calicoj.node.internal.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.check.CheckOptions;
import io.github.calicoj.core.check.CheckReport;
import io.github.calicoj.core.check.IpamChecker;
import io.github.calicoj.core.client.Owners;
import io.github.calicoj.core.ipam.Ipam;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.repository.IpPools;
import io.github.calicoj.datastore.memory.InMemoryDatastore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The sweep's schedule and its log line, with core's real checker on the in-memory datastore (no
 * root, no kernel: the check's dataplane part is off): the first sweep one interval after the
 * start, a failed sweep followed by the next, a sweep under way interrupted by close with no thread
 * left, and the summary of a report with a repaired and a too young leak.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class SweeperTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private InMemoryDatastore store;
  private Sweeper sweeper;

  @BeforeEach
  void setUp() {
    store = InMemoryDatastore.create();
    new IpPools(store).add(IpPool.of(Cidr.parse("10.65.0.0/16")));
  }

  @AfterEach
  void tearDown() {
    if (sweeper != null) {
      sweeper.close();
    }
    store.close();
  }

  private CheckReport check(Duration grace) {
    return IpamChecker.builder(store, "h1")
        .build()
        .run(CheckOptions.builder().repair(true).grace(grace).dataplane(false).build());
  }

  private void leak(String ip) {
    Ipam.on(store).assign(InetAddresses.forString(ip), "h1", Owners.of("h1", "namespace", ip));
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long end = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(end);
      Thread.sleep(10);
    }
  }

  private Sweeper sweeper(Duration interval, Supplier<CheckReport> sweep, List<CheckReport> out) {
    sweeper = new Sweeper("h1", interval, Duration.ofSeconds(5), sweep, out::add);
    return sweeper;
  }

  @Test
  void theFirstSweepRunsOneIntervalAfterTheStartAndRepairs() throws Exception {
    leak("10.65.0.1");
    List<Long> at = new CopyOnWriteArrayList<>();
    List<CheckReport> reports = new CopyOnWriteArrayList<>();
    Sweeper s =
        sweeper(
            Duration.ofMillis(400),
            () -> {
              at.add(System.nanoTime());
              return check(Duration.ZERO);
            },
            reports);
    long t0 = System.nanoTime();
    s.start();
    await(() -> reports.size() >= 2, "two sweeps");
    assertThat(at.get(0) - t0).as("not at start").isGreaterThanOrEqualTo(400_000_000L);
    assertThat(at.get(1) - at.get(0)).isGreaterThanOrEqualTo(400_000_000L);
    assertThat(reports.get(0).findings()).hasSize(1);
    assertThat(reports.get(0).unresolved()).isEmpty();
    assertThat(Ipam.on(store).isAssigned(InetAddresses.forString("10.65.0.1"))).isFalse();
    assertThat(reports.get(1).findings()).as("nothing left for the second").isEmpty();
  }

  @Test
  void aFailedSweepIsFollowedByTheNext() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    List<CheckReport> reports = new CopyOnWriteArrayList<>();
    sweeper(
            Duration.ofMillis(50),
            () -> {
              if (calls.incrementAndGet() <= 2) {
                throw new IllegalStateException("refused by the test");
              }
              return check(Duration.ZERO);
            },
            reports)
        .start();
    await(() -> reports.size() >= 1, "a sweep after two failures");
    assertThat(calls.get()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void closeInterruptsASweepUnderWayAndLeavesNoThread() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    AtomicInteger interrupted = new AtomicInteger();
    List<CheckReport> reports = new CopyOnWriteArrayList<>();
    Sweeper s =
        sweeper(
            Duration.ofMillis(20),
            () -> {
              running.countDown();
              try {
                Thread.sleep(60_000);
              } catch (InterruptedException e) {
                interrupted.incrementAndGet();
                Thread.currentThread().interrupt();
              }
              throw new IllegalStateException("interrupted");
            },
            reports);
    s.start();
    assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(sweepThreads()).hasSize(1);
    long t0 = System.nanoTime();
    s.close();
    s.close(); // idempotent
    assertThat(System.nanoTime() - t0)
        .as("close did not wait out the sweep")
        .isLessThan(4_000_000_000L);
    assertThat(interrupted.get()).isEqualTo(1);
    assertThat(sweepThreads()).isEmpty();
    assertThat(reports).isEmpty();
  }

  @Test
  void theSummaryCountsFindingsAndWhatWasDone() {
    leak("10.65.0.1");
    CheckReport young = check(Duration.ofMinutes(15));
    assertThat(Sweeper.summary(young, Duration.ofMillis(42)))
        .isEqualTo("sweep of h1: 1 findings, 0 repaired, 1 too young, 1 left; 0 notes; 42 ms");
    leak("10.65.0.2");
    CheckReport repaired = check(Duration.ZERO);
    assertThat(Sweeper.summary(repaired, Duration.ofMillis(7)))
        .isEqualTo("sweep of h1: 2 findings, 2 repaired, 0 too young, 0 left; 0 notes; 7 ms");
  }

  private static List<String> sweepThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.equals("calico-node-sweep-h1"))
        .toList();
  }
}
