package io.github.calicoj.core.repository;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * Which endpoints to find: every criterion that is set must match. Criteria narrow the prefix that
 * is read (pycalico's {@code get_endpoints}): the host, then the orchestrator, then the workload;
 * an endpoint-id-only query scans all hosts. Immutable; start from {@link #all()} or a factory.
 *
 * @param hostname the host, or null for any
 * @param orchestratorId the orchestrator ({@code docker}, {@code namespace}, …), or null for any
 * @param workloadId the workload id, or null for any
 * @param endpointId the endpoint id, or null for any
 */
public record EndpointQuery(
    @Nullable String hostname,
    @Nullable String orchestratorId,
    @Nullable String workloadId,
    @Nullable String endpointId) {

  private static final EndpointQuery ALL = new EndpointQuery(null, null, null, null);

  /** Every endpoint on every host. */
  public static EndpointQuery all() {
    return ALL;
  }

  /** Every endpoint on {@code hostname}. */
  public static EndpointQuery onHost(String hostname) {
    return ALL.withHost(hostname);
  }

  /** The endpoints of one workload. */
  public static EndpointQuery workload(String hostname, String orchestratorId, String workloadId) {
    return new EndpointQuery(
        requireNonNull(hostname, "hostname"),
        requireNonNull(orchestratorId, "orchestratorId"),
        requireNonNull(workloadId, "workloadId"),
        null);
  }

  /** The endpoint with this id, on any host. */
  public static EndpointQuery id(String endpointId) {
    return ALL.withEndpointId(endpointId);
  }

  /** This query restricted to {@code hostname}. */
  public EndpointQuery withHost(String hostname) {
    return new EndpointQuery(
        requireNonNull(hostname, "hostname"), orchestratorId, workloadId, endpointId);
  }

  /** This query restricted to {@code orchestratorId}. */
  public EndpointQuery withOrchestrator(String orchestratorId) {
    return new EndpointQuery(
        hostname, requireNonNull(orchestratorId, "orchestratorId"), workloadId, endpointId);
  }

  /** This query restricted to {@code workloadId}. */
  public EndpointQuery withWorkload(String workloadId) {
    return new EndpointQuery(
        hostname, orchestratorId, requireNonNull(workloadId, "workloadId"), endpointId);
  }

  /** This query restricted to {@code endpointId}. */
  public EndpointQuery withEndpointId(String endpointId) {
    return new EndpointQuery(
        hostname, orchestratorId, workloadId, requireNonNull(endpointId, "endpointId"));
  }
}
