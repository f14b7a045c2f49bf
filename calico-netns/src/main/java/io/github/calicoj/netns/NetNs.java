package io.github.calicoj.netns;

import static java.util.Objects.requireNonNull;

import com.google.common.base.Preconditions;
import io.github.calicoj.netns.internal.LibC;
import io.github.calicoj.netns.internal.Namespaces;
import io.github.calicoj.netns.internal.Native;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An open network namespace: a file descriptor on a namespace file such as {@code
 * /var/run/netns/NAME}, {@code /proc/PID/ns/net} or a Docker {@code SandboxKey}.
 *
 * <p>{@link #open} checks that the path really is a network namespace (nsfs, type {@code
 * CLONE_NEWNET}) and says precisely what it is otherwise. The namespace stays alive while the fd is
 * open, even if its process exits or its mount is removed.
 *
 * <p>Thread-safe. The opener owns the instance and closes it; {@code close()} is idempotent. Not
 * for use on virtual threads' behalf: {@link #call} runs the body on a platform thread of its own.
 */
public final class NetNs implements AutoCloseable {
  /** Where named namespaces live, as iproute2 keeps them. */
  public static final Path NAMED_DIR = Path.of("/var/run/netns");

  private static final Path THREAD_SELF = Path.of("/proc/thread-self/ns/net");

  private final int fd;
  private final String path;
  private final Identity identity;
  private final AtomicBoolean closed = new AtomicBoolean();

  private NetNs(int fd, String path, Identity identity) {
    this.fd = fd;
    this.path = path;
    this.identity = identity;
  }

