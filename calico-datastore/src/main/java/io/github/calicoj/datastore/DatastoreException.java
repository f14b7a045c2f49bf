package io.github.calicoj.datastore;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Root of the datastore's operational failures. Callers branch on the subclass, never on the
 * message: {@link ResourceNotFoundException}, {@link ResourceAlreadyExistsException}, {@link
 * RevisionConflictException}, {@link RevisionCompactedException}, {@link
 * DatastoreUnavailableException} (and its {@link DatastoreTimeoutException}), {@link
 * AuthenticationFailedException} and {@link PermissionDeniedException}. The original cause, if any,
 * is kept; jetcd, gRPC and Netty exceptions never escape except as such a cause.
 */
public class DatastoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final @Nullable Key key;

  /**
   * Creates an exception about {@code key} (null if the failure is not about one key).
   *
   * @param message the full message, which should name the operation and the key
   */
  public DatastoreException(String message, @Nullable Key key, @Nullable Throwable cause) {
    super(message, cause);
    this.key = key;
  }

  /** The key the failed operation was about, if it was about one. */
  public Optional<Key> key() {
    return Optional.ofNullable(key);
  }
}
