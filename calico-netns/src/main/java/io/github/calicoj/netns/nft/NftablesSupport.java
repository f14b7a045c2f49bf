package io.github.calicoj.netns.nft;

import io.github.calicoj.netns.NetnsSupport;
import io.github.calicoj.netns.nft.internal.NftNative;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Whether {@link Nftables} can work here: calico-netns is available ({@link NetnsSupport}),
 * libnftables ({@code libnftables.so.1}, Debian package {@value NftNative#DEBIAN_PACKAGE}) loads
 * through jnr-ffi, and a NETLINK_NETFILTER socket opens. Probed once, on first use (netty's {@code
 * Epoll} pattern). Needs no root. Thread-safe.
 */
public final class NftablesSupport {
  // The probe's outcome is fixed for the JVM's life, so its failure is kept, as netty's Epoll does.
  @SuppressWarnings("StaticAssignmentOfThrowable")
  private static final @Nullable Throwable CAUSE = probe(NftNative.LIBRARY_NAMES);

  private NftablesSupport() {}

  /** True if nftables can be programmed through libnftables. */
  public static boolean isAvailable() {
    return CAUSE == null;
  }

  /**
   * Throws if unavailable.
   *
   * @throws UnsupportedOperationException with the reason (naming the Debian package {@value
   *     NftNative#DEBIAN_PACKAGE} if the library is missing), and the probe's failure as cause
   */
  public static void ensureAvailable() {
    if (CAUSE != null) {
      throw unavailable(CAUSE);
    }
  }

  /** Why it is unavailable, if it is. */
  public static Optional<Throwable> unavailabilityCause() {
    return Optional.ofNullable(CAUSE);
  }

  static UnsupportedOperationException unavailable(Throwable cause) {
    return new UnsupportedOperationException(
        "nftables through libnftables is unavailable: " + cause.getMessage(), cause);
  }

  /** The probe, with the library names to try (tests pass a bogus one). */
  static @Nullable Throwable probe(List<String> libraryNames) {
    if (!NetnsSupport.isAvailable()) {
      return NetnsSupport.unavailabilityCause()
          .orElseGet(() -> new UnsupportedOperationException("calico-netns is unavailable"));
    }
    try {
      if (libraryNames.equals(NftNative.LIBRARY_NAMES)) {
        NftNative.lib(); // loads the instance Nftables will use
      } else {
        NftNative.load(libraryNames);
      }
    } catch (ExceptionInInitializerError e) {
      return e.getCause() != null ? e.getCause() : e;
    } catch (Throwable e) {
      return e;
    }
    try {
      NftNative.checkNetfilterSocket();
    } catch (RuntimeException e) {
      return e;
    }
    return null;
  }
}
