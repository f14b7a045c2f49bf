package io.github.calicoj.cni;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
 *
 * <p>This class accepts and closes; what happens to each connection (peer check, refusal, request,
 * reply) is in {@code CniConnections}, and the socket file's directory, replacement and removal in
 * {@code CniSocketFile}.
 */
public final class CniServer implements AutoCloseable {
  /** The socket the launcher and {@code calico-cni serve} use unless told otherwise. */
  public static final Path DEFAULT_SOCKET = Path.of("/run/calicoj/cni.sock");

  private static final Logger LOG = LoggerFactory.getLogger(CniServer.class);

  private final Path socket;
  private final ServerSocketChannel listener;
  private final @Nullable Object fileKey;
  private final ThreadPoolExecutor workers;
  private final ScheduledExecutorService watchdog;
  private final SessionCache sessions;
  private final CniConnections connections;
  private final Duration ioTimeout;
  private final Duration shutdownWait;
  private final Thread acceptor;
  private final AtomicBoolean closed = new AtomicBoolean();

  private CniServer(Builder b, ServerSocketChannel listener, @Nullable Object fileKey)
      throws IOException {
    this.socket = b.socket;
    this.listener = listener;
    this.fileKey = fileKey;
    this.ioTimeout = b.ioTimeout;
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
    this.connections =
        new CniConnections(
            b.socket,
            Files.getOwner(b.socket, LinkOption.NOFOLLOW_LINKS),
            FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("0"),
            workers,
            watchdog,
            sessions,
            b.ioTimeout,
            b.containerWait,
            closed::get);
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
    return connections.served();
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
      connections.accepted(ch);
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
    connections.closeLingering();
    sessions.close();
    CniSocketFile.remove(socket, fileKey);
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    LOG.info("The CNI server on {} is closed", socket);
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
        CniSocketFile.prepareDirectory(requireNonNull(socket.getParent()));
        CniSocketFile.replaceStaleSocket(socket);
        ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        ch.bind(UnixDomainSocketAddress.of(socket), queue);
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        CniServer server = new CniServer(this, ch, CniSocketFile.fileKey(socket));
        LOG.info("The CNI server listens on {}", socket);
        return server;
      } catch (IOException e) {
        CniConnections.closeQuietly(ch);
        throw new UncheckedIOException("Cannot listen on " + socket + ": " + e.getMessage(), e);
      } catch (RuntimeException e) {
        CniConnections.closeQuietly(ch);
        throw e;
      }
    }
  }
}
