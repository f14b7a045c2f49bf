/**
 * Internal: a pure-Java rtnetlink codec over {@link java.nio.ByteBuffer}s in native byte order,
 * with the kernel UAPI layouts ({@code linux/netlink.h}, {@code linux/rtnetlink.h}, {@code
 * linux/if_link.h}, {@code linux/if_addr.h}, {@code linux/veth.h}). No I/O, no privileges. No
 * compatibility guarantees.
 */
@NullMarked
package io.github.calicoj.netns.internal.msg;

import org.jspecify.annotations.NullMarked;
