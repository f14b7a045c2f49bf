package io.github.calicoj.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;

/**
 * Tasks that race: each on a thread of its own, all released at the same instant once every thread
 * is ready, their results collected in task order within a bound. For tests of what happens when
 * several writers collide (one winner among concurrent creates, no lost CAS increment).
 *
 * <pre>{@code
 * List<Boolean> won = Race.run(16, i -> () -> tryCreate(key, "t" + i), Duration.ofMinutes(1));
 * assertThat(won).containsOnlyOnce(true);
 * }</pre>
 */
public final class Race {
  private Race() {}

  /**
   * Runs {@code n} tasks made by {@code task} (given their index); see {@link #run(List,
   * Duration)}.
   */
  public static <T> List<T> run(int n, IntFunction<Callable<T>> task, Duration timeout)
      throws InterruptedException {
    List<Callable<T>> tasks = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      tasks.add(task.apply(i));
    }
    return run(tasks, timeout);
  }

  /**
   * Runs the tasks at once and returns their results in order.
   *
   * @throws AssertionError if a task throws (with its exception as the cause) or the tasks do not
   *     all finish within {@code timeout}; the threads are stopped either way
   */
  public static <T> List<T> run(List<? extends Callable<T>> tasks, Duration timeout)
      throws InterruptedException {
    ExecutorService threads = Executors.newFixedThreadPool(tasks.size());
    try {
      CountDownLatch ready = new CountDownLatch(tasks.size());
      CountDownLatch go = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (Callable<T> task : tasks) {
        futures.add(
            threads.submit(
                () -> {
                  ready.countDown();
                  go.await();
                  return task.call();
                }));
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      if (!ready.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new AssertionError("The racers were not all ready within " + timeout);
      }
      go.countDown();
      List<T> results = new ArrayList<>();
      for (int i = 0; i < futures.size(); i++) {
        try {
          results.add(
              futures.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
        } catch (ExecutionException e) {
          throw new AssertionError("Racer " + i + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
          throw new AssertionError("Racer " + i + " did not finish within " + timeout, e);
        }
      }
      return results;
    } finally {
      threads.shutdownNow();
    }
  }
}
