/**
 * calico-core's services over a {@link io.github.calicoj.datastore.Datastore}: typed repositories
 * for workload endpoints, profiles, IP pools and hosts, with Calico v1's exact key layout and JSON,
 * and the {@link io.github.calicoj.core.CalicoException} hierarchy. IPAM lives in {@code
 * io.github.calicoj.core.ipam}. No package here touches network namespaces.
 */
@NullMarked
package io.github.calicoj.core;

import org.jspecify.annotations.NullMarked;
