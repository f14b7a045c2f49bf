package io.github.calicoj.core.repository;

import static java.util.Objects.requireNonNull;

import io.github.calicoj.core.TxnPart;
import io.github.calicoj.core.WireFormat;
import io.github.calicoj.core.codec.EndpointJson;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.datastore.Guard;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.Transaction;
import io.github.calicoj.datastore.TxnResult;

/**
 * A compare-and-set write of an endpoint as a {@link TxnPart}: guarded on the revision the endpoint
 * was read at, so that it commits together with, say, the IPAM change that assigns or frees the
 * address it adds or drops. Not thread-safe; use once.
 */
public final class EndpointUpdate implements TxnPart {
  private final WorkloadEndpoint read;
  private final WorkloadEndpoint updated;
  private final WireFormat format;
  private boolean committed;

  /**
   * The write of {@code updated} over {@code read}.
   *
   * @throws IllegalArgumentException if {@code read} has no revision or they are different
   *     endpoints
   */
  public EndpointUpdate(WorkloadEndpoint read, WorkloadEndpoint updated, WireFormat format) {
    this.read = requireNonNull(read, "read");
    this.updated = requireNonNull(updated, "updated");
    this.format = requireNonNull(format, "format");
    if (read.revision() == null
        || !WorkloadEndpoints.keyOf(read).equals(WorkloadEndpoints.keyOf(updated))) {
      throw new IllegalArgumentException(
          "Not a stored endpoint and its update: "
              + read.endpointId()
              + ", "
              + updated.endpointId());
    }
  }

  @Override
  public void addTo(Transaction.Builder txn) {
    Key key = WorkloadEndpoints.keyOf(read);
    txn.guard(Guard.atRevision(key, requireNonNull(read.revision())))
        .put(key, EndpointJson.write(updated, format));
  }

  @Override
  public void settle(TxnResult r) {
    committed = r.succeeded();
  }

  /** True once the transaction committed. */
  public boolean committed() {
    return committed;
  }
}
