/**
 * A CNI plugin ({@code calico-cni}) that puts a container on a Calico v1 network through the
 * calicoj SDK: spec 1.0.0, and the 0.3.x/0.4.0 result shape for older configurations. The entry
 * point is {@link io.github.calicoj.cni.CalicoCni}; everything else is internal to the plugin, with
 * no compatibility guarantees. The launcher script answers {@code VERSION} itself and starts the
 * JVM for {@code ADD}, {@code DEL} and {@code CHECK}.
 */
@NullMarked
package io.github.calicoj.cni;

import org.jspecify.annotations.NullMarked;
