/**
 * Internal: decodes raw datastore keys and values ({@code /calico/v1/}, {@code /calico/bgp/v1/},
 * {@code /calico/ipam/v2/}) into a {@link io.github.calicoj.node.internal.model.Snapshot},
 * validating each value as Felix 1.4 did ({@code calico/common.py}) and recording what it rejects
 * as problems. No I/O. No compatibility guarantees; not for use outside calico-node.
 *
 * <p><b>Not exported:</b> not part of calicoj's API. The javadoc leaves this package out, the API
 * check (japicmp) does not compare it, and a module descriptor would not export it; it may change
 * in any release. Nothing outside calico-node may use it.
 */
@NullMarked
package io.github.calicoj.node.internal.decode;

import org.jspecify.annotations.NullMarked;
