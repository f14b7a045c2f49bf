/**
 * Internal: the pure function from a {@link io.github.calicoj.node.internal.model.Snapshot} to the
 * desired dataplane ({@link io.github.calicoj.node.internal.render.DesiredState}): the agent's
 * nftables table and the host-gw routes. Deterministic: equal snapshots give equal states and
 * byte-identical JSON. No I/O. No compatibility guarantees; not for use outside calico-node.
 *
 * <p><b>Not exported:</b> not part of calicoj's API. The javadoc leaves this package out, the API
 * check (japicmp) does not compare it, and a module descriptor would not export it; it may change
 * in any release. Nothing outside calico-node may use it.
 */
@NullMarked
package io.github.calicoj.node.internal.render;

import org.jspecify.annotations.NullMarked;
