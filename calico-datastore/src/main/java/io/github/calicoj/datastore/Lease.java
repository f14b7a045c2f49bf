package io.github.calicoj.datastore;

import java.time.Duration;

/**
 * A lease granted by {@link Datastore#grantLease}: keys written with it ({@link Datastore#put(Key,
 * String, Lease)}, {@link TxnOp#put(Key, String, Lease)}) are deleted by the store when the lease
 * ends. Equivalent to an etcd lease with {@code etcdctl lease keep-alive} running.
 *
 * <p><b>Keep-alive.</b> The datastore that granted the lease renews it every third of its {@link
 * #ttl()} until it is closed. So its keys live as long as the writer does: if the writer's process
 * dies, or cannot reach the store, for longer than the TTL, the store expires the lease and deletes
 * its keys (watches see one {@link WatchEvent.Delete} per key). An outage shorter than the TTL,
 * such as the loss of one member of an etcd cluster while the others elect a leader, keeps the
 * lease: renewals move to another member.
 *
 * <p><b>Loss.</b> If the store reports that the lease expired anyway (the writer was cut off for
 * longer than the TTL) or that another client revoked it, the lease is lost: {@link #isActive()}
 * turns false, the listener given to {@link Datastore#grantLease(Duration, LeaseListener)} is
 * called once, and writes with the lease fail with {@link LeaseExpiredException}. The datastore
 * does not re-create the keys by itself, since only the writer knows whether they should still
 * exist: grant a new lease and write them again.
 *
 * <p><b>Ownership.</b> The caller of {@code grantLease} owns the lease and closes it, which revokes
 * it: its keys are deleted at once. Closing the datastore closes its leases the same way.
 * Thread-safe.
 */
public interface Lease extends AutoCloseable {

  /**
   * The store's id for the lease: etcd's lease ID (which {@code etcdctl lease list} shows in hex),
   * or a number of the in-memory store's own.
   */
  long id();

  /**
   * The time to live the store granted: whole seconds, at least what was asked for (etcd raises a
   * TTL below its minimum, 1.5 election timeouts, to that minimum).
   */
  Duration ttl();

  /** True until the lease is closed, lost, or its datastore is closed. */
  boolean isActive();

  /**
   * Stops the keep-alive and revokes the lease, which deletes its keys at one revision. Waits for
   * the store at most the datastore's request timeout; if the store cannot be reached, the lease
   * expires by itself after its TTL. Idempotent; never throws.
   */
  @Override
  void close();
}
