package io.github.calicoj.node;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * What a {@link CalicoNode} is doing, as of one moment. Immutable.
 *
 * @param state the agent's phase
 * @param appliedRevision the datastore revision the dataplane reflects (0 before the first sync)
 * @param localEndpoints the valid workload endpoints of this host it programs
 * @param problems how many problems the data has now (each was logged once)
 * @param resyncs full resyncs so far, the first sync included
 * @param lastFailure the failure being retried, while {@link State#RETRYING}
 */
public record NodeStatus(
    State state,
    long appliedRevision,
    int localEndpoints,
    int problems,
    long resyncs,
    @Nullable String lastFailure) {

  /** A phase of the agent's life. */
  public enum State {
    /** Built, not started. */
    NEW,
    /** Listing the datastore and programming the dataplane from it. */
    SYNCING,
    /** Following changes; the dataplane matches every change it has received. */
    IN_SYNC,
    /** Listing or applying failed; a full resync is due after a backoff. */
    RETRYING,
    /** Closed. */
    CLOSED
  }

  /** Rejects a null state. */
  public NodeStatus {
    requireNonNull(state, "state");
  }
}
