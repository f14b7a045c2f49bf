/**
 * The Calico v1 domain model, key layout and JSON codec, block IPAM and the {@code CalicoClient}
 * facade. Filled in by the core milestone.
 */
@NullMarked
package io.github.calicoj.core;

import org.jspecify.annotations.NullMarked;
