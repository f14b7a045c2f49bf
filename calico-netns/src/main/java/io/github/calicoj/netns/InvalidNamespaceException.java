package io.github.calicoj.netns;

import org.jspecify.annotations.Nullable;

/**
 * A path given as a network namespace is not one: it is missing, a directory, a regular file, or a
 * namespace of another type. {@link #reason()} says which.
 */
public class InvalidNamespaceException extends NetnsException {
  private static final long serialVersionUID = 1L;

  /** Why the path is not a network namespace. */
  public enum Reason {
    /** Nothing exists at the path. */
    MISSING,
    /** The path is a directory. */
    DIRECTORY,
    /** The path is a regular file or other non-namespace file. */
    NOT_A_NAMESPACE,
    /** The path is a namespace file, but of another type (mount, pid, ...). */
    WRONG_NAMESPACE_TYPE,
    /** The path could not be opened or inspected (see the errno). */
    INACCESSIBLE
  }

  private final Reason reason;

  /** Creates the exception for {@code path}. */
  public InvalidNamespaceException(
      String path,
      Reason reason,
      int errno,
      String errnoName,
      String description,
      @Nullable Throwable cause) {
    super("open netns", path, errno, errnoName, description, null, cause);
    this.reason = reason;
  }

  /** Why the path was refused. */
  public Reason reason() {
    return reason;
  }
}
