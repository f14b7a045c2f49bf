/**
 * Calico v1's etcd key layout ({@link io.github.calicoj.core.codec.CalicoKeys}) and the JSON values
 * of its resources, one codec per resource: what calicoj writes is what pycalico wrote, byte for
 * byte, and what it reads may come from any of Calico's v1-era writers. Stateless and thread-safe.
 * The IPAM block and handle codec lives next to IPAM ({@link
 * io.github.calicoj.core.ipam.BlockJson}).
 */
@NullMarked
package io.github.calicoj.core.codec;

import org.jspecify.annotations.NullMarked;
