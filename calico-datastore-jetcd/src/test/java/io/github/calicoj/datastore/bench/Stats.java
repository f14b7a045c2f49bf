package io.github.calicoj.datastore.bench;

import java.util.Arrays;

/** Latency samples in nanoseconds, summarized as median and p99. Shared by the bench programs. */
public final class Stats {
  private final long[] samples;
  private int n;

  /** Room for {@code capacity} samples. */
  public Stats(int capacity) {
    samples = new long[capacity];
  }

  /** Adds one sample. */
  public void add(long nanos) {
    samples[n++] = nanos;
  }

  /** The given percentile (0..100) in nanoseconds, nearest-rank. */
  public long percentile(double p) {
    long[] sorted = Arrays.copyOf(samples, n);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * n);
    return sorted[Math.max(0, Math.min(n - 1, rank - 1))];
  }

  /** The median in nanoseconds. */
  public long median() {
    return percentile(50);
  }

  /** "median X µs, p99 Y µs". */
  public String summary() {
    return String.format("median %8.1f µs  p99 %8.1f µs", median() / 1e3, percentile(99) / 1e3);
  }
}
