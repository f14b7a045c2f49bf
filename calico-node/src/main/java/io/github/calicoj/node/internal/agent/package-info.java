/**
 * Internal: the agent's runtime: its lifecycle, the datastore feed (list, then one watch), the
 * single apply loop that turns changes into dataplane updates, and resync with backoff. No
 * compatibility guarantees; not for use outside calico-node.
 */
@NullMarked
package io.github.calicoj.node.internal.agent;

import org.jspecify.annotations.NullMarked;
