package io.github.calicoj.core.model;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * {@code /calico/ipam/v2/config}. Immutable.
 *
 * @param strictAffinity never assign from another host's block
 * @param autoAllocateBlocks claim new blocks when the host's blocks are full
 */
public record IpamConfig(boolean strictAffinity, boolean autoAllocateBlocks) {

  /** The defaults when the key is missing: not strict, auto-allocate. */
  public static final IpamConfig DEFAULT = new IpamConfig(false, true);

  /** Rejects the combination the reference rejects. */
  public IpamConfig {
    checkArgument(
        strictAffinity || autoAllocateBlocks,
        "Cannot disable 'strict_affinity' and 'auto_allocate_blocks' at the same time.");
  }
}
