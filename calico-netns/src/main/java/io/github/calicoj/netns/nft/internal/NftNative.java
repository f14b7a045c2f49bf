package io.github.calicoj.netns.nft.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.github.calicoj.netns.internal.Native;
import java.util.List;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;

/** Loading libnftables, and the process-wide facts about it. */
public final class NftNative {
  /** The Debian package that ships the library (the {@code nft} tool is in {@code nftables}). */
  public static final String DEBIAN_PACKAGE = "libnftables1";

  /**
   * The soname, pinned: jnr-ffi would also find an unversioned {@code nftables}, but that could be
   * a later, incompatible ABI.
   */
  public static final List<String> LIBRARY_NAMES = List.of("libnftables.so.1");

  /**
   * libnftables keeps process-wide state outside its contexts: the interface-name cache ({@code
   * src/iface.c}: a static list filled and released around every command) and one-time
   * initialisation in {@code nft_ctx_new}. Calls through different contexts on different threads
   * would race on it, so every call into the library, from any handle, holds this lock.
   */
  public static final Object LIBRARY_LOCK = new Object();

  // include/linux/socket.h, include/uapi/linux/netlink.h
  private static final int AF_NETLINK = 16;
  private static final int NETLINK_NETFILTER = 12;

  private NftNative() {}

  private static final class Holder {
    static final LibNftables LIB = load(LIBRARY_NAMES);
  }

  /** The library, loaded on first use; throws {@link UnsatisfiedLinkError} if it is missing. */
  public static LibNftables lib() {
    return Holder.LIB;
  }

  /**
   * Loads the library under the first of {@code names} that loads.
   *
   * @throws UnsatisfiedLinkError naming the names tried and the Debian package to install
   */
  public static LibNftables load(List<String> names) {
    UnsatisfiedLinkError failure =
        new UnsatisfiedLinkError(
            "cannot load libnftables (tried "
                + String.join(", ", names)
                + "); install the Debian package "
                + DEBIAN_PACKAGE
                + " (apt-get install "
                + DEBIAN_PACKAGE
                + ")");
    for (String name : names) {
      try {
        return LibraryLoader.create(LibNftables.class).failImmediately().load(name);
      } catch (LinkageError e) {
        failure.addSuppressed(e);
      }
    }
    throw failure;
  }

  /**
   * Opens and closes a NETLINK_NETFILTER socket in the calling thread's namespace. libnftables
   * opens one in {@code nft_ctx_new} and calls {@code exit()} if that fails ({@code
   * netlink_init_error}), which would end the JVM; this check fails with an exception first.
   *
   * @throws io.github.calicoj.netns.NetnsException with the errno of {@code socket()}
   */
  public static void checkNetfilterSocket() {
    int fd =
        Native.libc().socket(AF_NETLINK, Native.SOCK_RAW | Native.SOCK_CLOEXEC, NETLINK_NETFILTER);
    if (fd < 0) {
      throw Native.error("socket", "AF_NETLINK/NETLINK_NETFILTER", Native.errno(), null);
    }
    Native.libc().close(fd);
  }

  /** The NUL-terminated UTF-8 string at {@code p}. */
  static String string(Pointer p) {
    int length = p.indexOf(0, (byte) 0);
    if (length <= 0) {
      return "";
    }
    byte[] bytes = new byte[length];
    p.get(0, bytes, 0, length);
    return new String(bytes, UTF_8);
  }
}
