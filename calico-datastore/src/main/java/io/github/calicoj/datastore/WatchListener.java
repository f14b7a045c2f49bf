package io.github.calicoj.datastore;

/**
 * Receives the changes of one {@link Datastore#watch}.
 *
 * <p>All calls for one watch come from a single thread that the datastore owns, one at a time, in
 * revision order; never from jetcd's or gRPC's threads. A listener must not block for long and must
 * not call the datastore synchronously in a way that waits for its own watch.
 */
public interface WatchListener {

  /** One change, delivered in revision order with no gap and no duplicate. */
  void onEvent(WatchEvent event);

  /**
   * The store compacted history past the last revision this watch delivered, so changes may have
   * been lost. The watch is closed after this call: re-{@link Datastore#list list} and watch again
   * from the new snapshot. The default does nothing.
   *
   * @param compactRevision the oldest revision the store still keeps
   */
  default void onCompacted(Revision compactRevision) {}

  /**
   * Informational: the connection behind the watch failed and the datastore is re-establishing it
   * from the last delivered revision. No change is lost. The default does nothing.
   */
  default void onDisconnected(DatastoreException cause) {}
}
