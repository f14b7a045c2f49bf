/**
 * {@link io.github.calicoj.core.client.CalicoClient}: the SDK's entry point, composing the
 * datastore, IPAM and the netns dataplane into the reference's container flows ({@code container
 * add}, {@code remove}, {@code ip add|remove}, profiles on an endpoint, node configuration), with
 * rollback on failure. This is the only package of calico-core that touches network namespaces.
 */
@NullMarked
package io.github.calicoj.core.client;

import org.jspecify.annotations.NullMarked;
