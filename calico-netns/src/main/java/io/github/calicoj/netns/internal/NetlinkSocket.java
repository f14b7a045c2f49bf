package io.github.calicoj.netns.internal;

import io.github.calicoj.netns.NetnsException;
import io.github.calicoj.netns.internal.msg.NlMessage;
import io.github.calicoj.netns.internal.msg.Rtnl;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A netlink socket (NETLINK_ROUTE; NETLINK_NETFILTER for nftables' batches): one fd, one send and
 * one receive buffer (direct), a sequence counter and a lock that serializes requests. The socket's
 * namespace was fixed when {@code socket()} ran (see {@link Namespaces#socketIn}); everything here
 * works from any thread. Every receive is bounded by SO_RCVTIMEO. Thread-safe; owns its fd.
 *
 * <p>It is one class of a little over 400 lines because sending, receiving with its bound, sequence
 * matching, batches and the kernel's errors all act on the one socket and its pooled buffers.
 */
public final class NetlinkSocket implements AutoCloseable {
  /** Our requests are a few hundred bytes. */
  private static final int SEND_BUFFER = 4 * 1024;

  /** The most one of our requests takes; a batch starts a new datagram below this much room. */
  private static final int MAX_REQUEST = 512;

  /** Room for the largest datagram the kernel sends for a dump (iproute2 uses 32 KiB). */
  private static final int RECV_BUFFER = 32 * 1024;

  /** How many buffer pairs closed sockets keep for the next ones (36 KiB each). */
  private static final int POOLED = 16;

  /**
   * Buffers of closed sockets. A workload add opens a socket each time: reusing their direct
   * buffers saves allocating and zeroing 36 KiB per add, and keeps direct memory from growing until
   * a GC.
   */
  private static final ConcurrentLinkedQueue<ByteBuffer[]> POOL = new ConcurrentLinkedQueue<>();

  private static final AtomicInteger POOL_SIZE = new AtomicInteger();

  /** recv(2): return at once if nothing is queued. */
  private static final int MSG_DONTWAIT = 0x40;

  private final int fd;
  private final ByteBuffer send;
  private final ByteBuffer recv;
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

  private NetlinkSocket(int fd, int sendBuffer) {
    this.fd = fd;
    // Only buffers of the default size are pooled (see close).
    ByteBuffer[] pair = sendBuffer == SEND_BUFFER ? POOL.poll() : null;
    if (pair != null) {
      POOL_SIZE.decrementAndGet();
      send = pair[0];
      recv = pair[1];
    } else {
      send = Native.direct(sendBuffer);
      recv = Native.direct(RECV_BUFFER);
    }
  }

  /**
   * Opens {@code socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE)} in the calling thread's
   * namespace and returns the raw fd. This is the only call that must run inside the target
   * namespace.
   */
  public static int rawSocket() {
    return rawSocket(Rtnl.NETLINK_ROUTE, "NETLINK_ROUTE");
  }

  /**
   * Opens {@code socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, protocol)} in the calling thread's
   * namespace and returns the raw fd.
   *
   * @param name the protocol's name for errors, such as {@code NETLINK_NETFILTER}
   */
  public static int rawSocket(int protocol, String name) {
    int fd = Native.libc().socket(Rtnl.AF_NETLINK, Native.SOCK_RAW | Native.SOCK_CLOEXEC, protocol);
    if (fd < 0) {
      throw Native.error("socket", "AF_NETLINK/" + name, Native.errno(), null);
    }
    return fd;
  }

  /**
   * Binds and configures a socket made by {@link #rawSocket()}; closes it on failure. May run on
   * any thread.
   */
  public static NetlinkSocket configure(int fd, Duration timeout) {
    return configure(fd, timeout, SEND_BUFFER);
  }

  /**
   * {@link #configure(int, Duration)} with a send buffer of {@code sendBuffer} bytes: the largest
   * datagram {@link #requestBatch} can send.
   */
  public static NetlinkSocket configure(int fd, Duration timeout, int sendBuffer) {
    try {
      LibC c = Native.libc();
      ByteBuffer one = heap(4).putInt(0, 1);
      // Best effort: older kernels lack these; errors then carry no kernel text.
      c.setsockopt(fd, Rtnl.SOL_NETLINK, Rtnl.NETLINK_EXT_ACK, one, 4);
      c.setsockopt(fd, Rtnl.SOL_NETLINK, Rtnl.NETLINK_CAP_ACK, one, 4);
      ByteBuffer tv = heap(16);
      tv.putLong(0, timeout.toSeconds()).putLong(8, timeout.toNanosPart() / 1000);
      if (c.setsockopt(fd, Native.SOL_SOCKET, Native.SO_RCVTIMEO, tv, 16) != 0) {
        throw Native.error("setsockopt", "SO_RCVTIMEO", Native.errno(), null);
      }
      // No SO_SNDTIMEO: a send to the kernel runs the request at once and never waits for room.
      ByteBuffer sa = heap(12); // sockaddr_nl: family, pad, pid 0 (kernel picks), groups 0
      sa.putShort(0, (short) Rtnl.AF_NETLINK);
      if (c.bind(fd, sa, 12) != 0) {
        throw Native.error("bind", "AF_NETLINK", Native.errno(), null);
      }
      return new NetlinkSocket(fd, sendBuffer);
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

  /** {@link #request(String, String, Request)} of one {@link Part}. */
  public List<NlMessage> request(Part part) {
    return request(part.operation(), part.subject(), part.request());
  }

  /**
   * Sends several requests in one datagram and waits for every ACK. The kernel runs each request
   * whatever became of the ones before it, so all are tried; the first refusal is thrown once all
   * are answered. For requests that need no reply data (no GETs).
   *
   * @throws NetnsException naming the first part the kernel refused
   */
  public void requestAll(List<Part> parts) {
    for (NetnsException e : requestEach(parts)) {
      if (e != null) {
        throw e;
      }
    }
  }

  /**
   * Like {@link #requestAll}, but returns each part's outcome instead of throwing: null where the
   * kernel acknowledged it, its refusal where not. Many parts go in as few datagrams as the send
   * buffer allows.
   */
  public @Nullable NetnsException[] requestEach(List<Part> parts) {
    NetnsException[] outcomes = new NetnsException[parts.size()];
    lock.lock();
    try {
      if (closed.get()) {
        throw new IllegalStateException("Netlink socket is closed");
      }
      int from = 0;
      while (from < parts.size()) {
        send.clear();
        int first = seq + 1;
        int to = from;
        while (to < parts.size() && (to == from || send.remaining() >= MAX_REQUEST)) {
          parts.get(to).request().write(send, ++seq);
          send.position(Rtnl.align(send.position()));
          to++;
        }
        Part head = parts.get(from);
        sendAll(head.operation(), head.subject(), send.position());
        awaitAcks(parts, from, to, first, outcomes);
        from = to;
      }
      return outcomes;
    } finally {
      lock.unlock();
    }
  }

  /** Writes a netfilter batch into the buffer at position 0. */
  @FunctionalInterface
  public interface BatchRequest {
    /**
     * Writes BATCH_BEGIN with sequence number {@code first}, the requests with {@code first + 1}
     * and on (each with NLM_F_ACK), and BATCH_END after them; returns the datagram's length.
     *
     * @throws java.nio.BufferOverflowException if it does not fit
     */
    int write(ByteBuffer buffer, int first);
  }

  /** The largest datagram {@link #requestBatch} can send. */
  public int sendCapacity() {
    return send.capacity();
  }

  /**
   * Sends a netfilter batch ({@code nfnetlink}: BATCH_BEGIN, {@code requests} requests that each
   * carry NLM_F_ACK, BATCH_END) in one datagram and returns the kernel's refusals, each with the
   * index of its request (-1 for the batch as a whole: BATCH_BEGIN refused, or the commit failed).
   * Empty means the kernel committed the batch. Any refusal means it committed nothing (it runs
   * every request, so that all refusals are reported, then aborts).
   *
   * <p>The kernel runs a netfilter batch inside the {@code send}, so its answers are queued when
   * {@code send} returns: one ACK per request, preceded by an error for BATCH_BEGIN if the commit
   * failed; only that error if it refused the batch itself.
   *
   * @return the refusals: request index → NLMSG_ERROR reply (copied)
   * @throws NetnsException if sending or receiving fails
   */
  public Map<Integer, NlMessage> requestBatch(
      String operation, String subject, BatchRequest batch, int requests) {
    lock.lock();
    try {
      if (closed.get()) {
        throw new IllegalStateException("Netlink socket is closed");
      }
      int first = seq + 1;
      seq += requests + 2;
      send.clear();
      int len = batch.write(send, first);
      sendAll(operation, subject, len);
      Map<Integer, NlMessage> refused = new TreeMap<>();
      int pending = requests;
      boolean batchRefused = false;
      while (pending > 0) {
        // After an error on BATCH_BEGIN, read only what is queued: after a failed commit the ACKs
        // follow, after a refused batch nothing does.
        long n = receiveOnce(operation, subject, batchRefused);
        if (n < 0) {
          break;
        }
        for (NlMessage m : NlMessage.parseAll(recv, (int) n)) {
          int i = m.seq() - first - 1;
          if (m.type() != Rtnl.NLMSG_ERROR || i < -1 || i >= requests) {
            continue; // stale, or not an answer to this batch
          }
          if (m.errno() != 0) {
            refused.putIfAbsent(i, copy(m));
          }
          if (i >= 0) {
            pending--;
          } else if (m.errno() != 0) {
            batchRefused = true;
          }
        }
      }
      return refused;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits for the ACKs of {@code parts[from, to)}, sent with sequence numbers from {@code first}.
   */
  private void awaitAcks(
      List<Part> parts, int from, int to, int first, @Nullable NetnsException[] outcomes) {
    int pending = to - from;
    while (pending > 0) {
      long n = receiveOnce(parts.get(from).operation(), parts.get(from).subject());
      for (NlMessage m : NlMessage.parseAll(recv, (int) n)) {
        int i = from + (m.seq() - first);
        if (m.type() != Rtnl.NLMSG_ERROR || i < from || i >= to) {
          continue; // stale, or not an answer to this batch
        }
        pending--;
        int errno = m.errno();
        if (errno != 0) {
          Part p = parts.get(i);
          outcomes[i] = Native.error(p.operation(), p.subject(), errno, m.extAckMessage());
        }
      }
    }
  }

  /** One recv into the receive buffer, retried on EINTR; returns the byte count. */
  private long receiveOnce(String operation, String subject) {
    return receiveOnce(operation, subject, false);
  }

  /**
   * One recv into the receive buffer, retried on EINTR; returns the byte count, or -1 if {@code
   * queuedOnly} and nothing is queued.
   */
  private long receiveOnce(String operation, String subject, boolean queuedOnly) {
    while (true) {
      recv.clear();
      long n = Native.libc().recv(fd, recv, RECV_BUFFER, queuedOnly ? MSG_DONTWAIT : 0);
      if (n >= 0) {
        return n;
      }
      int errno = Native.errno();
      if (queuedOnly && errno == NetnsException.EAGAIN) {
        return -1;
      }
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

  /** A small heap buffer for a syscall argument (jnr-ffi copies it in and out). */
  private static ByteBuffer heap(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
  }

  /**
   * Closes the fd once, after any request in flight, and gives the buffers to the next socket.
   * Idempotent; never throws.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      lock.lock();
      try {
        Native.libc().close(fd);
        if (send.capacity() != SEND_BUFFER) {
          return; // a socket's own size: not pooled
        }
        if (POOL_SIZE.incrementAndGet() <= POOLED) {
          POOL.offer(new ByteBuffer[] {send, recv}); // no request can use them any more
        } else {
          POOL_SIZE.decrementAndGet();
        }
      } finally {
        lock.unlock();
      }
    }
  }
}
