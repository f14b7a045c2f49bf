package io.github.calicoj.core.client;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * A workload named by an orchestrator that resolves it itself (a CNI runtime, say), rather than by
 * a namespace path or Docker name to resolve: the endpoint key's orchestrator and workload id, and
 * the workload's network namespace. Immutable.
 *
 * @param orchestratorId the orchestrator id ({@code cni}, {@code k8s}, …): one key segment
 * @param workloadId the workload id (a container id, say): one key segment
 * @param namespace the path of the workload's network namespace
 */
public record WorkloadRef(String orchestratorId, String workloadId, Path namespace) {

  /** Checks that the ids are key segments. */
  public WorkloadRef {
    checkSegment(orchestratorId, "orchestratorId");
    checkSegment(workloadId, "workloadId");
    requireNonNull(namespace, "namespace");
  }

  private static void checkSegment(String s, String what) {
    requireNonNull(s, what);
    checkArgument(
        !s.isEmpty() && s.indexOf('/') < 0 && s.chars().noneMatch(c -> c < 0x21 || c == 0x7f),
        "%s must be a non-empty key segment without '/' or blanks: %s",
        what,
        s);
  }
}
