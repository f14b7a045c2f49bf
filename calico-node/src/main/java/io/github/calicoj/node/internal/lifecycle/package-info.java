/**
 * Internal: what the agent does about state that outlives its workloads: it follows the Docker
 * daemon's container events (core's {@code DockerFollower}) and periodically runs core's leak check
 * in repair mode for its host. No compatibility guarantees; not for use outside calico-node.
 */
@NullMarked
package io.github.calicoj.node.internal.lifecycle;

import org.jspecify.annotations.NullMarked;
