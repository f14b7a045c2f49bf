package io.github.calicoj.testkit;

import java.util.Arrays;

/** Nearest-rank percentiles of latency samples, shared by the bench programs. */
public final class BenchStats {
  private BenchStats() {}

  /** The {@code p}th percentile (0..100) of {@code samples}, nearest rank. */
  public static long percentile(long[] samples, double p) {
    long[] s = samples.clone();
    Arrays.sort(s);
    int rank = (int) Math.ceil(p / 100.0 * s.length);
    return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
  }

  /** The median. */
  public static long median(long[] samples) {
    return percentile(samples, 50);
  }

  /** The 99th percentile. */
  public static long p99(long[] samples) {
    return percentile(samples, 99);
  }
}
