package io.github.calicoj.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The sockets this JVM holds open, read from {@code /proc/self/fd} (links named {@code
 * socket:[inode]}): for tests that check that a client's {@code close()} released every connection.
 */
public final class SocketFds {
  private SocketFds() {}

  /** The inodes of the sockets open right now, e.g. {@code socket:[123456]}. */
  public static Set<String> open() {
    Set<String> sockets = new TreeSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:")) {
            sockets.add(target);
          }
        } catch (IOException e) {
          // closed between the listing and the read: not open
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sockets;
  }

  /**
   * Waits up to {@code patience} for every socket not in {@code baseline} to close (some clients
   * close asynchronously) and returns those still open, empty if none.
   */
  public static Set<String> leftOver(Set<String> baseline, Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    while (true) {
      Set<String> extra = open();
      extra.removeAll(baseline);
      if (extra.isEmpty() || System.nanoTime() - deadline >= 0) {
        return extra;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return extra;
      }
    }
  }
}
