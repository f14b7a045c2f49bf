package io.github.calicoj.datastore;

import org.jspecify.annotations.Nullable;

/**
 * The datastore could not be reached or did not complete the request: no connection, no quorum, an
 * interrupted caller, or (as {@link DatastoreTimeoutException}) no answer within the request
 * timeout.
 *
 * <p>For a write, {@link #outcomeUnknown()} tells whether the write may nevertheless have been
 * applied: then re-read before retrying a compare-and-set.
 */
public class DatastoreUnavailableException extends DatastoreException {
  private static final long serialVersionUID = 1L;

  private final boolean outcomeUnknown;

  /** Creates the exception. */
  public DatastoreUnavailableException(
      String message, @Nullable Key key, boolean outcomeUnknown, @Nullable Throwable cause) {
    super(message, key, cause);
    this.outcomeUnknown = outcomeUnknown;
  }

  /**
   * True if the failed call was a write that may have been applied anyway (the request may have
   * reached the store before the failure). Always false for reads.
   */
  public boolean outcomeUnknown() {
    return outcomeUnknown;
  }
}
