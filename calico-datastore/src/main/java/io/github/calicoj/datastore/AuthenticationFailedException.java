package io.github.calicoj.datastore;

import org.jspecify.annotations.Nullable;

/**
 * The datastore rejected the credentials: a wrong user or password, or none where it needs them.
 */
public class AuthenticationFailedException extends DatastoreException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public AuthenticationFailedException(
      String message, @Nullable Key key, @Nullable Throwable cause) {
    super(message, key, cause);
  }
}