  /**
   * What makes a network namespace itself: the device and inode of its nsfs file, as {@code stat}
   * reports them for {@code /proc/PID/ns/net} or a bind mount of it. Two paths name the same
   * namespace exactly when their identities are equal, while the namespace lives; the kernel may
   * reuse an inode number once it is gone. Immutable; {@link #toString()} and {@link #parse}
   * round-trip.
   *
   * @param dev the device number ({@code st_dev}) of the nsfs file
   * @param ino the inode number ({@code st_ino})
   */
  public record Identity(long dev, long ino) {
    /** Parses {@link #toString()}'s form, {@code DEV:INO} in decimal. */
    public static Identity parse(String text) {
      requireNonNull(text, "text");
      int colon = text.indexOf(':');
      try {
        if (colon > 0) {
          return new Identity(
              Long.parseUnsignedLong(text.substring(0, colon)),
              Long.parseUnsignedLong(text.substring(colon + 1)));
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException("Not a namespace identity (DEV:INO): " + text);
    }

    /** {@code DEV:INO} in decimal, such as {@code 4:4026531840}. */
    @Override
    public String toString() {
      return Long.toUnsignedString(dev) + ":" + Long.toUnsignedString(ino);
    }
  }

  /**
   * Opens the network namespace at {@code path}.
   *
   * @throws InvalidNamespaceException if the path is missing, a directory, not a namespace file, or
   *     a namespace of another type
   */
  public static NetNs open(Path path) {
    requireNonNull(path, "path");
    String p = path.toString();
    NetnsSupport.ensureAvailable();
    LibC c = Native.libc();
    int fd = c.open(p, Native.O_RDONLY | Native.O_CLOEXEC);
    if (fd < 0) {
      int errno = Native.errno();
      throw new InvalidNamespaceException(
          p,
          errno == NetnsException.ENOENT
              ? InvalidNamespaceException.Reason.MISSING
              : InvalidNamespaceException.Reason.INACCESSIBLE,
          errno,
          Native.errnoName(errno),
          Native.strerror(errno),
          null);
    }
    try {
      return adopt(fd, p);
    } catch (RuntimeException e) {
      c.close(fd);
      throw e;
    }
  }

  /** Checks that {@code fd} is a network namespace and wraps it. */
  private static NetNs adopt(int fd, String p) {
    LibC c = Native.libc();
    // A heap buffer: jnr-ffi copies it out, cheaper than a direct buffer for one call.
    ByteBuffer buf = ByteBuffer.allocate(Native.STAT_SIZE).order(ByteOrder.nativeOrder());
    if (c.fstat(fd, buf) != 0) {
      throw inaccessible(p, Native.errno());
    }
    Identity identity =
        new Identity(buf.getLong(Native.STAT_DEV_OFFSET), buf.getLong(Native.STAT_INO_OFFSET));
    if ((buf.getInt(Native.STAT_MODE_OFFSET) & Native.S_IFMT) == Native.S_IFDIR) {
      throw new InvalidNamespaceException(
          p,
          InvalidNamespaceException.Reason.DIRECTORY,
          0,
          "",
          "is a directory, not a network namespace file",
          null);
    }
    if (c.fstatfs(fd, buf) != 0) {
      throw inaccessible(p, Native.errno());
    }
    long magic = buf.getLong(0); // f_type, the first field of struct statfs
    if (magic != Native.NSFS_MAGIC) {
      throw new InvalidNamespaceException(
          p,
          InvalidNamespaceException.Reason.NOT_A_NAMESPACE,
          0,
          "",
          "not a namespace file (filesystem type 0x" + Long.toHexString(magic) + ")",
          null);
    }
    int type = c.ioctl(fd, Native.NS_GET_NSTYPE);
    if (type != Native.CLONE_NEWNET) {
      throw new InvalidNamespaceException(
          p,
          InvalidNamespaceException.Reason.WRONG_NAMESPACE_TYPE,
          0,
          "",
          "a namespace of another type (CLONE flag 0x" + Integer.toHexString(type) + ")",
          null);
    }
    return new NetNs(fd, p, identity);
  }

  private static InvalidNamespaceException inaccessible(String path, int errno) {
    return new InvalidNamespaceException(
        path,
        InvalidNamespaceException.Reason.INACCESSIBLE,
        errno,
        Native.errnoName(errno),
        Native.strerror(errno),
        null);
  }

  /**
   * Returns an independent handle on the same namespace (its own fd, {@code dup}): closing either
   * handle leaves the other open. The caller owns the new handle.
   */
  public NetNs duplicate() {
    int copy = Native.libc().fcntl(fd(), Native.F_DUPFD_CLOEXEC, 0);
    if (copy < 0) {
      throw Native.error("fcntl(F_DUPFD_CLOEXEC)", path, Native.errno(), null);
    }
    return new NetNs(copy, path, identity);
  }

  /**
   * Creates a new, empty network namespace bound at {@code /var/run/netns/NAME} and opens it:
   * {@code ip netns add NAME}, without running {@code ip}. The namespace lives until {@link
   * #deleteNamed} (and any open handle) goes.
   *
   * @throws IllegalArgumentException if the name is not a plain file name
   * @throws NetnsException EEXIST if the name is taken; EPERM without root
   */
  public static NetNs createNamed(String name) {
    Path target = namedPath(name);
    NetnsSupport.ensureAvailable();
    try {
      Files.createDirectories(NAMED_DIR);
      Files.createFile(target);
    } catch (FileAlreadyExistsException e) {
      throw new NetnsException(
          "create netns",
          target.toString(),
          NetnsException.EEXIST,
          "EEXIST",
          "File exists",
          null,
          e);
    } catch (IOException e) {
      throw new NetnsException("create netns", target.toString(), 0, "", e.toString(), null, e);
    }
    try {
      Namespaces.createAt(target);
      return open(target);
    } catch (RuntimeException e) {
      try {
        Files.deleteIfExists(target);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * Removes a named namespace: {@code ip netns del NAME} (unmount, then delete the file). The
   * namespace itself ends when no process and no open handle use it any more.
   *
   * @return false if there was no such namespace
   */
  public static boolean deleteNamed(String name) {
    Path target = namedPath(name);
    if (!Files.exists(target)) {
      return false;
    }
    NetnsSupport.ensureAvailable();
    try {
      Namespaces.unmount(target);
    } catch (NetnsException e) {
      if (!e.isInvalidArgument()) { // EINVAL: not a mount point any more
        throw e;
      }
    }
    try {
      Files.deleteIfExists(target);
    } catch (IOException e) {
      throw new NetnsException("delete netns", target.toString(), 0, "", e.toString(), null, e);
    }
    return true;
  }

  private static Path namedPath(String name) {
    requireNonNull(name, "name");
    Preconditions.checkArgument(
        name.matches("[A-Za-z0-9_.\\-]{1,200}") && !name.equals(".") && !name.equals(".."),
        "Bad namespace name: %s",
        name);
    return NAMED_DIR.resolve(name);
  }

  /**
   * Opens the calling thread's current network namespace ({@code /proc/thread-self/ns/net}): for a
   * normal thread, the host's.
   */
  public static NetNs current() {
    return open(THREAD_SELF);
  }

  /**
   * The identity of the network namespace at {@code path}, checked as {@link #open} checks it; no
   * file descriptor stays open.
   *
   * @throws InvalidNamespaceException as {@link #open} does
   */
  public static Identity identityOf(Path path) {
    try (NetNs ns = open(path)) {
      return ns.identity;
    }
  }

  /** The identity of the calling thread's network namespace ({@code /proc/thread-self/ns/net}). */
  public static Identity currentThreadIdentity() {
    return identityOf(THREAD_SELF);
  }

  /** The path this namespace was opened from. */
  public String path() {
    return path;
  }

  /**
   * The raw file descriptor, valid until {@link #close()}. For netlink's {@code IFLA_NET_NS_FD} and
   * other native code; do not close it yourself.
   */
  public int fd() {
    if (closed.get()) {
      throw new IllegalStateException("NetNs " + path + " is closed");
    }
    return fd;
  }

  /** The namespace's identity: its nsfs device and inode. */
  public Identity identity() {
    return identity;
  }

  /** The namespace's inode number; {@link #identity()} adds the device. */
  public long inode() {
    return identity.ino();
  }

  /** True if {@code other} refers to the same namespace (same device and inode). */
  public boolean isSameAs(NetNs other) {
    return identity.equals(other.identity);
  }

  /**
   * Runs {@code body} inside this namespace, on a platform thread created for this call alone,
   * which returns to its namespace (or is discarded) and ends. The body must not start threads. Use
   * it for what neither netlink nor {@link Sysctls} can do, such as reading another procfs file of
   * the namespace.
   *
   * @throws NetnsException if the namespace cannot be entered, or as thrown by the body
   */
  public <T> T call(Callable<T> body) {
    requireNonNull(body, "body");
    return Namespaces.callOnFreshThread(fd(), "netns " + path, body);
  }

  /** Closes the fd. Idempotent, thread-safe, never throws. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      Native.libc().close(fd);
    }
  }

  @Override
  public String toString() {
    return "NetNs{" + path + ", " + identity + "}";
  }
}
