/**
 * Internal: what the agent does about state that outlives its workloads: it follows the Docker
 * daemon's container events (core's {@code DockerFollower}) and periodically runs core's leak check
 * in repair mode for its host. No compatibility guarantees; not for use outside calico-node.
 *
 * <p><b>Not exported:</b> not part of calicoj's API. The javadoc leaves this package out, the API
 * check (japicmp) does not compare it, and a module descriptor would not export it; it may change
 * in any release. Nothing outside calico-node may use it.
 */
@NullMarked
package io.github.calicoj.node.internal.lifecycle;

import org.jspecify.annotations.NullMarked;
