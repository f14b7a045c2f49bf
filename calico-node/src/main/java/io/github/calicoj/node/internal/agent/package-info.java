/**
 * Internal: the agent's runtime: its lifecycle, the datastore feed (list, then one watch), the
 * single apply loop that turns changes into dataplane updates, and resync with backoff. No
 * compatibility guarantees; not for use outside calico-node.
 *
 * <p><b>Not exported:</b> not part of calicoj's API. The javadoc leaves this package out, the API
 * check (japicmp) does not compare it, and a module descriptor would not export it; it may change
 * in any release. Nothing outside calico-node may use it.
 */
@NullMarked
package io.github.calicoj.node.internal.agent;

import org.jspecify.annotations.NullMarked;
