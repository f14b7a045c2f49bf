package io.github.calicoj.datastore.jetcd;

import io.github.calicoj.datastore.DatastoreException;
import io.github.calicoj.datastore.DatastoreTimeoutException;
import io.github.calicoj.datastore.DatastoreUnavailableException;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.etcd.internal.Backoff;
import io.github.calicoj.datastore.etcd.internal.EtcdFailures;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * How the jetcd client waits for jetcd: every call by one deadline, retried as far as that is safe,
 * with every failure translated. jetcd's futures and exceptions stop here. Thread-safe.
 */
final class JetcdCalls {
  private final Duration requestTimeout;
  private final long timeoutNanos;
  private final String where;

  JetcdCalls(Duration requestTimeout, String where) {
    this.requestTimeout = requestTimeout;
    this.timeoutNanos = requestTimeout.toNanos();
    this.where = where;
  }

  /** The bound on every call. */
  Duration requestTimeout() {
    return requestTimeout;
  }

  /** The endpoints, for messages. */
  String where() {
    return where;
  }

  /** The deadline ({@link System#nanoTime()}) of a call that starts now. */
  long deadline() {
    return System.nanoTime() + timeoutNanos;
  }

  /**
   * Runs a jetcd call by {@code deadline}, translating every failure. A call that etcd refused
   * before applying it ({@link EtcdFailures#notApplied}), and a read that failed with UNAVAILABLE,
   * is sent again after a short back-off while the deadline allows; every attempt shares the one
   * deadline.
   *
   * @param write true for writes: a failure other than a refusal leaves their outcome unknown
   */
  <T> T run(
      Supplier<CompletableFuture<T>> call,
      String operation,
      @Nullable Key key,
      boolean write,
      long deadline) {
    long backoffMs = Backoff.FIRST_MS;
    while (true) {
      try {
        return await(call.get(), operation, key, write, deadline);
      } catch (DatastoreException e) {
        Throwable cause = e.getCause();
        boolean retryable =
            cause != null
                && (JetcdErrors.notApplied(cause) || (!write && JetcdErrors.isUnavailable(cause)));
        if (!retryable || deadline - System.nanoTime() <= backoffMs * 1_000_000) {
          throw e;
        }
        backoffMs = Backoff.pause(backoffMs, deadline);
      }
    }
  }

  /** Waits for a jetcd call until {@code deadline} and translates every failure. */
  <T> T await(
      CompletableFuture<T> future,
      String operation,
      @Nullable Key key,
      boolean write,
      long deadline) {
    try {
      return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true); // for a keep-alive, this also ends its stream
      throw new DatastoreTimeoutException(
          EtcdFailures.timeoutMessage(operation, key, requestTimeout, where, null, write),
          key,
          write,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(true);
      throw new DatastoreUnavailableException(
          EtcdFailures.withOutcome(
              EtcdFailures.subject(operation, key) + " interrupted (" + where + ")", write),
          key,
          write,
          e);
    } catch (ExecutionException e) {
      throw JetcdErrors.translate(e, operation, key, write, where);
    } catch (RuntimeException e) {
      // jetcd can throw synchronously, e.g. when its client was closed underneath us.
      throw JetcdErrors.translate(e, operation, key, write, where);
    }
  }
}
