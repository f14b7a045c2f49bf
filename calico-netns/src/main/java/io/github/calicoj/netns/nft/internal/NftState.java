package io.github.calicoj.netns.nft.internal;

import io.github.calicoj.netns.internal.NetlinkSocket;
import io.github.calicoj.netns.nft.NftCommands;
import java.time.Duration;

/**
 * What the thread of one {@link NativeNftables} owns: its libnftables context and its own
 * NETLINK_NETFILTER socket for {@link NftNetlink} batches, both opened in the thread's namespace
 * when the thread starts and released when it ends. The context is used only on that thread; the
 * socket, bound to the namespace and thread-safe, also from callers' threads in turn with the
 * thread's tasks ({@link NamespaceThread#runHereIfIdle}).
 *
 * @param context the libnftables context
 * @param netfilter the socket element batches go through (its SO_RCVTIMEO is the handle's timeout)
 */
record NftState(NftContext context, NetlinkSocket netfilter) {
  /** Opens both in the calling thread's namespace. */
  static NftState create(Duration timeout) {
    NftContext context = NftContext.create();
    try {
      int fd = NetlinkSocket.rawSocket(NftNetlink.NETLINK_NETFILTER, "NETLINK_NETFILTER");
      return new NftState(
          context, NetlinkSocket.configure(fd, timeout, NftCommands.MAX_BATCH_BYTES));
    } catch (RuntimeException e) {
      context.free();
      throw e;
    }
  }

  /** Releases both. Idempotent. */
  void free() {
    try {
      netfilter.close();
    } finally {
      context.free();
    }
  }
}
