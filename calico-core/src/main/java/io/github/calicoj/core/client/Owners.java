package io.github.calicoj.core.client;

import io.github.calicoj.core.ipam.AllocationBlock;
import io.github.calicoj.core.ipam.IpOwner;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/**
 * The IPAM owner of a workload's addresses: the handle {@code
 * calicoj.<host>.<orchestrator>.<workload id>}, and the block attributes {@code host}, {@code
 * orchestrator}, {@code workload} and {@code created} (when the allocation was made, ISO-8601 UTC),
 * which Calico's own readers ignore and {@code ipam check} reads. Stateless and thread-safe.
 */
public final class Owners {
  /** The attribute that names the host. */
  public static final String HOST = "host";

  /** The attribute that names the orchestrator. */
  public static final String ORCHESTRATOR = "orchestrator";

  /** The attribute that names the workload id. */
  public static final String WORKLOAD = "workload";

  /**
   * The attribute that says when the allocation was made, as {@link Instant#toString()} prints it
   * (writer's clock): the age {@code ipam check} gives an allocation that has no endpoint.
   */
  public static final String CREATED = "created";

  /** The prefix of every handle id calicoj writes. */
  public static final String HANDLE_PREFIX = "calicoj.";

  private Owners() {}

  /** The owner of the addresses that one workload on one host is assigned now. */
  public static IpOwner of(String hostname, String orchestratorId, String workloadId) {
    return of(
        hostname, orchestratorId, workloadId, Instant.ofEpochMilli(System.currentTimeMillis()));
  }

  /** The owner of addresses assigned to one workload on one host at {@code created}. */
  public static IpOwner of(
      String hostname, String orchestratorId, String workloadId, Instant created) {
    return IpOwner.of(
        handleId(hostname, orchestratorId, workloadId),
        Map.of(
            HOST,
            hostname,
            ORCHESTRATOR,
            orchestratorId,
            WORKLOAD,
            workloadId,
            CREATED,
            created.toString()));
  }

  /** The handle id of one workload on one host. */
  public static String handleId(String hostname, String orchestratorId, String workloadId) {
    return HANDLE_PREFIX + hostname + "." + orchestratorId + "." + workloadId;
  }

  /** When an allocation was made, if its attributes say so in a readable form. */
  public static Optional<Instant> created(AllocationBlock.Attribute attribute) {
    String text = attribute.secondary().get(CREATED);
    if (text == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(text));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
