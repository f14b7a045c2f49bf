package io.github.calicoj.netns.internal;

import io.github.calicoj.netns.NetnsException;
import io.github.calicoj.netns.internal.msg.NlMessage;
import io.github.calicoj.netns.internal.msg.Rtnl;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A NETLINK_ROUTE socket: one fd, one send and one receive buffer (direct), a sequence counter and
 * a lock that serializes requests. The socket's namespace was fixed when {@code socket()} ran (see
 * {@link Namespaces#socketIn}); everything here works from any thread. Every receive is bounded by
 * SO_RCVTIMEO. Thread-safe; owns its fd.
 */
public final class NetlinkSocket implements AutoCloseable {
  /** Our requests are a few hundred bytes. */
  private static final int SEND_BUFFER = 4 * 1024;

  /** Room for the largest datagram the kernel sends for a dump (iproute2 uses 32 KiB). */
  private static final int RECV_BUFFER = 32 * 1024;

  private final int fd;
  private final ByteBuffer send = Native.direct(SEND_BUFFER);
  private final ByteBuffer recv = Native.direct(RECV_BUFFER);
  private final ReentrantLock lock = new ReentrantLock();
  private final AtomicBoolean closed = new AtomicBoolean();
  private int seq;

  /** Writes one request into the buffer at position 0 with the given sequence number. */
  @FunctionalInterface
  public interface Request {
    /** Returns the message's length. */
    int write(ByteBuffer buffer, int seq);
  }

  /** One request of a batch: names for errors, and its writer. */
  public record Part(String operation, String subject, Request request) {}

  private NetlinkSocket(int fd) {
    this.fd = fd;
  }

  /**
   * Opens {@code socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE)} in the calling thread's
   * namespace and returns the raw fd. This is the only call that must run inside the target
   * namespace.
   */
  public static int rawSocket() {
    int fd =
        Native.libc()
            .socket(Rtnl.AF_NETLINK, Native.SOCK_RAW | Native.SOCK_CLOEXEC, Rtnl.NETLINK_ROUTE);
    if (fd < 0) {
      throw Native.error("socket", "AF_NETLINK/NETLINK_ROUTE", Native.errno(), null);
    }
    return fd;
  }

  /**
   * Binds and configures a socket made by {@link #rawSocket()}; closes it on failure. May run on
   * any thread.
   */
  public static NetlinkSocket configure(int fd, Duration timeout) {
    try {
      LibC c = Native.libc();
      ByteBuffer one = Native.direct(4).putInt(0, 1);
      // Best effort: older kernels lack these; errors then carry no kernel text.
      c.setsockopt(fd, Rtnl.SOL_NETLINK, Rtnl.NETLINK_EXT_ACK, one, 4);
      c.setsockopt(fd, Rtnl.SOL_NETLINK, Rtnl.NETLINK_CAP_ACK, one, 4);
      ByteBuffer tv = Native.direct(16);
      tv.putLong(0, timeout.toSeconds()).putLong(8, timeout.toNanosPart() / 1000);
      if (c.setsockopt(fd, Native.SOL_SOCKET, Native.SO_RCVTIMEO, tv, 16) != 0) {
        throw Native.error("setsockopt", "SO_RCVTIMEO", Native.errno(), null);
      }
      if (c.setsockopt(fd, Native.SOL_SOCKET, Native.SO_SNDTIMEO, tv, 16) != 0) {
        throw Native.error("setsockopt", "SO_SNDTIMEO", Native.errno(), null);
      }
      ByteBuffer sa = Native.direct(12); // sockaddr_nl: family, pad, pid 0 (kernel picks), groups 0
      sa.putShort(0, (short) Rtnl.AF_NETLINK);
      if (c.bind(fd, sa, 12) != 0) {
        throw Native.error("bind", "AF_NETLINK", Native.errno(), null);
      }
      return new NetlinkSocket(fd);
    } catch (RuntimeException e) {
      Native.libc().close(fd);
      throw e;
    }
  }

  /**
   * Sends one request and collects replies until its ACK (or NLMSG_DONE for a dump). Replies for
   * other sequence numbers are skipped.
   *
   * @param operation the name for errors, such as {@code RTM_NEWLINK}
   * @param subject what the request is about, for errors
   * @return the non-ACK replies, copied out of the receive buffer
   * @throws NetnsException with the kernel's errno and extended-ack message if it refused
   */
  public List<NlMessage> request(String operation, String subject, Request request) {
    lock.lock();
    try {
      if (closed.get()) {
        throw new IllegalStateException("Netlink socket is closed");
      }
      int mySeq = ++seq;
      send.clear();
      int len = request.write(send, mySeq);
      sendAll(operation, subject, len);
      return receive(operation, subject, mySeq);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Sends several requests in one datagram and waits for every ACK. The kernel runs each request
   * whatever became of the ones before it, so all are tried; the first refusal is thrown once all
   * are answered. For requests that need no reply data (no GETs).
   *
   * @throws NetnsException naming the first part the kernel refused
   */
  public void requestAll(List<Part> parts) {
    if (parts.isEmpty()) {
      return;
    }
    lock.lock();
    try {
      if (closed.get()) {
        throw new IllegalStateException("Netlink socket is closed");
      }
      send.clear();
      int first = seq + 1;
      for (Part p : parts) {
        p.request().write(send, ++seq);
        send.position(Rtnl.align(send.position()));
      }
      Part head = parts.get(0);
      sendAll(head.operation(), head.subject(), send.position());
      awaitAcks(parts, first);
    } finally {
      lock.unlock();
    }
  }

  private void awaitAcks(List<Part> parts, int first) {
    int pending = parts.size();
    NetnsException failure = null;
    while (pending > 0) {
      long n = receiveOnce(parts.get(0).operation(), parts.get(0).subject());
      for (NlMessage m : NlMessage.parseAll(recv, (int) n)) {
        int i = m.seq() - first;
        if (m.type() != Rtnl.NLMSG_ERROR || i < 0 || i >= parts.size()) {
          continue; // stale, or not an answer to this batch
        }
        pending--;
        int errno = m.errno();
        if (errno != 0 && failure == null) {
          Part p = parts.get(i);
          failure = Native.error(p.operation(), p.subject(), errno, m.extAckMessage());
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** One recv into the receive buffer, retried on EINTR; returns the byte count. */
  private long receiveOnce(String operation, String subject) {
    while (true) {
      recv.clear();
      long n = Native.libc().recv(fd, recv, RECV_BUFFER, 0);
      if (n >= 0) {
        return n;
      }
      int errno = Native.errno();
      if (errno != NetnsException.EINTR) {
        throw Native.error(
            operation + " (recv)",
            subject,
            errno,
            errno == NetnsException.EAGAIN
                ? "no reply from the kernel within the socket timeout"
                : null);
      }
    }
  }

  private void sendAll(String operation, String subject, int len) {
    while (true) {
      long n = Native.libc().send(fd, send.position(0), len, 0);
      if (n == len) {
        return;
      }
      int errno = n < 0 ? Native.errno() : 0;
      if (errno == NetnsException.EINTR) {
        continue;
      }
      throw Native.error(operation + " (send)", subject, errno, n >= 0 ? "short send" : null);
    }
  }

  private List<NlMessage> receive(String operation, String subject, int mySeq) {
    List<NlMessage> replies = new ArrayList<>();
    boolean interrupted = false;
    while (true) {
      long n = receiveOnce(operation, subject);
      for (NlMessage m : NlMessage.parseAll(recv, (int) n)) {
        if (m.seq() != mySeq) {
          continue; // stale reply of an earlier, failed request
        }
        if (m.type() == Rtnl.NLMSG_ERROR) {
          int errno = m.errno();
          if (errno != 0) {
            throw Native.error(operation, subject, errno, m.extAckMessage());
          }
          return replies;
        }
        if (m.type() == Rtnl.NLMSG_DONE) {
          if (interrupted) {
            throw Native.error(operation, subject, NetnsException.EINTR, "dump interrupted; retry");
          }
          return replies;
        }
        if (m.type() == Rtnl.NLMSG_NOOP) {
          continue;
        }
        interrupted |= (m.flags() & Rtnl.NLM_F_DUMP_INTR) != 0;
        replies.add(copy(m));
      }
    }
  }

  private static NlMessage copy(NlMessage m) {
    ByteBuffer p = ByteBuffer.allocate(m.payload().limit()).order(ByteOrder.nativeOrder());
    p.put(0, m.payload(), 0, m.payload().limit());
    return new NlMessage(m.type(), m.flags(), m.seq(), m.pid(), p);
  }

  /** Closes the fd once. Idempotent; never throws. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      lock.lock();
      try {
        Native.libc().close(fd);
      } finally {
        lock.unlock();
      }
    }
  }
}
