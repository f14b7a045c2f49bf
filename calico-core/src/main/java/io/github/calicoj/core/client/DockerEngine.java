package io.github.calicoj.core.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.calicoj.core.CalicoException.Reason;
import io.github.calicoj.core.WorkloadException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Docker Engine API calls calicoj needs, {@code GET /containers/{id}/json} (inspect one) and
 * {@code GET /containers/json?all=1} (list all), over the daemon's unix socket with the JDK's
 * unix-domain channels (no docker CLI, no client library). HTTP/1.0, so the body is not chunked and
 * ends at EOF. Every call is bounded by the timeout, and ends early (keeping the interrupt) if its
 * thread is interrupted. Thread-safe; holds no connection between calls.
 */
public final class DockerEngine {
  /** The most an inspect's answer may hold; one is a few KiB. */
  private static final int MAX_ANSWER_BYTES = 4 << 20;

  /** The most a container list may hold: about 2 KiB per container. */
  private static final int MAX_LIST_BYTES = 64 << 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path socket;
  private final Duration timeout;

  /**
   * A client for the daemon at {@code dockerHost}: {@code unix:///var/run/docker.sock} or a bare
   * socket path.
   *
   * @throws IllegalArgumentException for a non-unix {@code DOCKER_HOST}
   */
  public DockerEngine(String dockerHost, Duration timeout) {
    requireNonNull(dockerHost, "dockerHost");
    this.timeout = requireNonNull(timeout, "timeout");
    String h = dockerHost.trim();
    if (h.startsWith("unix://")) {
      h = h.substring("unix://".length());
    } else if (h.contains("://")) {
      throw new IllegalArgumentException(
          "Only unix:// Docker hosts are supported, got DOCKER_HOST=" + dockerHost);
    }
    this.socket = Path.of(h.startsWith("/") ? h : "/" + h);
  }

  /** The daemon named by the {@code DOCKER_HOST} environment variable, or the default socket. */
  public static DockerEngine fromEnvironment(Duration timeout) {
    String host = System.getenv("DOCKER_HOST");
    return new DockerEngine(
        host == null || host.isBlank() ? "unix:///var/run/docker.sock" : host, timeout);
  }

  /** The daemon's socket. */
  Path socket() {
    return socket;
  }

  /** The bound on one call. */
  Duration timeout() {
    return timeout;
  }

  /**
   * Every container the daemon knows, running or not ({@code GET /containers/json?all=1}): full id
   * to whether it is running. One call, whatever the number of containers.
   *
   * @throws WorkloadException DAEMON_UNREACHABLE, PERMISSION_DENIED or DAEMON_ERROR
   */
  public Map<String, Boolean> containers() {
    Response r = get("/containers/json?all=1", MAX_LIST_BYTES);
    if (r.status() != 200) {
      throw new WorkloadException(
          Reason.DAEMON_ERROR,
          "Docker daemon answered " + r.status() + " for the container list: " + r.body().trim(),
          null);
    }
    try {
      Map<String, Boolean> out = new LinkedHashMap<>();
      for (JsonNode c : JSON.readTree(r.body())) {
        out.put(c.path("Id").asText(), "running".equals(c.path("State").asText()));
      }
      return out;
    } catch (IOException e) {
      throw new WorkloadException(
          Reason.DAEMON_ERROR, "Unreadable container list from the Docker daemon", e);
    }
  }

  /** What calicoj needs to know about a container. */
  public record Container(String id, boolean running, int pid, String networkMode) {
    /** The container's network namespace. */
    public Path netnsPath() {
      return Path.of("/proc/" + pid + "/ns/net");
    }
  }

