/**
 * {@code calicoctl ipam check [--repair] [--grace DURATION]} as a library: {@link
 * io.github.calicoj.core.check.IpamChecker} finds the state that outlived its workload or lost its
 * partner (allocations without endpoints, endpoints without allocations or links, dead workloads,
 * leftover links and markers, empty affine blocks, handles that disagree with their blocks) and
 * repairs it with guarded transactions, never touching anything younger than a grace period. Its
 * {@link io.github.calicoj.core.check.CheckReport} renders as a table or as JSON. Reads the
 * datastore and, for this host, the kernel's links, the Docker daemon's containers and the
 * workloads' network namespaces.
 */
@NullMarked
package io.github.calicoj.core.check;

import org.jspecify.annotations.NullMarked;
