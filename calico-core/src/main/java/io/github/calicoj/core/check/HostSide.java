package io.github.calicoj.core.check;

import static java.util.Objects.requireNonNull;

import io.github.calicoj.netns.NetNs.Identity;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The checking host's kernel and Docker daemon as a check sees them: the host side's cali links in
 * one dump, every container in one call, and what a namespace path names now. {@link LiveHostSide}
 * asks the real ones; tests plant their own. Opened for one run and used from one thread; {@link
 * #close()} releases what it opened.
 */
interface HostSide extends AutoCloseable {

  /** The host side's cali veths: name to interface index. One netlink dump. */
  Map<String, Integer> caliLinks();

  /**
   * Every container the Docker daemon knows, by full id, and whether it runs. One Engine API call.
   *
   * @throws RuntimeException if the daemon cannot be asked
   */
  Map<String, Boolean> containers();

  /** What the path names now. */
  NamespaceState namespace(String path);

  /**
   * Deletes a host-side link (and so its veth peer) if it exists ({@code ip link del NAME}).
   *
   * @return false if there was no such link
   */
  boolean deleteLink(String name);

  /** Releases sockets and handles. Idempotent; never throws. */
  @Override
  void close();

  /**
   * What a workload's namespace path names now.
   *
   * @param status whether it is a network namespace
   * @param identity its identity when {@link Status#PRESENT}
   * @param detail the error when it is not, in words
   */
  record NamespaceState(Status status, @Nullable Identity identity, String detail) {
    /** What is at the path. */
    enum Status {
      /** A network namespace. */
      PRESENT,
      /** Nothing. */
      MISSING,
      /** Something that is not a network namespace (a file left after an unmount, say). */
      NOT_A_NAMESPACE,
      /** Nothing could be told (no permission, no namespace support). */
      UNREADABLE
    }

    public NamespaceState {
      requireNonNull(status, "status");
      requireNonNull(detail, "detail");
    }

    static NamespaceState present(Identity identity) {
      return new NamespaceState(Status.PRESENT, identity, "");
    }
  }
}
