package io.github.calicoj.netns;

import io.github.calicoj.netns.internal.Native;
import io.github.calicoj.netns.internal.NetlinkSocket;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Whether calico-netns can work here: Linux, libc loads through jnr-ffi, and a NETLINK_ROUTE socket
 * opens. Probed once, on first use (netty's {@code Epoll} pattern). Thread-safe.
 */
public final class NetnsSupport {
  // The probe's outcome is fixed for the JVM's life, so its failure is kept, as netty's Epoll does.
  @SuppressWarnings("StaticAssignmentOfThrowable")
  private static final @Nullable Throwable CAUSE = probe();

  private NetnsSupport() {}

  /** True if namespaces and rtnetlink can be used. */
  public static boolean isAvailable() {
    return CAUSE == null;
  }

  /**
   * Throws if unavailable.
   *
   * @throws UnsupportedOperationException with the reason, and the probe's failure as cause
   */
  public static void ensureAvailable() {
    if (CAUSE != null) {
      throw new UnsupportedOperationException(
          "calico-netns is unavailable: " + CAUSE.getMessage(), CAUSE);
    }
  }

  /** Why it is unavailable, if it is. */
  public static Optional<Throwable> unavailabilityCause() {
    return Optional.ofNullable(CAUSE);
  }

  private static @Nullable Throwable probe() {
    String os = System.getProperty("os.name", "");
    if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
      return new UnsupportedOperationException("needs Linux, this is " + os);
    }
    try {
      Native.libc();
    } catch (Throwable e) {
      return new UnsupportedOperationException("cannot load libc through jnr-ffi: " + e, e);
    }
    try {
      int fd = NetlinkSocket.rawSocket();
      Native.libc().close(fd);
    } catch (Throwable e) {
      return new UnsupportedOperationException(
          "cannot open a NETLINK_ROUTE socket: " + e.getMessage(), e);
    }
    return null;
  }
}
