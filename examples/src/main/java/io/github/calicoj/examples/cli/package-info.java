/**
 * {@code calicoctl}: the reference CLI's container, profile, pool, node, endpoint and IPAM
 * commands, with its arguments, messages and exit codes, on the calicoj SDK.
 */
@NullMarked
package io.github.calicoj.examples.cli;

import org.jspecify.annotations.NullMarked;
