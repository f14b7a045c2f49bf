package io.github.calicoj.datastore;

import org.jspecify.annotations.Nullable;

/** The authenticated user may not perform the operation on this key (etcd role permissions). */
public class PermissionDeniedException extends DatastoreException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public PermissionDeniedException(String message, @Nullable Key key, @Nullable Throwable cause) {
    super(message, key, cause);
  }
}
