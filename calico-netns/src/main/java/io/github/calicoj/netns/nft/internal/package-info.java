/**
 * Internal: the jnr-ffi binding to libnftables, the namespace-bound thread that owns each context,
 * the JSON helpers and the error mapping behind {@link io.github.calicoj.netns.nft.Nftables}. No
 * compatibility guarantees; not for use outside calico-netns.
 */
@NullMarked
package io.github.calicoj.netns.nft.internal;

import org.jspecify.annotations.NullMarked;
