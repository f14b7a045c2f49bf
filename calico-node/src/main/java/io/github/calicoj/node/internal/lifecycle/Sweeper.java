package io.github.calicoj.node.internal.lifecycle;

import static java.util.Objects.requireNonNull;

import io.github.calicoj.core.check.CheckReport;
import io.github.calicoj.core.check.Repair;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a leak sweep (core's check in repair mode) every interval on a thread of its own, the first
 * one an interval after {@link #start()}, the next an interval after the previous one ended, so
 * sweeps never overlap or pile up. Each sweep's result is logged in one line; a sweep that fails is
 * logged and the next one runs as planned. Thread-safe; {@link #close()} stops and joins the
 * thread.
 */
final class Sweeper implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Sweeper.class);

  private final String hostname;
  private final Duration interval;
  private final Duration timeout;
  private final Supplier<CheckReport> sweep;
  private final Consumer<CheckReport> listener;
  private final Thread thread;
  private volatile boolean closed;

  /**
   * A sweeper for {@code hostname} that runs {@code sweep} every {@code interval} (positive) and
   * gives each report to {@code listener}; {@link #close()} waits at most {@code timeout} for a
   * sweep under way.
   */
  Sweeper(
      String hostname,
      Duration interval,
      Duration timeout,
      Supplier<CheckReport> sweep,
      Consumer<CheckReport> listener) {
    this.hostname = requireNonNull(hostname, "hostname");
    this.interval = requireNonNull(interval, "interval");
    this.timeout = requireNonNull(timeout, "timeout");
    this.sweep = requireNonNull(sweep, "sweep");
    this.listener = requireNonNull(listener, "listener");
    this.thread = new Thread(this::run, "calico-node-sweep-" + hostname);
    thread.setDaemon(true);
  }

  /** Plans the sweeps; the first runs one interval from now. */
  void start() {
    thread.start();
  }

  private void run() {
    while (!closed) {
      try {
        TimeUnit.NANOSECONDS.sleep(Housekeeping.nanos(interval));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return; // closed
      }
      if (closed) {
        return;
      }
      sweepOnce();
    }
  }

  private void sweepOnce() {
    long t0 = System.nanoTime();
    try {
      CheckReport report = sweep.get();
      LOG.info("{}", summary(report, Duration.ofNanos(System.nanoTime() - t0)));
      listener.accept(report);
    } catch (RuntimeException | AssertionError e) {
      if (closed) {
        LOG.debug("{}: sweep stopped by close: {}", hostname, e.toString());
      } else {
        LOG.warn(
            "{}: sweep failed (the next in {}): {}",
            hostname,
            Housekeeping.text(interval),
            e.toString());
        LOG.debug("sweep failure", e);
      }
    }
  }

  /**
   * The one log line of a sweep: {@code sweep of h1: 3 findings, 2 repaired, 1 too young, 0 left; 0
   * notes; 41 ms} (outcomes other than repaired and too young only when they occur).
   */
  static String summary(CheckReport report, Duration took) {
    Map<Repair.Outcome, Integer> outcomes = new EnumMap<>(Repair.Outcome.class);
    for (Repair r : report.repairs()) {
      outcomes.merge(r.outcome(), 1, Integer::sum);
    }
    StringBuilder s =
        new StringBuilder("sweep of ")
            .append(report.host())
            .append(": ")
            .append(report.findings().size())
            .append(" findings, ")
            .append(outcomes.getOrDefault(Repair.Outcome.REPAIRED, 0))
            .append(" repaired, ")
            .append(outcomes.getOrDefault(Repair.Outcome.TOO_YOUNG, 0))
            .append(" too young");
    outcomes.forEach(
        (o, n) -> {
          if (o != Repair.Outcome.REPAIRED && o != Repair.Outcome.TOO_YOUNG) {
            s.append(", ").append(n).append(' ').append(o.id().replace('-', ' '));
          }
        });
    s.append(", ")
        .append(report.unresolved().size())
        .append(" left; ")
        .append(report.notes().size())
        .append(report.notes().size() == 1 ? " note" : " notes");
    if (!report.notes().isEmpty()) {
      s.append(" (").append(report.notes().get(0));
      s.append(report.notes().size() > 1 ? ", …)" : ")");
    }
    return s.append("; ").append(String.format(Locale.ROOT, "%d ms", took.toMillis())).toString();
  }

  /**
   * Stops planning sweeps, interrupts one under way and waits for the thread to end (at most the
   * timeout). Idempotent; never throws.
   */
  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(timeout.toMillis());
      if (thread.isAlive()) {
        LOG.warn("{}: the sweep under way did not end within {}", hostname, timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
