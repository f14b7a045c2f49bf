/**
 * Internal: helpers shared by calico-core's packages (the pycalico JSON style, the bounded
 * compare-and-set loop). No compatibility guarantees; not for use outside calico-core.
 */
@NullMarked
package io.github.calicoj.core.internal;

import org.jspecify.annotations.NullMarked;
