/**
 * Internal: the agent's input, already decoded and validated as Felix validated it: a {@link
 * io.github.calicoj.node.internal.model.Snapshot} of endpoints, profiles, pools, hosts, affinities
 * and Felix configuration, with the problems found while decoding. Immutable values. No
 * compatibility guarantees; not for use outside calico-node.
 */
@NullMarked
package io.github.calicoj.node.internal.model;

import org.jspecify.annotations.NullMarked;
