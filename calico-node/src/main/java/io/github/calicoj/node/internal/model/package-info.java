/**
 * Internal: the agent's input, already decoded and validated as Felix validated it: a {@link
 * io.github.calicoj.node.internal.model.Snapshot} of endpoints, profiles, pools, hosts, affinities
 * and Felix configuration, with the problems found while decoding. Immutable values. No
 * compatibility guarantees; not for use outside calico-node.
 *
 * <p><b>Not exported:</b> not part of calicoj's API. The javadoc leaves this package out, the API
 * check (japicmp) does not compare it, and a module descriptor would not export it; it may change
 * in any release. Nothing outside calico-node may use it.
 */
@NullMarked
package io.github.calicoj.node.internal.model;

import org.jspecify.annotations.NullMarked;
