/**
 * Internal: the jnr-ffi binding to libnftables, the namespace-bound thread that owns each context,
 * the JSON helpers and the error mapping behind {@link io.github.calicoj.netns.nft.Nftables}. No
 * compatibility guarantees; not for use outside calico-netns.
 *
 * <p><b>Not exported:</b> not part of calicoj's API. The javadoc leaves this package out, the API
 * check (japicmp) does not compare it, and a module descriptor would not export it; it may change
 * in any release. Nothing outside calico-netns may use it.
 */
@NullMarked
package io.github.calicoj.netns.nft.internal;

import org.jspecify.annotations.NullMarked;
