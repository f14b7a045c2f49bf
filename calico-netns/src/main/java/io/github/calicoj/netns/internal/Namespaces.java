package io.github.calicoj.netns.internal;

import io.github.calicoj.netns.NetnsException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Running code inside another network namespace, under the JVM's thread rule.
 *
 * <p>{@code setns(2)} moves only the calling OS thread, and a thread started by a switched thread
 * inherits the switch. So a switch happens only on a platform thread made for that one call,
 * never on a caller or pool thread: the thread opens its own namespace, enters the target, runs the
 * body, goes back, and ends. If it cannot go back it ends all the same (and is logged), so no
 * thread ever does other work in a foreign namespace. Bodies must not start threads or run user
 * callbacks.
 */
public final class Namespaces {
  private static final Logger LOG = LoggerFactory.getLogger(Namespaces.class);
  private static final AtomicInteger THREADS = new AtomicInteger();
  /** How long a switched call may take; socket() and a sysctl write take microseconds. */
  public static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private Namespaces() {}

  /** Body of a switched call. */
  @FunctionalInterface
  public interface Body<T> extends Callable<T> {}

  /**
   * Runs {@code body} on a new platform thread inside the namespace of {@code targetFd}.
   *
   * @param what describes the target, for errors
   * @throws NetnsException if the thread cannot enter the namespace, or the body threw one
   */
  public static <T> T callIn(int targetFd, String what, Callable<T> body) {
    AtomicReference<@Nullable Object> result = new AtomicReference<>();
    AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();
    Thread t =
        new Thread(
            () -> {
              try {
                result.set(switched(targetFd, what, body));
              } catch (Throwable e) {
                failure.set(e);
              }
            },
            "calicoj-netns-" + THREADS.incrementAndGet());
    t.setDaemon(true);
    t.start();
    try {
      t.join(CALL_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NetnsException("setns", what, 0, "", "interrupted while waiting", null, e);
    }
    if (t.isAlive()) {
      throw new NetnsException(
          "setns", what, 0, "", "switched call did not finish within " + CALL_TIMEOUT, null, null);
    }
    Throwable f = failure.get();
    if (f instanceof RuntimeException re) {
      throw re;
    }
    if (f instanceof Error err) {
      throw err;
    }
    if (f != null) {
      throw new NetnsException("call in netns", what, 0, "", f.toString(), null, f);
    }
    @SuppressWarnings("unchecked")
    T value = (T) result.get();
    return value;
  }

  /** Creates a netlink socket bound to the namespace of {@code targetFd}; returns the raw fd. */
  public static int socketIn(int targetFd, String what) {
    return callIn(targetFd, what, NetlinkSocket::rawSocket);
  }

  /** The body of the switching thread; runs only on a thread made for it. */
  private static <T> T switched(int targetFd, String what, Callable<T> body) throws Exception {
    LibC c = Native.libc();
    int home = c.open("/proc/thread-self/ns/net", Native.O_RDONLY | Native.O_CLOEXEC);
    if (home < 0) {
      throw Native.error("open", "/proc/thread-self/ns/net", Native.errno(), null);
    }
    try {
      if (c.setns(targetFd, Native.CLONE_NEWNET) != 0) {
        throw Native.error("setns", what, Native.errno(), null);
      }
      try {
        return body.call();
      } finally {
        if (c.setns(home, Native.CLONE_NEWNET) != 0) {
          // The thread ends right after this anyway; nothing else ever runs on it.
          LOG.error(
              "Thread {} could not return from {} (errno {}); it ends now",
              Thread.currentThread().getName(),
              what,
              Native.errno());
        }
      }
    } finally {
      c.close(home);
    }
  }
}
