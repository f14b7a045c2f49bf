/**
 * Internal: the host-gw routes the agent wants in the host's main table (the routes Felix and
 * BIRD's full mesh gave a host, without BGP), as values. Installing them through netlink is the
 * runtime's job. No compatibility guarantees; not for use outside calico-node.
 */
@NullMarked
package io.github.calicoj.node.internal.route;

import org.jspecify.annotations.NullMarked;
