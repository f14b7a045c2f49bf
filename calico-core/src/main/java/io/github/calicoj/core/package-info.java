/**
 * calico-core's root: the {@link io.github.calicoj.core.CalicoException} hierarchy (a {@link
 * io.github.calicoj.core.CalicoException.Reason} per failure), the {@link
 * io.github.calicoj.core.WireFormat} switch between Calico's data-model eras, and the transaction
 * part protocol that lets IPAM and the repositories commit together. The model is in {@code
 * .model}, keys and JSON in {@code .codec}, repositories in {@code .repository}, IPAM in {@code
 * .ipam}, and the SDK's entry point in {@code .client}.
 */
@NullMarked
package io.github.calicoj.core;

import org.jspecify.annotations.NullMarked;
