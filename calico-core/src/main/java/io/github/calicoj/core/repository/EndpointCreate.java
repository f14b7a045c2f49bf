package io.github.calicoj.core.repository;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.github.calicoj.core.TxnPart;
import io.github.calicoj.core.WireFormat;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.codec.EndpointJson;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.datastore.Guard;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Transaction;
import io.github.calicoj.datastore.TxnResult;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A workload's first endpoint, created atomically as a {@link TxnPart}: guards that the workload's
 * {@link WorkloadMarker marker} and the endpoint key are absent, writes both, and reads the
 * workload's endpoints in the same step. Of concurrent creates of one workload exactly one commits;
 * and since the read shows endpoints that another tool (which writes no marker) stored, {@link
 * #alone()} tells whether the new endpoint is the workload's only one.
 *
 * <p>Not thread-safe; use it once per transaction, from one thread.
 */
public final class EndpointCreate implements TxnPart {
  /** What a failed transaction said about the workload. */
  public enum Conflict {
    /** The workload's guards held; the failure lay in another part's guards. */
    NONE,
    /** The workload has an endpoint, or a marker whose endpoint exists. */
    TAKEN,
    /**
     * The workload has a marker but (as far as this transaction saw) no endpoint: see {@link
     * #marker()}.
     */
    MARKER_ONLY
  }

  private final WorkloadEndpoint endpoint;
  private final WorkloadMarker marker;
  private final WireFormat format;
  private final Key key;
  private final Key markerKey;
  private final Key workload;
  private boolean committed;
  private boolean alone;
  private Conflict conflict = Conflict.NONE;
  private @Nullable KeyValue markerFound;

  /** The create of {@code endpoint} with {@code marker}, written in {@code format}. */
  public EndpointCreate(WorkloadEndpoint endpoint, WorkloadMarker marker, WireFormat format) {
    this.endpoint = requireNonNull(endpoint, "endpoint");
    checkArgument(
        WorkloadEndpoint.isGeneratedId(endpoint.endpointId()),
        "Endpoint id must be 32 lowercase hex characters: %s",
        endpoint.endpointId());
    this.marker = requireNonNull(marker, "marker");
    this.format = requireNonNull(format, "format");
    this.key = WorkloadEndpoints.keyOf(endpoint);
    this.markerKey =
        WorkloadMarker.key(endpoint.hostname(), endpoint.orchestratorId(), endpoint.workloadId());
    this.workload =
        CalicoKeys.workload(endpoint.hostname(), endpoint.orchestratorId(), endpoint.workloadId());
  }

  @Override
  public void addTo(Transaction.Builder txn) {
    txn.guard(Guard.absent(markerKey))
        .guard(Guard.absent(key))
        .put(markerKey, marker.toJson())
        .put(key, EndpointJson.write(endpoint, format))
        .readPrefix(workload);
  }

  @Override
  public void settle(TxnResult r) {
    if (r.succeeded()) {
      committed = true;
      alone =
          r.read(workload).stream()
              .allMatch(kv -> kv.key().equals(key) || CalicoKeys.parseEndpoint(kv.key()).isEmpty());
      return;
    }
    Optional<KeyValue> m = r.current(markerKey);
    boolean otherEndpoints =
        r.read(workload).stream().anyMatch(kv -> CalicoKeys.parseEndpoint(kv.key()).isPresent());
    if (r.current(key).isPresent() || otherEndpoints) {
      conflict = Conflict.TAKEN;
    } else if (m.isPresent()) {
      conflict = Conflict.MARKER_ONLY;
      markerFound = m.get();
    } else {
      conflict = Conflict.NONE;
    }
  }

  /** True once the transaction committed. */
  public boolean committed() {
    return committed;
  }

  /**
   * After a commit: true if the new endpoint is the workload's only one; false if another tool had
   * stored one, in which case the caller must undo the create and report the workload as taken.
   */
  public boolean alone() {
    return alone;
  }

  /** After a failed transaction: what it said about the workload. */
  public Conflict conflict() {
    return conflict;
  }

  /** After {@link Conflict#MARKER_ONLY}: the marker found. */
  public Optional<KeyValue> marker() {
    return Optional.ofNullable(markerFound);
  }

  /** The endpoint this creates. */
  public WorkloadEndpoint endpoint() {
    return endpoint;
  }
}
