package io.github.calicoj.node;

import java.util.function.Predicate;
import java.util.function.Supplier;

/** Polls a value until it satisfies a condition or time runs out (for asynchronous writes). */
final class Poll {
  private Poll() {}

  /** The first value that passes {@code done}, or the last one read when {@code millis} ran out. */
  static <T> T until(Supplier<T> read, Predicate<T> done, long millis) {
    long end = System.nanoTime() + millis * 1_000_000;
    T v = read.get();
    while (!done.test(v) && System.nanoTime() < end) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return v;
      }
      v = read.get();
    }
    return v;
  }
}
