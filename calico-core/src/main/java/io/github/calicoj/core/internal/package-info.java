/**
 * Internal: helpers shared by calico-core's packages (the pycalico JSON style, the bounded
 * compare-and-set loop, the builders' duration check). No compatibility guarantees; not for use
 * outside calico-core.
 *
 * <p><b>Not exported:</b> not part of calicoj's API. The javadoc leaves this package out, the API
 * check (japicmp) does not compare it, and a module descriptor would not export it; it may change
 * in any release. Nothing outside calico-core may use it.
 */
@NullMarked
package io.github.calicoj.core.internal;

import org.jspecify.annotations.NullMarked;
