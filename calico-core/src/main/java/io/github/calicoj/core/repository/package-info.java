/**
 * Repositories over a {@link io.github.calicoj.datastore.Datastore}, one per Calico v1 resource:
 * workload endpoints, profiles, IP pools and hosts, with Calico's exact key layout and JSON ({@link
 * io.github.calicoj.core.codec}). Every change is a compare-and-set or a guarded transaction. No
 * class here touches network namespaces.
 */
@NullMarked
package io.github.calicoj.core.repository;

import org.jspecify.annotations.NullMarked;
