/**
 * A CNI plugin ({@code calico-cni}) that puts a container on a Calico v1 network through the
 * calicoj SDK: spec 1.0.0, and the 0.3.x/0.4.0 result shape for older configurations. The public
 * types are the program, {@link io.github.calicoj.cni.CalicoCni}, and the resident service that
 * runs {@code ADD}, {@code DEL} and {@code CHECK} without a JVM start each, {@link
 * io.github.calicoj.cni.CniServer}; everything else is internal to the plugin, with no
 * compatibility guarantees. The launcher script answers {@code VERSION} itself, and sends {@code
 * ADD}, {@code DEL} and {@code CHECK} to the server if one listens, or starts the JVM for them.
 */
@NullMarked
package io.github.calicoj.cni;

import org.jspecify.annotations.NullMarked;
