package io.github.calicoj.core.client;

import io.github.calicoj.core.ipam.IpOwner;
import java.util.Map;

/**
 * The IPAM owner of a workload's addresses: the handle {@code
 * calicoj.<host>.<orchestrator>.<workload id>}, and the block attributes {@code host}, {@code
 * orchestrator} and {@code workload}, which Calico's own readers ignore and {@code ipam check}
 * reads.
 */
final class Owners {
  /** The attribute that names the host. */
  static final String HOST = "host";

  /** The attribute that names the orchestrator. */
  static final String ORCHESTRATOR = "orchestrator";

  /** The attribute that names the workload id. */
  static final String WORKLOAD = "workload";

  private Owners() {}

  /** The owner of the addresses of one workload on one host. */
  static IpOwner of(String hostname, String orchestratorId, String workloadId) {
    return IpOwner.of(
        handleId(hostname, orchestratorId, workloadId),
        Map.of(HOST, hostname, ORCHESTRATOR, orchestratorId, WORKLOAD, workloadId));
  }

  /** The handle id of one workload on one host. */
  static String handleId(String hostname, String orchestratorId, String workloadId) {
    return "calicoj." + hostname + "." + orchestratorId + "." + workloadId;
  }
}
