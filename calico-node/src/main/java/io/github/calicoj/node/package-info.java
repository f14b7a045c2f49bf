/**
 * The calicoj node agent: what Felix (policy) and BIRD (routes) did on a Calico v1 host, for one
 * nftables table and the host's routes. {@link io.github.calicoj.node.CalicoNode} is the agent
 * (built, started, awaited, closed); {@link io.github.calicoj.node.NodeStatus} says what it is
 * doing; {@link io.github.calicoj.node.AgentReport} reads back what an agent wrote to the
 * datastore. Everything under {@code io.github.calicoj.node.internal} is the implementation, with
 * no compatibility promise.
 */
@NullMarked
package io.github.calicoj.node;

import org.jspecify.annotations.NullMarked;
