package io.github.calicoj.datastore;

import java.time.Duration;
import java.util.Optional;

/**
 * Revisioned key-value storage for Calico state: string keys, UTF-8 string values, and one
 * store-wide revision that grows with every change.
 *
 * <p>Implementations: {@code io.github.calicoj.datastore.jetcd.EtcdDatastore} (etcd v3 through
 * jetcd), {@code io.github.calicoj.datastore.etcd.EtcdGatewayDatastore} (etcd v3 through its JSON
 * gateway) and {@code io.github.calicoj.datastore.memory.InMemoryDatastore} (embedded). All pass
 * the same contract test suite; a behaviour not described here is not promised.
 *
 * <p><b>Thread safety:</b> implementations are thread-safe; share one instance per process.
 * <b>Bounded waits:</b> every call returns or throws within the implementation's request timeout. A
 * write that fails with {@link DatastoreUnavailableException#outcomeUnknown()} may have been
 * applied. <b>Ownership:</b> whoever builds the datastore closes it; components that are handed a
 * datastore (such as {@code CalicoClient}) borrow it and never close it. Calls after {@link
 * #close()} throw {@link IllegalStateException}.
 *
 * <p>Every method may also throw {@link DatastoreUnavailableException}, {@link
 * AuthenticationFailedException} or {@link PermissionDeniedException}; those are not repeated on
 * each method.
 */
public interface Datastore extends AutoCloseable {

  /**
   * Reads one key. Equivalent to {@code etcdctl get KEY}.
   *
   * @return the entry, or empty if the key does not exist
   */
  Optional<KeyValue> get(Key key);

  /**
   * Reads every key that starts with {@code prefix}, all at one store revision, in key order.
   * Equivalent to {@code etcdctl get --prefix PREFIX}.
   *
   * @return the entries and the revision they were read at; watch after that revision to follow
   *     later changes with no gap and no duplicate
   */
  Snapshot list(Key prefix);

  /**
   * Creates a key that must not exist yet. Atomic: of concurrent creates of one key exactly one
   * succeeds. Equivalent to the etcd transaction {@code If(version(key) = 0) Then(put)}.
   *
   * @return the entry as written
   * @throws ResourceAlreadyExistsException if the key exists
   */
  KeyValue create(Key key, String value);

  /**
   * Compare-and-set: overwrites a key only if it was last written at {@code expected}. Equivalent
   * to the etcd transaction {@code If(mod_revision(key) = expected) Then(put)}.
   *
   * @return the entry as written, with its new revision
   * @throws ResourceNotFoundException if the key does not exist
   * @throws RevisionConflictException if the key was last written at another revision
   */
  KeyValue update(Key key, String value, Revision expected);

  /**
   * Creates or overwrites a key unconditionally. Equivalent to {@code etcdctl put KEY VALUE}.
   *
   * @return the entry as written
   */
  KeyValue put(Key key, String value);

  /**
   * Creates or overwrites a key unconditionally, attached to {@code lease}: the store deletes the
   * key when the lease ends (see {@link Lease}). A later write of the key without the lease
   * detaches it from the lease. Equivalent to {@code etcdctl put --lease=ID KEY VALUE}.
   *
   * @return the entry as written
   * @throws LeaseExpiredException if the store no longer has the lease (it was lost)
   * @throws IllegalArgumentException if another datastore granted the lease
   * @throws IllegalStateException if the lease was closed
   */
  KeyValue put(Key key, String value, Lease lease);

  /**
   * Grants a lease of at least {@code ttl} and keeps it alive until it is closed; see {@link Lease}
   * for what that means for the keys written with it. Equivalent to {@code etcdctl lease grant}
   * followed by {@code etcdctl lease keep-alive}.
   *
   * @param ttl the time to live: at least one second, rounded up to whole seconds
   * @param listener told if the lease is lost, on a thread of the datastore's
   * @return the lease; the caller owns it and closes it, which revokes it
   * @throws IllegalArgumentException if {@code ttl} is shorter than a second
   */
  Lease grantLease(Duration ttl, LeaseListener listener);

  /**
   * Grants a lease whose loss is reported only through {@link Lease#isActive()} and failing writes;
   * see {@link #grantLease(Duration, LeaseListener)}.
   */
  default Lease grantLease(Duration ttl) {
    return grantLease(ttl, lease -> {});
  }

  /**
   * Compare-and-delete: deletes a key only if it was last written at {@code expected}. Equivalent
   * to the etcd transaction {@code If(mod_revision(key) = expected) Then(delete)}.
   *
   * @return the revision of the deletion
   * @throws ResourceNotFoundException if the key does not exist
   * @throws RevisionConflictException if the key was last written at another revision
   */
  Revision delete(Key key, Revision expected);

  /**
   * Deletes a key unconditionally; idempotent. Equivalent to {@code etcdctl del KEY}.
   *
   * @return true if the key existed
   */
  boolean delete(Key key);

  /**
   * Deletes every key that starts with {@code prefix}, atomically at one revision; idempotent.
   * Equivalent to {@code etcdctl del --prefix PREFIX}.
   *
   * @return the number of keys deleted
   */
  long deletePrefix(Key prefix);

  /**
   * Applies a {@link Transaction}: all of its writes at one new revision if every guard holds,
   * otherwise none. A failed guard is a normal result, not an exception; the result then carries
   * the guarded keys' current entries so that a compare-and-set loop can retry without another
   * read. Equivalent to one etcd {@code Txn}.
   */
  TxnResult commit(Transaction transaction);

  /**
   * Follows every change to keys under {@code prefix} made after revision {@code after}, in
   * revision order, with no gap and no duplicate, on a thread owned by the datastore (see {@link
   * WatchListener}). Pass a {@link Snapshot#revision()} for list-then-watch. The watch survives
   * connection loss, resuming from the last delivered revision; if history it still needs was
   * compacted meanwhile, the listener's {@link WatchListener#onCompacted} is called and the watch
   * ends. Equivalent to {@code etcdctl watch --prefix PREFIX --rev AFTER+1}.
   *
   * @return the handle that stops the watch; the caller owns it
   * @throws RevisionCompactedException if revision {@code after} is already compacted
   */
  WatchHandle watch(Key prefix, Revision after, WatchListener listener);

  /**
   * Releases connections and threads, stops every watch and closes every lease this datastore
   * granted and that is still open (which revokes it, within one request timeout). Idempotent,
   * thread-safe, never throws.
   */
  @Override
  void close();
}
