package io.github.calicoj.cni;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.Striped;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resident CNI service: runs ADD, DEL and CHECK for the {@code calico-cni} launcher, which
 * sends them over a Unix domain socket instead of starting a JVM per invocation. Each request runs
 * the plugin's own code ({@link CalicoCni}'s invocation, the same ADD, DEL and CHECK), on warm
 * sessions: one etcd client and host-namespace netlink socket per distinct datastore, node and host
 * namespace in the configurations it sees (at most {@link Builder#sessions}), reused across
 * requests.
 *
 * <pre>{@code
 * try (CniServer server = CniServer.builder().socket(Path.of("/run/calicoj/cni.sock")).build()) {
 *   // serving until closed
 * }
 * }</pre>
 *
 * <p>The protocol is {@link CniHttp}'s: one HTTP/1.1 POST per connection, the {@code CNI_*}
 * variables as headers and the network configuration as the body; the reply's body is what the
 * plugin prints on stdout, with status 200 on success, 500 when the plugin reports an error, 4xx
 * for a refused request, 503 when the server is full or closing (its body a CNI error too). So
 * {@code curl --unix-socket} is a client:
 *
 * <pre>
 * curl -sS --unix-socket /run/calicoj/cni.sock --data-binary @net.conf \
 *   -H 'CNI_COMMAND: ADD' -H 'CNI_CONTAINERID: c1' -H 'CNI_NETNS: /run/netns/c1' \
 *   -H 'CNI_IFNAME: eth0' http://localhost/cni
 * </pre>
 *
 * <p><b>Access:</b> the socket's directory is made mode 0700 (an existing one must belong to this
 * process's user, and is set to 0700) and the socket 0600; each connection's peer, read with {@code
 * SO_PEERCRED}, must be root or this process's user, or it gets 403. A socket file left by a server
 * that is gone is replaced; one that a live server answers on, or a path that is not a socket, is
 * an error. Closing removes the socket file (if it is still this server's).
 *
 * <p><b>Bounds:</b> one thread accepts; requests run on {@link Builder#threads} workers with {@link
 * Builder#queue} waiting, beyond which a connection gets 503. Reading a request and writing its
 * reply each have {@link Builder#ioTimeout}, after which the connection is closed. Requests for one
 * container run one at a time (a DEL that follows an ADD whose client gave up waits for it), each
 * waiting at most {@link Builder#containerWait}; the plugin's own work is bounded as the standalone
 * plugin's is ({@code etcd_timeout}, netlink timeouts, 20 s of dataplane work).
 *
 * <p><b>Logging:</b> the server never configures logging. Its requests log through slf4j as the
 * embedding program has set it up; the configuration's {@code log_level} and {@code log_file_path}
 * apply to the standalone plugin only. {@code calico-cni serve} sets up its log once, from its
 * options.
 *
 * <p><b>Thread safety and ownership:</b> thread-safe. The server owns its socket, threads and
 * sessions; {@link #close()} stops accepting, lets requests in progress finish (at most {@link
 * Builder#shutdownWait}, then interrupts them), joins its threads, closes the sessions and removes
 * the socket file. Its accepting thread is not a daemon: a program that embeds the server keeps
 * running until it is closed.
 */
public final class CniServer implements AutoCloseable {
  /** The socket the launcher and {@code calico-cni serve} use unless told otherwise. */
  public static final Path DEFAULT_SOCKET = Path.of("/run/calicoj/cni.sock");

  private static final Logger LOG = LoggerFactory.getLogger(CniServer.class);

  /** {@code S_IFMT} and {@code S_IFSOCK} of {@code st_mode}, sys/stat.h. */
  private static final int S_IFMT = 0170000;

  private static final int S_IFSOCK = 0140000;

  private final Path socket;
  private final ServerSocketChannel listener;
  private final @Nullable Object fileKey;
  private final UserPrincipal self;
  private final UserPrincipal root;
  private final ThreadPoolExecutor workers;
  private final ScheduledExecutorService watchdog;
  private final SessionCache sessions;
  private final Striped<Lock> containers = Striped.lock(64);
  private final Duration ioTimeout;
  private final Duration containerWait;
  private final Duration shutdownWait;
  private final Thread acceptor;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong served = new AtomicLong();

  /** Refused connections still open while their request is read and discarded. */
  private final Set<SocketChannel> lingering = ConcurrentHashMap.newKeySet();

  /** How often a refused connection is read, how long at most, and how much. */
  private static final long LINGER_POLL_MS = 20;

  private static final long LINGER_MS = 2000;

  private static final long LINGER_BYTES = 64 << 10;

  private CniServer(Builder b, ServerSocketChannel listener, @Nullable Object fileKey)
      throws IOException {
    this.socket = b.socket;
    this.listener = listener;
    this.fileKey = fileKey;
    this.self = Files.getOwner(b.socket, LinkOption.NOFOLLOW_LINKS);
    this.root = FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("0");
    this.ioTimeout = b.ioTimeout;
    this.containerWait = b.containerWait;
    this.shutdownWait = b.shutdownWait;
    this.sessions = new SessionCache(b.sessions);
    this.workers =
        new ThreadPoolExecutor(
            b.threads,
            b.threads,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(b.queue),
            threads("calico-cni-server-worker-"));
    this.watchdog = Executors.newSingleThreadScheduledExecutor(threads("calico-cni-server-timer-"));
    this.acceptor = new Thread(this::acceptLoop, "calico-cni-server-accept");
    acceptor.start();
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The socket this server listens on. */
  public Path socket() {
    return socket;
  }

  /** Whether this server was closed. */
  public boolean isClosed() {
    return closed.get();
  }

  /** How many requests ran the plugin's code (refused ones not counted). */
  long requestsServed() {
    return served.get();
  }

  /** How many warm sessions are kept. */
  int cachedSessions() {
    return sessions.size();
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private void acceptLoop() {
    while (!closed.get()) {
      SocketChannel ch;
      try {
        ch = listener.accept();
      } catch (ClosedChannelException e) {
        break;
      } catch (IOException e) {
        if (closed.get()) {
          break;
        }
        // Out of file descriptors, say: wait a little instead of spinning on the error.
        LOG.warn("Accepting a connection on {} failed: {}", socket, e.toString());
        if (!pause()) {
          break;
        }
        continue;
      }
      accepted(ch);
    }
  }

  private static boolean pause() {
    try {
      Thread.sleep(100);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Checks the peer, then hands the connection to a worker, or refuses it. */
  private void accepted(SocketChannel ch) {
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
          closed.get()
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
    if (done || closed.get()) {
      lingering.remove(ch);
      closeQuietly(ch);
      return;
    }
    lingerLater(ch, since);
  }

  /** Closes a connection or the listener; a failure to close is only logged. */
  private static void closeQuietly(@Nullable Channel ch) {
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

  /**
   * Stops accepting, waits for requests in progress (at most {@code shutdownWait}, then interrupts
   * them), joins the threads, closes the sessions and removes the socket file. Idempotent (a call
   * while another is under way returns at once); never throws; an interrupt of the caller is kept
   * and cuts the waiting short.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      listener.close();
    } catch (IOException e) {
      LOG.warn("Closing {} failed: {}", socket, e.toString());
    }
    boolean interrupted = false;
    try {
      acceptor.join(shutdownWait.toMillis());
      workers.shutdown();
      if (!workers.awaitTermination(shutdownWait.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("Requests still running after {}: interrupting them", shutdownWait);
        workers.shutdownNow();
        workers.awaitTermination(ioTimeout.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      interrupted = true;
      workers.shutdownNow();
    }
    watchdog.shutdownNow();
    try {
      if (!interrupted) {
        watchdog.awaitTermination(ioTimeout.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      interrupted = true;
    }
    for (SocketChannel ch : lingering) {
      closeQuietly(ch);
    }
    lingering.clear();
    sessions.close();
    removeSocketFile();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    LOG.info("The CNI server on {} is closed", socket);
  }

  private void removeSocketFile() {
    try {
      BasicFileAttributes a =
          Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (Objects.equals(a.fileKey(), fileKey)) {
        Files.delete(socket);
      } else {
        LOG.info("{} is not this server's socket any more: left in place", socket);
      }
    } catch (IOException e) {
      LOG.debug("Socket file {} not removed: {}", socket, e.toString());
    }
  }

  /**
   * Configures a {@link CniServer}. Not thread-safe. The bounds must be positive; setters check
   * their argument at once.
   */
  public static final class Builder {
    Path socket = DEFAULT_SOCKET;
    int threads = 4;
    int queue = 64;
    int sessions = 8;
    Duration ioTimeout = Duration.ofSeconds(10);
    Duration containerWait = Duration.ofMinutes(2);
    Duration shutdownWait = Duration.ofSeconds(30);

    Builder() {}

    /** The socket's path (absolute). Default {@link #DEFAULT_SOCKET}. */
    public Builder socket(Path path) {
      requireNonNull(path, "path");
      checkArgument(path.isAbsolute(), "socket %s is not an absolute path", path);
      checkArgument(path.getParent() != null, "socket %s has no directory", path);
      this.socket = path;
      return this;
    }

    /** How many requests run at once. Default 4. */
    public Builder threads(int n) {
      checkArgument(n >= 1 && n <= 256, "threads must be in 1..256, not %s", n);
      this.threads = n;
      return this;
    }

    /** How many accepted connections may wait for a worker; more get 503. Default 64. */
    public Builder queue(int n) {
      checkArgument(n >= 1 && n <= 4096, "queue must be in 1..4096, not %s", n);
      this.queue = n;
      return this;
    }

    /** How many warm sessions are kept (least recently used closed first). Default 8. */
    public Builder sessions(int n) {
      checkArgument(n >= 1 && n <= 256, "sessions must be in 1..256, not %s", n);
      this.sessions = n;
      return this;
    }

    /** The bound on reading a request, and on writing its reply. Default 10 s. */
    public Builder ioTimeout(Duration timeout) {
      this.ioTimeout = positive(timeout, "ioTimeout");
      return this;
    }

    /** The longest a request waits for one of the same container to finish. Default 2 min. */
    public Builder containerWait(Duration timeout) {
      this.containerWait = positive(timeout, "containerWait");
      return this;
    }

    /** The longest {@link CniServer#close()} lets requests in progress run. Default 30 s. */
    public Builder shutdownWait(Duration timeout) {
      this.shutdownWait = positive(timeout, "shutdownWait");
      return this;
    }

    private static Duration positive(Duration d, String name) {
      requireNonNull(d, name);
      checkArgument(!d.isNegative() && !d.isZero(), "%s must be positive, not %s", name, d);
      return d;
    }

    /**
     * Makes the socket's directory if needed, binds the socket and starts serving.
     *
     * @throws IllegalStateException if a live server answers on the socket, or the path exists and
     *     is not a socket, or the directory belongs to another user
     * @throws UncheckedIOException if the directory or socket cannot be made
     */
    public CniServer build() {
      ServerSocketChannel ch = null;
      try {
        prepareDirectory(requireNonNull(socket.getParent()));
        replaceStaleSocket(socket);
        ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        ch.bind(UnixDomainSocketAddress.of(socket), queue);
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        Object key =
            Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                .fileKey();
        CniServer server = new CniServer(this, ch, key);
        LOG.info("The CNI server listens on {}", socket);
        return server;
      } catch (IOException e) {
        closeQuietly(ch);
        throw new UncheckedIOException("Cannot listen on " + socket + ": " + e.getMessage(), e);
      } catch (RuntimeException e) {
        closeQuietly(ch);
        throw e;
      }
    }

    /** Makes the directory 0700, or checks that it is this user's and makes it 0700. */
    private static void prepareDirectory(Path dir) throws IOException {
      Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rwx------");
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(owner));
        Files.setPosixFilePermissions(dir, owner); // the umask may have taken some away
        return;
      }
      UserPrincipal me = Files.getOwner(Path.of("/proc/self"));
      UserPrincipal dirOwner = Files.getOwner(dir);
      if (!dirOwner.equals(me)) {
        throw new IllegalStateException(
            "The socket's directory "
                + dir
                + " belongs to "
                + dirOwner.getName()
                + ", not to "
                + me.getName()
                + ": choose another socket path");
      }
      if (!Files.getPosixFilePermissions(dir).equals(owner)) {
        LOG.info("Setting {} to mode 0700", dir);
        Files.setPosixFilePermissions(dir, owner);
      }
    }

    /**
     * Deletes a socket file that no server answers on; refuses a live one, and anything that is not
     * a socket.
     */
    private static void replaceStaleSocket(Path socket) throws IOException {
      if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
        return;
      }
      int mode = (Integer) Files.getAttribute(socket, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      if ((mode & S_IFMT) != S_IFSOCK) {
        throw new IllegalStateException(socket + " exists and is not a socket: not replaced");
      }
      SocketChannel probe;
      try {
        probe = SocketChannel.open(UnixDomainSocketAddress.of(socket));
      } catch (IOException refused) {
        LOG.info("Replacing the stale socket {} ({})", socket, refused.toString());
        Files.delete(socket);
        return;
      }
      try {
        probe.close();
      } catch (IOException e) {
        LOG.debug("Closing the probe of {} failed: {}", socket, e.toString());
      }
      throw new IllegalStateException("Another server listens on " + socket);
    }
  }
}
