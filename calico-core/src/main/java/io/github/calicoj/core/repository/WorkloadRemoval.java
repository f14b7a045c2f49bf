package io.github.calicoj.core.repository;

import static java.util.Objects.requireNonNull;

import io.github.calicoj.core.TxnPart;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.datastore.Guard;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.Transaction;
import io.github.calicoj.datastore.TxnResult;
import java.util.List;

/**
 * A workload's removal as a {@link TxnPart}: deletes its endpoints, each guarded on the revision it
 * was read at (so an endpoint changed meanwhile, say by an {@code ip add}, makes the caller re-read
 * and re-plan), and its {@link WorkloadMarker marker}, whatever that holds. Committed together with
 * the release of the endpoints' addresses, it leaves no state in which an endpoint holds a released
 * address.
 *
 * <p>Not thread-safe; use it once per transaction, from one thread.
 */
public final class WorkloadRemoval implements TxnPart {
  private final List<WorkloadEndpoint> endpoints;
  private final Key marker;
  private boolean committed;

  /**
   * The removal of one workload's {@code endpoints}, as read (each with its revision).
   *
   * @throws IllegalArgumentException if the endpoints are of different workloads, or one has no
   *     revision
   */
  public WorkloadRemoval(
      String hostname, String orchestratorId, String workloadId, List<WorkloadEndpoint> endpoints) {
    this.endpoints = List.copyOf(endpoints);
    for (WorkloadEndpoint ep : this.endpoints) {
      if (!ep.hostname().equals(hostname)
          || !ep.orchestratorId().equals(orchestratorId)
          || !ep.workloadId().equals(workloadId)
          || ep.revision() == null) {
        throw new IllegalArgumentException(
            "Endpoint " + ep.endpointId() + " is not a stored endpoint of workload " + workloadId);
      }
    }
    this.marker =
        WorkloadMarker.key(
            requireNonNull(hostname, "hostname"),
            requireNonNull(orchestratorId, "orchestratorId"),
            requireNonNull(workloadId, "workloadId"));
  }

  @Override
  public void addTo(Transaction.Builder txn) {
    for (WorkloadEndpoint ep : endpoints) {
      Key key = WorkloadEndpoints.keyOf(ep);
      txn.guard(Guard.atRevision(key, requireNonNull(ep.revision()))).delete(key);
    }
    txn.delete(marker);
  }

  @Override
  public void settle(TxnResult r) {
    committed = r.succeeded();
  }

  /** True once the transaction committed. */
  public boolean committed() {
    return committed;
  }

  /** The endpoints it removes. */
  public List<WorkloadEndpoint> endpoints() {
    return endpoints;
  }
}
