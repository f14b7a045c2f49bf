package io.github.calicoj.datastore.jetcd;

import io.etcd.jetcd.Lease;
import io.github.calicoj.datastore.LeaseExpiredException;
import io.github.calicoj.datastore.etcd.internal.LeaseKeeper;

/**
 * The jetcd client's lease renewals and revokes, for the shared lease keeper: one {@code
 * keepAliveOnce} or one revoke each, awaited on the keeper's own thread by its deadline. jetcd's
 * keep-alive stream is not used: it can stop silently.
 */
final class JetcdLeaseCalls implements LeaseKeeper.Calls {
  private final Lease leases;
  private final JetcdCalls calls;

  JetcdLeaseCalls(Lease leases, JetcdCalls calls) {
    this.leases = leases;
    this.calls = calls;
  }

  @Override
  public long renew(long id, long deadline) {
    try {
      return calls
          .await(
              leases.keepAliveOnce(id),
              "renew lease " + Long.toHexString(id),
              null,
              false,
              deadline)
          .getTTL();
    } catch (LeaseExpiredException e) {
      return 0; // jetcd turns etcd's TTL of 0 into "lease not found"
    }
  }

  @Override
  public void revoke(long id, long deadline) {
    try {
      calls.await(leases.revoke(id), "revoke lease " + Long.toHexString(id), null, false, deadline);
    } catch (LeaseExpiredException e) {
      // already gone
    }
  }
}
