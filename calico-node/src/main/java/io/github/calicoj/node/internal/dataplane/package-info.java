/**
 * Internal: the kernel side the agent programs in the host namespace (its nftables table through
 * libnftables, its routes and the workload links through netlink, sysctls), behind one interface so
 * the agent's loop is tested without root. No compatibility guarantees; not for use outside
 * calico-node.
 *
 * <p><b>Not exported:</b> not part of calicoj's API. The javadoc leaves this package out, the API
 * check (japicmp) does not compare it, and a module descriptor would not export it; it may change
 * in any release. Nothing outside calico-node may use it.
 */
@NullMarked
package io.github.calicoj.node.internal.dataplane;

import org.jspecify.annotations.NullMarked;
