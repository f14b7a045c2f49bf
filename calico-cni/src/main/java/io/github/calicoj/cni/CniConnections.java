package io.github.calicoj.cni;

import com.google.common.util.concurrent.Striped;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.function.BooleanSupplier;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link CniServer} does with each accepted connection: checks its peer, hands it to a worker
 * or refuses it (answering without blocking and lingering until the client has read the answer),
 * and on the worker reads the request, runs it after any other request for the same container,
 * replies and closes. Thread-safe. It borrows the server's workers, timer and sessions; the server
 * shuts them down and then calls {@link #closeLingering()}.
 */
final class CniConnections {
  // The server's logger, so that its log lines keep their category.
  private static final Logger LOG = LoggerFactory.getLogger(CniServer.class);

  /** How often a refused connection is read, how long at most, and how much. */
  private static final long LINGER_POLL_MS = 20;

  private static final long LINGER_MS = 2000;

  private static final long LINGER_BYTES = 64 << 10;

  private final Path socket;
  private final UserPrincipal self;
  private final UserPrincipal root;
  private final ThreadPoolExecutor workers;
  private final ScheduledExecutorService watchdog;
  private final SessionCache sessions;
  private final Duration ioTimeout;
  private final Duration containerWait;
  private final BooleanSupplier closed;
  private final Striped<Lock> containers = Striped.lock(64);
  private final AtomicLong served = new AtomicLong();

  /** Refused connections still open while their request is read and discarded. */
  private final Set<SocketChannel> lingering = ConcurrentHashMap.newKeySet();

  CniConnections(
      Path socket,
      UserPrincipal self,
      UserPrincipal root,
      ThreadPoolExecutor workers,
      ScheduledExecutorService watchdog,
      SessionCache sessions,
      Duration ioTimeout,
      Duration containerWait,
      BooleanSupplier closed) {
    this.socket = socket;
    this.self = self;
    this.root = root;
    this.workers = workers;
    this.watchdog = watchdog;
    this.sessions = sessions;
    this.ioTimeout = ioTimeout;
    this.containerWait = containerWait;
    this.closed = closed;
  }

  /** How many requests ran the plugin's code (refused ones not counted). */
  long served() {
    return served.get();
  }

  /** Checks the peer, then hands the connection to a worker, or refuses it. */
  void accepted(SocketChannel ch) {
    UserPrincipal peer;
    try {
      UnixDomainPrincipal cred = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
      peer = cred.user();
    } catch (IOException | RuntimeException e) {
      LOG.warn("Cannot read the peer of a connection on {}: {}", socket, e.toString());
      refuse(ch, 403, "The CNI server cannot tell who connected: " + e.getMessage());
      return;
    }
    if (!peerAllowed(peer, self, root)) {
      LOG.warn("Refused a connection on {} from user {}", socket, peer.getName());
      refuse(
          ch,
          403,
          "User "
              + peer.getName()
              + " may not use the CNI server at "
              + socket
              + " (it serves "
              + (self.equals(root) ? "root" : "root and " + self.getName())
              + ")");
      return;
    }
    try {
      workers.execute(() -> handle(ch));
    } catch (RejectedExecutionException e) {
      refuse(
          ch,
          503,
          closed.getAsBoolean()
              ? "The CNI server at " + socket + " is shutting down"
              : "The CNI server at "
                  + socket
                  + " is busy ("
                  + workers.getQueue().size()
                  + " waiting)");
    }
  }

  /** Whether {@code peer} may use a server run by {@code self}: root or the same user. */
  static boolean peerAllowed(UserPrincipal peer, UserPrincipal self, UserPrincipal root) {
    return peer.equals(root) || peer.equals(self);
  }

  /**
   * Answers on the accepting thread without waiting: the reply (a few hundred bytes) is written
   * once, without blocking, and the connection is then left to {@link #linger}, which reads and
   * discards the request that the client may still be sending before it closes. Closing at once
   * would reset the connection (a Unix socket closed with unread data does), and the client would
   * see "could not connect" instead of the reply.
   */
  private void refuse(SocketChannel ch, int status, String msg) {
    CniException error =
        new CniException(
            status == 503 ? CniCode.TRY_AGAIN_LATER : CniCode.INVALID_ENVIRONMENT, msg);
    try {
      ch.configureBlocking(false);
      ch.write(ByteBuffer.wrap(CniHttp.reply(status, errorBody(error))));
      ch.shutdownOutput();
    } catch (IOException e) {
      LOG.debug("Could not send {} to a refused connection: {}", status, e.toString());
      closeQuietly(ch);
      return;
    }
    lingering.add(ch);
    lingerLater(ch, System.nanoTime());
  }

  /** Schedules {@link #linger}; when the timer is shut down (closing), closes at once. */
  private void lingerLater(SocketChannel ch, long since) {
    try {
      ScheduledFuture<?> unused =
          watchdog.schedule(() -> linger(ch, since), LINGER_POLL_MS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      lingering.remove(ch);
      closeQuietly(ch);
    }
  }

  /**
   * Reads and discards what a refused client sends, every {@link #LINGER_POLL_MS}, until it closes
   * its side (it has read the reply: {@code Connection: close}), {@link #LINGER_BYTES} have come,
   * or {@link #LINGER_MS} have passed; then closes. Runs on the timer thread and never blocks.
   */
  private void linger(SocketChannel ch, long since) {
    boolean done = System.nanoTime() - since > TimeUnit.MILLISECONDS.toNanos(LINGER_MS);
    try {
      ByteBuffer sink = ByteBuffer.allocate(8192);
      long read = 0;
      int n;
      while (!done && (n = ch.read(sink)) != 0) {
        sink.clear();
        read += Math.max(n, 0);
        done = n < 0 || read > LINGER_BYTES;
      }
    } catch (IOException e) {
      done = true;
    }
    if (done || closed.getAsBoolean()) {
      lingering.remove(ch);
      closeQuietly(ch);
      return;
    }
    lingerLater(ch, since);
  }

  /** Closes a connection or the listener; a failure to close is only logged. */
  static void closeQuietly(@Nullable Channel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        LOG.debug("Closing {} failed: {}", ch, e.toString());
      }
    }
  }

  private static byte[] errorBody(CniException e) {
    return CalicoCni.line(e.toJson(CniVersion.LATEST.toString()));
  }

  /** One connection, on a worker: read the request, run it, reply, close. */
  private void handle(SocketChannel ch) {
    try (ch) {
      CniHttp.Request request;
      ScheduledFuture<?> deadline = closeAfter(ch, ioTimeout);
      try {
        BufferedInputStream in = new BufferedInputStream(Channels.newInputStream(ch));
        request = CniHttp.read(in, () -> write(ch, CniHttp.CONTINUE));
      } catch (CniHttp.BadRequest bad) {
        LOG.warn("Refused a request on {}: {} {}", socket, bad.status(), bad.getMessage());
        write(ch, CniHttp.reply(bad.status(), errorBody(bad.error())));
        return;
      } finally {
        deadline.cancel(false);
      }
      CalicoCni.Reply reply = run(request);
      deadline = closeAfter(ch, ioTimeout);
      try {
        write(ch, CniHttp.reply(reply.status() == 0 ? 200 : 500, reply.stdout()));
      } finally {
        deadline.cancel(false);
      }
    } catch (EOFException e) {
      // A client that connected and left (a probe whether the server listens, say).
      LOG.debug("A connection on {} ended early: {}", socket, e.getMessage());
    } catch (IOException e) {
      // The client went away, or took longer than ioTimeout: there is nobody to answer.
      LOG.info("A connection on {} ended without a complete exchange: {}", socket, e.toString());
    } catch (RuntimeException e) {
      LOG.error("A request on {} failed", socket, e);
    }
  }

  /** Runs the request after any other request for the same container. */
  private CalicoCni.Reply run(CniHttp.Request request) {
    Map<String, String> env = request.env();
    String id = env.getOrDefault("CNI_CONTAINERID", "");
    String what = env.getOrDefault("CNI_COMMAND", "") + " of container " + CalicoCni.brief(id);
    String version = NetConf.versionForErrors(request.config());
    Lock lock = containers.get(id);
    try {
      if (!lock.tryLock(containerWait.toMillis(), TimeUnit.MILLISECONDS)) {
        return CalicoCni.failure(
            new CniException(
                CniCode.TRY_AGAIN_LATER,
                what
                    + ": another request for this container has been running for "
                    + containerWait.toSeconds()
                    + " s"),
            what,
            version);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CalicoCni.failure(
          new CniException(CniCode.TRY_AGAIN_LATER, what + ": the CNI server is shutting down"),
          what,
          version);
    }
    long start = System.nanoTime();
    try {
      CalicoCni.Reply reply = CalicoCni.execute(env, request.config(), sessions, false);
      LOG.debug(
          "{}: exit {} in {} us",
          what,
          reply.status(),
          TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start));
      return reply;
    } finally {
      lock.unlock();
      served.incrementAndGet();
    }
  }

  private ScheduledFuture<?> closeAfter(SocketChannel ch, Duration timeout) {
    return watchdog.schedule(() -> closeQuietly(ch), timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static void write(SocketChannel ch, byte[] bytes) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  /** Closes the refused connections still lingering; for the server's close, after the timer. */
  void closeLingering() {
    for (SocketChannel ch : lingering) {
      closeQuietly(ch);
    }
    lingering.clear();
  }
}
