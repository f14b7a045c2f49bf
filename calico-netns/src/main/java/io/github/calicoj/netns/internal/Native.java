package io.github.calicoj.netns.internal;

import io.github.calicoj.netns.NetnsException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.constants.platform.Errno;
import jnr.ffi.LibraryLoader;
import org.jspecify.annotations.Nullable;

/**
 * The loaded libc binding, Linux constants, and the one place where errno becomes a {@link
 * NetnsException}. Loading happens once, on first use.
 */
public final class Native {
  // include/uapi/asm-generic/fcntl.h, socket.h; the same on x86-64 and arm64.
  public static final int O_RDONLY = 0;
  public static final int O_WRONLY = 1;
  public static final int O_CLOEXEC = 0x80000;
  public static final int SOCK_RAW = 3;
  public static final int SOCK_CLOEXEC = 0x80000;
  public static final int SOL_SOCKET = 1;
  public static final int SO_RCVBUF = 8;
  public static final int SO_RCVTIMEO = 20;
  public static final int F_DUPFD_CLOEXEC = 1030;
  // struct stat on x86-64 and arm64 (asm-generic): st_dev u64 @0, st_ino u64 @8; st_mode u32 @24
  // on x86-64, @16 on arm64.
  public static final int STAT_SIZE = 256;
  public static final int STAT_DEV_OFFSET = 0;
  public static final int STAT_INO_OFFSET = 8;
  public static final int STAT_MODE_OFFSET =
      System.getProperty("os.arch", "").equals("aarch64") ? 16 : 24;
  public static final int S_IFMT = 0170000;
  public static final int S_IFDIR = 0040000;
  // include/uapi/linux/sched.h
  public static final int CLONE_NEWNET = 0x40000000;
  // include/uapi/linux/magic.h
  public static final long NSFS_MAGIC = 0x6e736673L;
  // include/uapi/linux/nsfs.h: NS_GET_NSTYPE = _IO(0xb7, 0x3)
  public static final long NS_GET_NSTYPE = 0xb703L;
  // include/uapi/linux/mount.h
  public static final long MS_BIND = 4096;
  public static final int MNT_DETACH = 2;

  private Native() {}

  private static final class Holder {
    static final LibC LIBC = LibraryLoader.create(LibC.class).failImmediately().load("c");
    static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(LIBC);
  }

  /** The libc binding; loads it on first use. */
  public static LibC libc() {
    return Holder.LIBC;
  }

  /** errno of the last failed call on this thread. */
  public static int errno() {
    return Holder.RUNTIME.getLastError();
  }

  /** A direct buffer in native order. */
  public static ByteBuffer direct(int size) {
    return ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
  }

  /** The exception for a failed syscall or netlink request. */
  public static NetnsException error(
      String operation, String subject, int errno, @Nullable String kernelMessage) {
    return new NetnsException(
        operation, subject, errno, errnoName(errno), strerror(errno), kernelMessage, null);
  }

  /** {@code EEXIST} for 17, and so on; empty for 0 or an unknown value. */
  public static String errnoName(int errno) {
    if (errno == 0) {
      return "";
    }
    Errno e = Errno.valueOf(errno);
    return e == null || e == Errno.__UNKNOWN_CONSTANT__ ? "errno " + errno : e.name();
  }

  /** strerror's text for {@code errno}. */
  public static String strerror(int errno) {
    if (errno == 0) {
      return "no error";
    }
    Errno e = Errno.valueOf(errno);
    return e == null || e == Errno.__UNKNOWN_CONSTANT__ ? "unknown error" : e.description();
  }
}
