package io.github.calicoj.netns;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A failed namespace or netlink operation: the operation ({@code RTM_NEWLINK}, {@code setns},
 * {@code open}, ...), its subject (an interface, address, route or path), the errno the kernel
 * returned, and for netlink the kernel's extended-ack text. The message has the form {@code
 * <operation> <subject> failed: <ERRNO> (<strerror>)[: <kernel message>]}.
 *
 * <p>Branch on {@link #errno()} or the predicates, never on the message. Unchecked.
 */
public class NetnsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  // errno values (include/uapi/asm-generic/errno-base.h, errno.h; the same on every Linux
  // architecture calicoj runs on). The predicates below are the way to branch on them.

  /** Operation not permitted (not root, or no CAP_NET_ADMIN / CAP_SYS_ADMIN). */
  public static final int EPERM = 1;

  /** No such file or directory (also: no such sysctl). */
  public static final int ENOENT = 2;

  /** No such process; rtnetlink's answer to deleting a route that is not there. */
  public static final int ESRCH = 3;

  /** Interrupted system call; for a netlink dump, "interrupted by a change, retry". */
  public static final int EINTR = 4;

  /** Bad file descriptor. */
  public static final int EBADF = 9;

  /** Try again; from a socket with a receive timeout, "no reply in time". */
  public static final int EAGAIN = 11;

  /** Permission denied. */
  public static final int EACCES = 13;

  /** File exists. */
  public static final int EEXIST = 17;

  /** No such device. */
  public static final int ENODEV = 19;

  /** Invalid argument. */
  public static final int EINVAL = 22;

  /** Result out of range (the kernel's answer to a too-long interface name). */
  public static final int ERANGE = 34;

  /** Cannot assign requested address; rtnetlink's answer to deleting an absent address. */
  public static final int EADDRNOTAVAIL = 99;

  /** Network unreachable (a route whose gateway is not reachable yet). */
  public static final int ENETUNREACH = 101;

  private final String operation;
  private final String subject;
  private final int errno;
  private final String errnoName;
  private final @Nullable String kernelMessage;

  /**
   * Creates the exception.
   *
   * @param errno the positive errno, or 0 if the failure has none
   * @param errnoName its symbolic name ({@code EEXIST}), or empty
   * @param description strerror's text, or another short description
   * @param kernelMessage the kernel's extended-ack message, if any
   */
  public NetnsException(
      String operation,
      String subject,
      int errno,
      String errnoName,
      String description,
      @Nullable String kernelMessage,
      @Nullable Throwable cause) {
    super(
        operation
            + (subject.isEmpty() ? "" : " " + subject)
            + " failed: "
            + (errnoName.isEmpty() ? description : errnoName + " (" + description + ")")
            + (kernelMessage == null || kernelMessage.isEmpty() ? "" : ": " + kernelMessage),
        cause);
    this.operation = operation;
    this.subject = subject;
    this.errno = errno;
    this.errnoName = errnoName;
    this.kernelMessage = kernelMessage;
  }

  /** The failed operation, such as {@code RTM_NEWLINK} or {@code setns}. */
  public String operation() {
    return operation;
  }

  /** What the operation was about: an interface, an address, a route or a path. */
  public String subject() {
    return subject;
  }

  /** The positive errno, or 0 if the failure did not come with one. */
  public int errno() {
    return errno;
  }

  /** The errno's symbolic name, such as {@code EEXIST}; empty if {@link #errno()} is 0. */
  public String errnoName() {
    return errnoName;
  }

  /** The kernel's extended-ack message, such as "Nexthop has invalid gateway". */
  public Optional<String> kernelMessage() {
    return Optional.ofNullable(kernelMessage);
  }

  /** EEXIST: the link, address or route already exists. */
  public boolean isAlreadyExists() {
    return errno == EEXIST;
  }

  /** ENODEV or ENOENT: no such link (or file). */
  public boolean isNotFound() {
    return errno == ENODEV || errno == ENOENT;
  }

  /** EPERM or EACCES: not permitted (not root, or no CAP_NET_ADMIN / CAP_SYS_ADMIN). */
  public boolean isPermissionDenied() {
    return errno == EPERM || errno == EACCES;
  }

  /** EADDRNOTAVAIL: the address is not on the link ({@code ip addr del} of an absent address). */
  public boolean isAddressNotAvailable() {
    return errno == EADDRNOTAVAIL;
  }

  /** ESRCH: there is no such route ({@code ip route del} of an absent route). */
  public boolean isRouteNotFound() {
    return errno == ESRCH;
  }

  /** EAGAIN: the kernel did not answer within the socket timeout. */
  public boolean isTimedOut() {
    return errno == EAGAIN;
  }

  /** EINVAL: the kernel rejected an argument. */
  public boolean isInvalidArgument() {
    return errno == EINVAL;
  }

  /** ERANGE: a value out of range, e.g. an interface name the kernel finds too long. */
  public boolean isOutOfRange() {
    return errno == ERANGE;
  }
}
