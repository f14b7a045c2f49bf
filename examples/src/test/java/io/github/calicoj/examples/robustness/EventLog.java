package io.github.calicoj.examples.robustness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * The lines of a monitoring process ({@code ip monitor link}, {@code etcdctl watch}), each with the
 * moment it was read ({@link System#nanoTime}), for timing what another process does. Its reader is
 * a daemon thread; {@link #close} kills the process. Thread-safe.
 */
final class EventLog implements AutoCloseable {
  /** One line and when it arrived. */
  record Event(long nanos, String line) {}

  private final Process process;
  private final List<Event> events = new CopyOnWriteArrayList<>();

  EventLog(List<String> command) {
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot run " + command, e);
    }
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                  events.add(new Event(System.nanoTime(), l));
                }
              } catch (IOException e) {
                // the process was killed
              }
            },
            "cjt-eventlog");
    t.setDaemon(true);
    t.start();
  }

  /** When the first line after {@code afterNanos} that {@code matches} arrived, if one did. */
  OptionalLong first(long afterNanos, Predicate<String> matches) {
    for (Event e : events) {
      if (e.nanos() >= afterNanos && matches.test(e.line())) {
        return OptionalLong.of(e.nanos());
      }
    }
    return OptionalLong.empty();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
