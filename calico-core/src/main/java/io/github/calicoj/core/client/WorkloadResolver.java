package io.github.calicoj.core.client;

import io.github.calicoj.core.CalicoException.Reason;
import io.github.calicoj.core.ConflictException;
import io.github.calicoj.core.WorkloadException;
import io.github.calicoj.core.model.Names;
import io.github.calicoj.core.repository.WorkloadMarker;
import io.github.calicoj.netns.InvalidNamespaceException;
import io.github.calicoj.netns.NetNs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns what a user typed into a workload: a path that starts with {@code /} is a network namespace
 * (orchestrator {@code namespace}, workload id the path with {@code /} escaped to {@code -});
 * anything else is a Docker container name or id, resolved through the Docker Engine API
 * (orchestrator {@code docker}, workload id the full 64-hex id). It also refuses the namespaces
 * that must never become a workload, and a path that now names another namespace than the one its
 * workload was added for. Thread-safe.
 */
final class WorkloadResolver {
  private final DockerEngine docker;

  WorkloadResolver(DockerEngine docker) {
    this.docker = docker;
  }

  /**
   * Resolves a workload that must exist now: a Docker container must be known to the daemon (and,
   * with {@code requireRunning}, running) and must not use the host's network. A path is taken as
   * given; opening it checks that it is a network namespace.
   *
   * @throws WorkloadException if the container is unknown, not running, in host network mode, or
   *     the daemon cannot be asked
   */
  ResolvedWorkload resolve(String workload, boolean requireRunning) {
    if (workload.startsWith("/")) {
      return new ResolvedWorkload(
          workload,
          ResolvedWorkload.NAMESPACE,
          Names.escapeWorkloadId(workload),
          Path.of(workload));
    }
    DockerEngine.Container c = docker.inspect(workload);
    if (requireRunning && !c.running()) {
      throw new WorkloadException(Reason.NOT_RUNNING, workload + " is not currently running.");
    }
    if ("host".equals(c.networkMode())) {
      throw new WorkloadException(
          Reason.HOST_NETWORK,
          "Can't add " + workload + " to Calico because it is running NetworkMode = host.");
    }
    return new ResolvedWorkload(workload, ResolvedWorkload.DOCKER, c.id(), c.netnsPath());
  }

  /**
   * The (orchestrator, workload id) pairs under which a workload's endpoints may be stored, most
   * likely first, found without the container or namespace having to exist: for a path, its escaped
   * id as a {@code namespace} workload and (as the reference wrote it) a {@code docker} one; for a
   * container, the name taken as a full id, then the id the daemon gives for it.
   */
  List<String[]> storedIds(String workload) {
    List<String[]> out = new ArrayList<>();
    if (workload.startsWith("/")) {
      String escaped = Names.escapeWorkloadId(workload);
      out.add(new String[] {ResolvedWorkload.NAMESPACE, escaped});
      out.add(new String[] {ResolvedWorkload.DOCKER, escaped});
      return out;
    }
    out.add(new String[] {ResolvedWorkload.DOCKER, workload});
    try {
      String id = docker.inspect(workload).id();
      if (!id.equals(workload)) {
        out.add(new String[] {ResolvedWorkload.DOCKER, id});
      }
    } catch (WorkloadException e) {
      if (e.reason() != Reason.CONTAINER_NOT_FOUND) {
        throw e;
      }
    }
    return out;
  }

  /**
   * Refuses a namespace that must never become a workload: the host side's own (where the cali ends
   * live) or the caller's, compared by identity (device and inode), not by path.
   *
   * @throws WorkloadException ({@link Reason#HOST_NAMESPACE}) naming the workload and the reason
   */
  static void checkNotHost(ResolvedWorkload w, NetNs.Identity ns, NetNs.Identity hostSide) {
    String why = null;
    if (ns.equals(hostSide)) {
      why = "the host side's namespace, where the cali interfaces live";
    } else if (ns.equals(NetNs.currentThreadIdentity())) {
      why = "the caller's own namespace";
    }
    if (why != null) {
      throw new WorkloadException(
          Reason.HOST_NAMESPACE,
          "Can't add "
              + w.typed()
              + " to Calico because its network namespace ("
              + w.namespace()
              + ", "
              + ns
              + ") is "
              + why
              + ".");
    }
  }

  /**
   * Refuses to act on a path workload through another path than the one it was added by, unless
   * both name the same namespace: the reference's workload id escapes {@code /} to {@code -}, so
   * {@code /x/a-b} and {@code /x/a/b} share one id.
   *
   * @throws ConflictException ({@link Reason#WORKLOAD_MISMATCH}) naming both paths
   */
  static void checkSamePath(String typed, Optional<WorkloadMarker> marker) {
    if (!typed.startsWith("/") || marker.isEmpty() || marker.get().namespace() == null) {
      return;
    }
    WorkloadMarker.NamespaceRef recorded = marker.get().namespace();
    if (recorded.path().equals(typed)) {
      return;
    }
    Optional<NetNs.Identity> now = identityOf(typed);
    if (now.isPresent()
        && now.get().dev() == recorded.device()
        && now.get().ino() == recorded.inode()) {
      return;
    }
    throw new ConflictException(
        Reason.WORKLOAD_MISMATCH,
        "Workload "
            + Names.escapeWorkloadId(typed)
            + " belongs to namespace "
            + recorded.path()
            + " (dev "
            + recorded.device()
            + ", inode "
            + recorded.inode()
            + "), not to "
            + typed
            + (now.isPresent() ? " (" + now.get() + ")" : " (which does not exist)")
            + "; the two paths share one workload id.");
  }

  /** The identity of the namespace at {@code path}, if it is one. */
  static Optional<NetNs.Identity> identityOf(String path) {
    try {
      return Optional.of(NetNs.identityOf(Path.of(path)));
    } catch (InvalidNamespaceException e) {
      return Optional.empty();
    }
  }
}
