package io.github.calicoj.datastore;

import org.jspecify.annotations.Nullable;

/**
 * A write named a lease that the store no longer has: it expired (its writer could not renew it
 * within its TTL) or it was revoked. Grant a new lease and write again.
 */
public class LeaseExpiredException extends DatastoreException {
  private static final long serialVersionUID = 1L;

  private final long leaseId;

  /** Creates the exception for a write of {@code key} with lease {@code leaseId}. */
  public LeaseExpiredException(
      String operation, @Nullable Key key, long leaseId, @Nullable Throwable cause) {
    super(
        operation
            + (key == null ? "" : " " + key)
            + " failed: lease "
            + Long.toHexString(leaseId)
            + " expired or was revoked",
        key,
        cause);
    this.leaseId = leaseId;
  }

  /** The lease's {@linkplain Lease#id() id}. */
  public long leaseId() {
    return leaseId;
  }
}
