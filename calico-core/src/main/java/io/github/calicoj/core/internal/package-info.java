/**
 * Internal: Calico v1's key layout and the JSON codec. No compatibility guarantees; not for use
 * outside calico-core.
 */
@NullMarked
package io.github.calicoj.core.internal;

import org.jspecify.annotations.NullMarked;
