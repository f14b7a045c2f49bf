/**
 * Internal: a pure-Java rtnetlink codec over {@link java.nio.ByteBuffer}s in native byte order,
 * with the kernel UAPI layouts ({@code linux/netlink.h}, {@code linux/rtnetlink.h}, {@code
 * linux/if_link.h}, {@code linux/if_addr.h}, {@code linux/veth.h}). No I/O, no privileges. No
 * compatibility guarantees.
 *
 * <p><b>Not exported:</b> not part of calicoj's API. The javadoc leaves this package out, the API
 * check (japicmp) does not compare it, and a module descriptor would not export it; it may change
 * in any release. Nothing outside calico-netns may use it.
 */
@NullMarked
package io.github.calicoj.netns.internal.msg;

import org.jspecify.annotations.NullMarked;
