/**
 * Internal: the kernel side the agent programs in the host namespace (its nftables table through
 * libnftables, its routes and the workload links through netlink, sysctls), behind one interface so
 * the agent's loop is tested without root. No compatibility guarantees; not for use outside
 * calico-node.
 */
@NullMarked
package io.github.calicoj.node.internal.dataplane;

import org.jspecify.annotations.NullMarked;
