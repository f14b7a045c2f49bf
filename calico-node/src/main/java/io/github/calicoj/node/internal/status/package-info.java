/**
 * Internal: what the agent writes back to the datastore (felix spec §1.3): the host's status and
 * each local endpoint's, on a lease. No compatibility guarantees; not for use outside calico-node.
 */
@NullMarked
package io.github.calicoj.node.internal.status;

import org.jspecify.annotations.NullMarked;
