package io.github.calicoj.datastore.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.DatastoreException;
import io.github.calicoj.datastore.DatastoreUnavailableException;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.RevisionConflictException;
import io.github.calicoj.datastore.WatchEvent;
import io.github.calicoj.datastore.WatchHandle;
import io.github.calicoj.testkit.EtcdCluster;
import io.github.calicoj.testkit.EtcdExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * On a 3-member cluster, SIGKILL the leader while 4 threads do CAS increments on one counter, with
 * a watch opened before the kill. No call may hang; every failure must be a typed exception raised
 * within the request timeout; no increment may be lost or doubled; the watch sees every write.
 *
 * <p>No operation may be lost either: the only failures allowed are writes reported as
 * outcome-unknown (in flight on the dead leader, or a proposal it took down with it). A read, or a
 * write that etcd refused before applying it ("leader changed", "no leader"), must be retried by
 * the client within its deadline, not handed to the caller. The one exception is a call whose
 * deadline the election itself used up: etcd answers nothing until it has a new leader, so a call
 * with less than {@link #AFTER_ELECTION} of its deadline left when the survivors elected one may
 * time out.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
public abstract class EtcdFailoverCases {
  /** The client these cases run against. */
  protected abstract EtcdClientKind kind();

  private static final Duration TIMEOUT = Duration.ofSeconds(3);

  /**
   * What a call needs after the election to be retried and answered: the read index of a call that
   * waited through the election fails with "leader changed", and the retry goes to a new leader.
   */
  static final Duration AFTER_ELECTION = Duration.ofMillis(1000);

  /** Scheduling noise allowed beyond the request timeout on a loaded 2-core machine. */
  private static final Duration SLACK = Duration.ofMillis(1500);

  @RegisterExtension protected static final EtcdExtension ETCD = EtcdExtension.members(3);

  /** A failed call: its exception and how long it took. */
  record Failure(DatastoreException error, long startNanos, long nanos, long startedAfterKillMs) {
    @Override
    public String toString() {
      return startedAfterKillMs
          + " ms after the kill, failed after "
          + nanos / 1_000_000
          + " ms: "
          + error;
    }
  }

  @Test
  public void leaderKillLosesNoIncrementAndNoCallHangs() throws Exception {
    EtcdClientKind client = kind();
    EtcdCluster cluster = ETCD.cluster();
    Key counter = Key.of("/calicoj-test/failover/" + client + "/counter");
    try (Datastore store =
        EtcdTestClients.build(client, b -> b.endpoints(ETCD.endpoints()).requestTimeout(TIMEOUT))) {
      KeyValue initial = store.put(counter, "0:init");
      List<String> watched = Collections.synchronizedList(new ArrayList<>());
      WatchHandle watch =
          store.watch(
              counter,
              initial.revision(),
              e -> {
                if (e instanceof WatchEvent.Put put) {
                  watched.add(put.current().value());
                }
              });

      AtomicBoolean stop = new AtomicBoolean();
      Set<String> succeeded = ConcurrentHashMap.newKeySet();
      Set<String> unknownOutcome = ConcurrentHashMap.newKeySet();
      List<Failure> failures = Collections.synchronizedList(new ArrayList<>());
      List<Object> otherErrors = Collections.synchronizedList(new ArrayList<>());
      List<Failure> lost = Collections.synchronizedList(new ArrayList<>());
      AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        workers.add(
            pool.submit(
                () -> {
                  int attempt = 0;
                  while (!stop.get()) {
                    String token = "t" + thread + "-" + attempt++;
                    long start = System.nanoTime();
                    try {
                      KeyValue current = store.get(counter).orElseThrow();
                      long n = Long.parseLong(current.value().split(":")[0]);
                      start = System.nanoTime();
                      store.update(counter, (n + 1) + ":" + token, current.revision());
                      succeeded.add(token);
                    } catch (RevisionConflictException e) {
                      // lost a race: normal
                    } catch (DatastoreException e) {
                      Failure f =
                          new Failure(
                              e,
                              start,
                              System.nanoTime() - start,
                              (start - killedAt.get()) / 1_000_000);
                      failures.add(f);
                      if (e instanceof DatastoreUnavailableException u && u.outcomeUnknown()) {
                        unknownOutcome.add(token);
                      } else {
                        lost.add(f);
                      }
                    } catch (RuntimeException e) {
                      otherErrors.add(e);
                    }
                  }
                }));
      }

      Thread.sleep(1500);
      EtcdCluster.Member leader = cluster.leader();
      long writesBeforeKill = succeeded.size();
      killedAt.set(System.nanoTime());
      cluster.kill(leader);
      try (Revival revival = () -> cluster.restart(leader)) { // the next run needs 3 members
        long electedAt = awaitNewLeader(cluster, leader);
        Thread.sleep(Math.max(0, 6000 - (electedAt - killedAt.get()) / 1_000_000));
        stop.set(true);
        for (Future<?> w : workers) {
          w.get(TIMEOUT.plus(SLACK).toMillis() * 3, TimeUnit.MILLISECONDS); // nobody hangs
        }
        pool.shutdown();

        long finalCount = Long.parseLong(store.get(counter).orElseThrow().value().split(":")[0]);
        // The watch must catch up with every write.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (watched.size() < finalCount && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        watch.close();

        long appliedUnknownCount = 0;
        synchronized (watched) {
          for (String v : watched) {
            String token = v.split(":")[1];
            if (!succeeded.contains(token)) {
              appliedUnknownCount++;
            }
          }
        }
        // A call whose deadline the election used up was not the client's to save.
        List<Failure> lostByClient = new ArrayList<>();
        for (Failure f : lost) {
          long leftAtElection = f.startNanos() + TIMEOUT.toNanos() - electedAt;
          if (leftAtElection >= AFTER_ELECTION.toNanos()) {
            lostByClient.add(f);
          }
        }
        System.out.printf(
            client
                + " failover: new leader %d ms after the kill; %d increments (%d before the kill), %d"
                + " failures (%d outcome unknown, %d of them applied; %d lost, %d of them with time"
                + " left after the election), max failure latency %d ms%n",
            (electedAt - killedAt.get()) / 1_000_000,
            succeeded.size(),
            writesBeforeKill,
            failures.size(),
            unknownOutcome.size(),
            appliedUnknownCount,
            lost.size(),
            lostByClient.size(),
            failures.stream().mapToLong(Failure::nanos).max().orElse(0) / 1_000_000);
        assertThat(otherErrors).as("untyped errors").isEmpty();
        assertThat(lostByClient)
            .as(
                "failed reads, and writes refused but not retried, with time left after the election")
            .isEmpty();
        assertThat(writesBeforeKill).as("increments before the kill").isPositive();
        assertThat(succeeded.size()).as("increments in all").isGreaterThan((int) writesBeforeKill);
        for (Failure f : failures) {
          assertThat(Duration.ofNanos(f.nanos()))
              .as("failure %s", f.error())
              .isLessThanOrEqualTo(TIMEOUT.plus(SLACK));
        }
        // The watch saw the counter go 1, 2, ... finalCount with no gap and no duplicate.
        List<String> seen;
        synchronized (watched) {
          seen = new ArrayList<>(watched);
        }
        assertThat(seen).hasSize((int) finalCount);
        Set<String> seenTokens = new HashSet<>();
        for (int i = 0; i < seen.size(); i++) {
          String[] parts = seen.get(i).split(":");
          assertThat(Long.parseLong(parts[0])).isEqualTo(i + 1L);
          seenTokens.add(parts[1]);
        }
        // Every reported success is in the history; anything else in it is a write whose outcome
        // was reported unknown and that was in fact applied.
        assertThat(seenTokens).containsAll(succeeded);
        Set<String> appliedUnknown = new HashSet<>(seenTokens);
        appliedUnknown.removeAll(succeeded);
        assertThat(unknownOutcome).containsAll(appliedUnknown);
        assertThat(finalCount).isEqualTo(succeeded.size() + appliedUnknown.size());
      } finally {
        stop.set(true);
      }
    }
  }

  /**
   * Polls the survivors until they report a leader other than {@code killed} and returns when
   * ({@link System#nanoTime()}) that was first seen; fails after 30 s.
   */
  private static long awaitNewLeader(EtcdCluster cluster, EtcdCluster.Member killed)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      try {
        if (cluster.leader() != killed) {
          return System.nanoTime();
        }
      } catch (RuntimeException e) {
        // no leader yet, or a member busy with the election: ask again
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the survivors elected no leader within 30 s");
  }

  /** Restarts a killed member when the test ends, passed or not. */
  private interface Revival extends AutoCloseable {
    @Override
    void close();
  }
}
