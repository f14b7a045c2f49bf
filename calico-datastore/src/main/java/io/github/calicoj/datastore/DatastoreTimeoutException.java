package io.github.calicoj.datastore;

import org.jspecify.annotations.Nullable;

/**
 * The datastore gave no answer within the configured request timeout. A timed-out write (put,
 * update, delete, transaction) has an unknown outcome: see {@link #outcomeUnknown()}.
 */
public class DatastoreTimeoutException extends DatastoreUnavailableException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public DatastoreTimeoutException(
      String message, @Nullable Key key, boolean outcomeUnknown, @Nullable Throwable cause) {
    super(message, key, outcomeUnknown, cause);
  }
}