  /**
   * Inspects a container by name, short id or full id.
   *
   * @throws WorkloadException NOT_FOUND ("Container X was not found."), DAEMON_UNREACHABLE,
   *     PERMISSION_DENIED or DAEMON_ERROR
   */
  public Container inspect(String nameOrId) {
    requireNonNull(nameOrId, "nameOrId");
    String path = "/containers/" + URLEncoder.encode(nameOrId, StandardCharsets.UTF_8) + "/json";
    Response r = get(path, MAX_ANSWER_BYTES);
    if (r.status() == 404) {
      throw new WorkloadException(
          Reason.CONTAINER_NOT_FOUND, "Container " + nameOrId + " was not found.", null);
    }
    if (r.status() != 200) {
      throw new WorkloadException(
          Reason.DAEMON_ERROR,
          "Docker daemon answered "
              + r.status()
              + " for container "
              + nameOrId
              + ": "
              + r.body().trim(),
          null);
    }
    try {
      JsonNode o = JSON.readTree(r.body());
      return new Container(
          o.path("Id").asText(),
          o.path("State").path("Running").asBoolean(false),
          o.path("State").path("Pid").asInt(0),
          o.path("HostConfig").path("NetworkMode").asText(""));
    } catch (IOException e) {
      throw new WorkloadException(
          Reason.DAEMON_ERROR, "Unreadable answer from the Docker daemon", e);
    }
  }

  private record Response(int status, String body) {}

  private Response get(String path, int maxBytes) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        Selector selector = Selector.open()) {
      ch.connect(UnixDomainSocketAddress.of(socket)); // local: completes or fails at once
      ch.configureBlocking(false);
      ch.register(selector, SelectionKey.OP_READ);
      ByteBuffer req =
          ByteBuffer.wrap(
              ("GET " + path + " HTTP/1.0\r\nHost: docker\r\nUser-Agent: calicoj\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      while (req.hasRemaining()) {
        ch.write(req);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new WorkloadException(
              Reason.DAEMON_UNREACHABLE,
              "Docker daemon at " + socket + " did not answer within " + timeout,
              null);
        }
        selector.select(Math.max(1, left / 1_000_000));
        selector.selectedKeys().clear();
        if (Thread.currentThread().isInterrupted()) { // select returns at once from now on
          throw new WorkloadException(
              Reason.DAEMON_UNREACHABLE,
              "Interrupted while waiting for the Docker daemon at " + socket,
              null);
        }
        buf.clear();
        int n = ch.read(buf);
        if (n < 0) {
          break;
        }
        out.write(buf.array(), 0, n);
        if (out.size() > maxBytes) {
          throw new WorkloadException(
              Reason.DAEMON_ERROR,
              "The Docker daemon at " + socket + " answered more than " + maxBytes + " bytes",
              null);
        }
      }
      String text = out.toString(StandardCharsets.UTF_8);
      int split = text.indexOf("\r\n\r\n");
      String head = split < 0 ? text : text.substring(0, split);
      String[] status = head.split(" ", 3);
      if (status.length < 2 || !status[1].matches("\\d{3}")) {
        throw new WorkloadException(Reason.DAEMON_ERROR, "Not an HTTP answer from " + socket, null);
      }
      return new Response(Integer.parseInt(status[1]), split < 0 ? "" : text.substring(split + 4));
    } catch (IOException e) {
      if (permissionDenied(e)) {
        throw permission(e);
      }
      throw new WorkloadException(
          Reason.DAEMON_UNREACHABLE,
          "Unable to run docker commands. Is the docker daemon running? ("
              + socket
              + ": "
              + e.getMessage()
              + ")",
          e);
    }
  }

  /**
   * True if the daemon's socket refused us for lack of permission (EACCES on connect).
   *
   * <p>The text is the only signal: the JDK reports EACCES on a Unix-socket connect as a {@link
   * java.net.BindException}, the same type it uses for "address in use", with strerror's text and
   * no errno; only a file-system refusal comes as an {@link AccessDeniedException}.
   */
  static boolean permissionDenied(IOException e) {
    return e instanceof AccessDeniedException
        || String.valueOf(e.getMessage()).contains("Permission denied");
  }

  private WorkloadException permission(IOException e) {
    return new WorkloadException(
        Reason.PERMISSION_DENIED,
        "Unable to run command.  Re-run the command as root, or configure the docker group to run"
            + " with sudo privileges (see docker installation guide for details). ("
            + socket
            + ")",
        e);
  }
}
