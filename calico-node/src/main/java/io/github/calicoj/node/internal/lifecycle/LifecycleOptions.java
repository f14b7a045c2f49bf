package io.github.calicoj.node.internal.lifecycle;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.github.calicoj.core.check.CheckReport;
import io.github.calicoj.core.client.CalicoClient;
import java.time.Duration;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * How the agent looks after its host's workload state besides the dataplane. Immutable.
 *
 * @param docker whether to follow the Docker daemon's container events
 * @param dockerHost the daemon ({@code unix:///var/run/docker.sock} or a socket path), or null for
 *     {@code DOCKER_HOST}, else the default socket
 * @param sweepInterval the time between two leak sweeps, the first one interval after the start;
 *     zero for none
 * @param sweepGrace nothing younger than this is repaired by a sweep
 * @param client a client to act through (borrowed), or null for one the agent builds and owns
 * @param onSweep told of each sweep's report, on the sweep's thread
 */
public record LifecycleOptions(
    DockerMode docker,
    @Nullable String dockerHost,
    Duration sweepInterval,
    Duration sweepGrace,
    @Nullable CalicoClient client,
    Consumer<CheckReport> onSweep) {

  /** Neither the follower nor the sweep. */
  public static final LifecycleOptions OFF =
      new LifecycleOptions(DockerMode.OFF, null, Duration.ZERO, Duration.ZERO, null, r -> {});

  /** Whether the agent follows Docker's events. */
  public enum DockerMode {
    /** When the daemon's unix socket exists at the agent's start. */
    AUTO,
    /** Always; until the daemon answers, the follower retries every second. */
    ON,
    /** Never. */
    OFF
  }

  /** Rejects nulls and negative durations. */
  public LifecycleOptions {
    requireNonNull(docker, "docker");
    requireNonNull(sweepInterval, "sweepInterval");
    requireNonNull(sweepGrace, "sweepGrace");
    requireNonNull(onSweep, "onSweep");
    checkArgument(!sweepInterval.isNegative(), "sweepInterval is negative: %s", sweepInterval);
    checkArgument(!sweepGrace.isNegative(), "sweepGrace is negative: %s", sweepGrace);
  }
}
