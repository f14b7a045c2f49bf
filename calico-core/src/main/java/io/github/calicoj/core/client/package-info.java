/**
 * {@link io.github.calicoj.core.client.CalicoClient}: the SDK's entry point, composing the
 * datastore, IPAM and the netns dataplane into the reference's container flows ({@code container
 * add}, {@code remove}, {@code ip add|remove}, profiles on an endpoint, node configuration), with
 * rollback on failure. This package and {@code check} (which reads the host side's links and
 * workloads' namespace paths, and deletes leftover links) are the ones of calico-core that touch
 * network namespaces.
 */
@NullMarked
package io.github.calicoj.core.client;

import org.jspecify.annotations.NullMarked;
