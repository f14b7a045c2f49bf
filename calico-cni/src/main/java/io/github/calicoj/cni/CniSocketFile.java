package io.github.calicoj.cni;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file system side of {@link CniServer}'s socket: its 0700 directory, a stale socket file
 * replaced, and the file removed on close only while it is still the server's.
 */
final class CniSocketFile {
  // The server's logger, so that its log lines keep their category.
  private static final Logger LOG = LoggerFactory.getLogger(CniServer.class);

  /** {@code S_IFMT} and {@code S_IFSOCK} of {@code st_mode}, sys/stat.h. */
  private static final int S_IFMT = 0170000;

  private static final int S_IFSOCK = 0140000;

  private CniSocketFile() {}

  /** Makes the directory 0700, or checks that it is this user's and makes it 0700. */
  static void prepareDirectory(Path dir) throws IOException {
    Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rwx------");
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(owner));
      Files.setPosixFilePermissions(dir, owner); // the umask may have taken some away
      return;
    }
    UserPrincipal me = Files.getOwner(Path.of("/proc/self"));
    UserPrincipal dirOwner = Files.getOwner(dir);
    if (!dirOwner.equals(me)) {
      throw new IllegalStateException(
          "The socket's directory "
              + dir
              + " belongs to "
              + dirOwner.getName()
              + ", not to "
              + me.getName()
              + ": choose another socket path");
    }
    if (!Files.getPosixFilePermissions(dir).equals(owner)) {
      LOG.info("Setting {} to mode 0700", dir);
      Files.setPosixFilePermissions(dir, owner);
    }
  }

  /**
   * Deletes a socket file that no server answers on; refuses a live one, and anything that is not a
   * socket.
   */
  static void replaceStaleSocket(Path socket) throws IOException {
    if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    int mode = (Integer) Files.getAttribute(socket, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    if ((mode & S_IFMT) != S_IFSOCK) {
      throw new IllegalStateException(socket + " exists and is not a socket: not replaced");
    }
    SocketChannel probe;
    try {
      probe = SocketChannel.open(UnixDomainSocketAddress.of(socket));
    } catch (IOException refused) {
      LOG.info("Replacing the stale socket {} ({})", socket, refused.toString());
      Files.delete(socket);
      return;
    }
    try {
      probe.close();
    } catch (IOException e) {
      LOG.debug("Closing the probe of {} failed: {}", socket, e.toString());
    }
    throw new IllegalStateException("Another server listens on " + socket);
  }

  /** The file's identity, to tell later whether it is still the one this server bound. */
  static @Nullable Object fileKey(Path socket) throws IOException {
    return Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
        .fileKey();
  }

  /** Deletes the socket file if it is still the one with {@code fileKey}; never throws. */
  static void remove(Path socket, @Nullable Object fileKey) {
    try {
      BasicFileAttributes a =
          Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (Objects.equals(a.fileKey(), fileKey)) {
        Files.delete(socket);
      } else {
        LOG.info("{} is not this server's socket any more: left in place", socket);
      }
    } catch (IOException e) {
      LOG.debug("Socket file {} not removed: {}", socket, e.toString());
    }
  }
}
