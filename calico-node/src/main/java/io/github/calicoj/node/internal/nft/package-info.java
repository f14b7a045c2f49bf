/**
 * Internal: one nftables table as an immutable value ({@link
 * io.github.calicoj.node.internal.nft.NftTable}), and its libnftables JSON ({@code man
 * libnftables-json}): a full replacement in one atomic batch, or the difference between two tables
 * ({@link io.github.calicoj.node.internal.nft.NftDiff}). No I/O. No compatibility guarantees; not
 * for use outside calico-node.
 */
@NullMarked
package io.github.calicoj.node.internal.nft;

import org.jspecify.annotations.NullMarked;
