/**
 * Internal: what the agent writes back to the datastore (the keys Felix 1.3/1.4 wrote): the host's
 * status and each local endpoint's, on a lease. No compatibility guarantees; not for use outside
 * calico-node.
 */
@NullMarked
package io.github.calicoj.node.internal.status;

import org.jspecify.annotations.NullMarked;
