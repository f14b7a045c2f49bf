/**
 * Internal: the jnr-ffi binding to libc, the netlink socket, namespace switching and {@link
 * io.github.calicoj.netns.internal.RtNetlink}, the implementation of {@link
 * io.github.calicoj.netns.Netlink}. No compatibility guarantees; not for use outside calico-netns.
 *
 * <p><b>Not exported:</b> not part of calicoj's API. The javadoc leaves this package out, the API
 * check (japicmp) does not compare it, and a module descriptor would not export it; it may change
 * in any release. Nothing outside calico-netns may use it.
 */
@NullMarked
package io.github.calicoj.netns.internal;

import org.jspecify.annotations.NullMarked;
