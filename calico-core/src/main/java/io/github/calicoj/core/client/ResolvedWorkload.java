package io.github.calicoj.core.client;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * A workload as resolved for a command: what the user typed, its orchestrator and workload id (the
 * endpoint key's segments), and the path of its network namespace.
 *
 * @param typed the workload as the caller gave it (messages name it so, as the reference did)
 * @param orchestratorId {@code namespace} for a path, {@code docker} for a container
 * @param workloadId the escaped path, or the container's full id
 * @param namespace the namespace's path ({@code /proc/<pid>/ns/net} for a container)
 */
record ResolvedWorkload(String typed, String orchestratorId, String workloadId, Path namespace) {
  static final String NAMESPACE = "namespace";
  static final String DOCKER = "docker";

  ResolvedWorkload {
    requireNonNull(typed, "typed");
    requireNonNull(orchestratorId, "orchestratorId");
    requireNonNull(workloadId, "workloadId");
    requireNonNull(namespace, "namespace");
  }

  /** True for a namespace path workload. */
  boolean isPath() {
    return orchestratorId.equals(NAMESPACE);
  }
}
