/**
 * Internal: the host-gw routes the agent wants in the host's main table (the routes Felix and
 * BIRD's full mesh gave a host, without BGP), as values. Installing them through netlink is the
 * runtime's job. No compatibility guarantees; not for use outside calico-node.
 *
 * <p><b>Not exported:</b> not part of calicoj's API. The javadoc leaves this package out, the API
 * check (japicmp) does not compare it, and a module descriptor would not export it; it may change
 * in any release. Nothing outside calico-node may use it.
 */
@NullMarked
package io.github.calicoj.node.internal.route;

import org.jspecify.annotations.NullMarked;
