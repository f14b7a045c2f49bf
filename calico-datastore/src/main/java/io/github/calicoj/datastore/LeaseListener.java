package io.github.calicoj.datastore;

/**
 * Told when a {@link Lease} is lost: the store expired it (its datastore could not renew it within
 * its TTL) or another client revoked it, and the keys written with it are gone. Not called when the
 * lease is closed, or its datastore is.
 *
 * <p>Called once per lease, on a thread owned by the datastore; it must not block for long. It may
 * call the datastore, for instance to grant a new lease and write the keys again.
 */
@FunctionalInterface
public interface LeaseListener {

  /** {@code lease} is lost; it is no longer {@linkplain Lease#isActive() active}. */
  void onLost(Lease lease);
}
