/**
 * Internal: the jnr-ffi binding to libc, the netlink socket, namespace switching and {@link
 * io.github.calicoj.netns.internal.RtNetlink}, the implementation of {@link
 * io.github.calicoj.netns.Netlink}. No compatibility guarantees; not for use outside calico-netns.
 */
@NullMarked
package io.github.calicoj.netns.internal;

import org.jspecify.annotations.NullMarked;
