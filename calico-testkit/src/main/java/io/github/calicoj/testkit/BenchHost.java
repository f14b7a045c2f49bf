package io.github.calicoj.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a benchmark report says about the machine it ran on: the load average around the run and
 * whether the process runs under real-time scheduling ({@code BENCH_REALTIME=1 scripts/bench ...}
 * starts it under {@code chrt -f}, which its child processes inherit).
 */
public final class BenchHost {
  private BenchHost() {}

  /** The 1, 5 and 15 minute load averages, as {@code /proc/loadavg} gives them. */
  public static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ", -1);
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether this process runs under SCHED_FIFO (policy 1 in {@code /proc/self/sched}). */
  public static boolean realtime() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/sched"))) {
        if (line.startsWith("policy")) {
          return line.strip().endsWith(" 1");
        }
      }
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
