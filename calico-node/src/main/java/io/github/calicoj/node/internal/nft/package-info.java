/**
 * Internal: one nftables table as an immutable value ({@link
 * io.github.calicoj.node.internal.nft.NftTable}), and its libnftables JSON ({@code man
 * libnftables-json}): a full replacement in one atomic batch, or the difference between two tables
 * ({@link io.github.calicoj.node.internal.nft.NftDiff}). No I/O. No compatibility guarantees; not
 * for use outside calico-node.
 *
 * <p><b>Not exported:</b> not part of calicoj's API. The javadoc leaves this package out, the API
 * check (japicmp) does not compare it, and a module descriptor would not export it; it may change
 * in any release. Nothing outside calico-node may use it.
 */
@NullMarked
package io.github.calicoj.node.internal.nft;

import org.jspecify.annotations.NullMarked;
