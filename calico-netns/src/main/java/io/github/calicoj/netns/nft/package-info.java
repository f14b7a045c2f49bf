/**
 * nftables through libnftables, in a given network namespace: {@link
 * io.github.calicoj.netns.nft.Nftables} runs libnftables JSON documents as atomic transactions and
 * reads JSON back; {@link io.github.calicoj.netns.nft.NftablesSupport} says whether the library is
 * installed (Debian {@code libnftables1}). Never starts {@code nft} or any other process.
 */
@NullMarked
package io.github.calicoj.netns.nft;

import org.jspecify.annotations.NullMarked;
