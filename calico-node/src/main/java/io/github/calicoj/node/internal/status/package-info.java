/**
 * Internal: what the agent writes back to the datastore (the keys Felix 1.3/1.4 wrote): the host's
 * status and each local endpoint's, on a lease. No compatibility guarantees; not for use outside
 * calico-node.
 *
 * <p><b>Not exported:</b> not part of calicoj's API. The javadoc leaves this package out, the API
 * check (japicmp) does not compare it, and a module descriptor would not export it; it may change
 * in any release. Nothing outside calico-node may use it.
 */
@NullMarked
package io.github.calicoj.node.internal.status;

import org.jspecify.annotations.NullMarked;
