/**
 * Network namespaces and rtnetlink (veth pairs, addresses, routes, MAC lookup) through jnr-ffi,
 * without starting {@code ip} or any other process.
 */
@NullMarked
package io.github.calicoj.netns;

import org.jspecify.annotations.NullMarked;
