package io.github.calicoj.core.client;

import com.google.common.base.Throwables;
import io.github.calicoj.core.CalicoException;
import io.github.calicoj.core.CalicoException.Reason;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dataplane work an add runs on another thread while its own thread writes to the datastore, waited
 * for within a bound. Used from one flow at a time.
 */
final class DataplaneWork {
  private static final Logger LOG = LoggerFactory.getLogger(DataplaneWork.class);

  private final Future<?> work;
  private final long waitNanos;

  private DataplaneWork(Future<?> work, long waitNanos) {
    this.work = work;
    this.waitNanos = waitNanos;
  }

  /** Starts {@code body} on {@code executor}. */
  static DataplaneWork start(ExecutorService executor, Duration wait, Callable<?> body) {
    return new DataplaneWork(executor.submit(body), wait.toNanos());
  }

  /**
   * Waits for the work to end; its failure is rethrown as it was thrown.
   *
   * @throws CalicoException ({@link Reason#DATAPLANE_TIMEOUT}) if it did not end in time
   */
  void await(String subject) {
    try {
      work.get(waitNanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new CalicoException(
          Reason.DATAPLANE_TIMEOUT,
          "The dataplane work for "
              + subject
              + " did not finish within "
              + Duration.ofNanos(waitNanos),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for an add's dataplane work", e);
    } catch (ExecutionException e) {
      Throwables.throwIfUnchecked(e.getCause());
      throw new IllegalStateException(e.getCause());
    }
  }

  /**
   * Waits for the work to end, whatever its outcome, so that nothing is undone under it; a
   * rollback's own interrupt does not cut the wait short.
   */
  void awaitQuietly() {
    boolean interrupted = Thread.interrupted();
    try {
      work.get(waitNanos, TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      // the add reports its own failure; this one is the same or a consequence
    } catch (TimeoutException | InterruptedException e) {
      LOG.warn("Dataplane work of an add did not end within {}", Duration.ofNanos(waitNanos));
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
