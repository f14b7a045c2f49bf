/**
 * Internal: the agent's desired dataplane, kept up to date change by change: a tracker takes the
 * datastore's keys as they arrive and says what each batch of changes does to the table, the routes
 * and the local endpoints. Pure (no I/O), tested without root. No compatibility guarantees; not for
 * use outside calico-node.
 *
 * <p><b>Not exported:</b> not part of calicoj's API. The javadoc leaves this package out, the API
 * check (japicmp) does not compare it, and a module descriptor would not export it; it may change
 * in any release. Nothing outside calico-node may use it.
 */
@NullMarked
package io.github.calicoj.node.internal.track;

import org.jspecify.annotations.NullMarked;
