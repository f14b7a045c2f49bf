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
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The Docker Engine's container event stream ({@code GET /events}, filtered to containers), read
 * over the unix socket as one JSON object per line. {@link #follow} blocks, delivering events,
 * until the daemon ends the stream or {@link #close()} is called from another thread. Not reusable:
 * one stream per instance.
 */
public final class DockerEvents implements AutoCloseable {
  /** The longest line a container event may be. */
  private static final int MAX_EVENT_BYTES = 1 << 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One container event.
   *
   * @param action {@code start}, {@code die}, {@code destroy}, …
   * @param id the container's full id
   * @param timeNanos the event's time, nanoseconds since the epoch
   */
  public record Event(String action, String id, long timeNanos) {}

  private final DockerEngine engine;
  private final SocketChannel channel;

  /**
   * Opens the stream of container events since {@code sinceSeconds} (epoch seconds; 0 for only
   * events from now on).
   *
   * @throws WorkloadException ({@link Reason#DAEMON_UNREACHABLE}) if the daemon cannot be reached
   */
  public DockerEvents(DockerEngine engine, long sinceSeconds) {
    this.engine = requireNonNull(engine, "engine");
    String filters = URLEncoder.encode("{\"type\":[\"container\"]}", StandardCharsets.UTF_8);
    String path = "/events?filters=" + filters + (sinceSeconds > 0 ? "&since=" + sinceSeconds : "");
    try {
      channel = SocketChannel.open(StandardProtocolFamily.UNIX);
      channel.connect(UnixDomainSocketAddress.of(engine.socket()));
      ByteBuffer req =
          ByteBuffer.wrap(
              ("GET " + path + " HTTP/1.0\r\nHost: docker\r\nUser-Agent: calicoj\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      while (req.hasRemaining()) {
        channel.write(req);
      }
    } catch (IOException e) {
      throw new WorkloadException(
          Reason.DAEMON_UNREACHABLE,
          "Cannot follow Docker's events at " + engine.socket() + ": " + e.getMessage(),
          e);
    }
  }

  /**
   * Reads events until the stream ends, handing each to {@code sink} on this thread.
   *
   * @throws WorkloadException ({@link Reason#DAEMON_ERROR}) if the daemon refuses the stream or
   *     sends something else; ({@link Reason#DAEMON_UNREACHABLE}) if the connection breaks (also
   *     after {@link #close()})
   */
  public void follow(Consumer<Event> sink) {
    ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    boolean headers = true;
    int blankRun = 0;
    try {
      while (true) {
        buf.clear();
        int n = channel.read(buf);
        if (n < 0) {
          return;
        }
        for (int i = 0; i < n; i++) {
          byte b = buf.get(i);
          if (b != '\n') {
            if (b != '\r') {
              line.write(b);
            }
            if (line.size() > MAX_EVENT_BYTES) {
              throw new WorkloadException(
                  Reason.DAEMON_ERROR, "A Docker event longer than " + MAX_EVENT_BYTES, null);
            }
            continue;
          }
          String text = line.toString(StandardCharsets.UTF_8);
          line.reset();
          if (headers) {
            if (blankRun == 0 && !text.startsWith("HTTP/")) {
              throw new WorkloadException(
                  Reason.DAEMON_ERROR, "Not an HTTP answer from " + engine.socket(), null);
            }
            if (blankRun == 0 && !text.matches("HTTP/\\S+ 200.*")) {
              throw new WorkloadException(
                  Reason.DAEMON_ERROR, "Docker refused the event stream: " + text, null);
            }
            blankRun++;
            headers = !text.isEmpty();
            continue;
          }
          if (!text.isBlank()) {
            deliver(text, sink);
          }
        }
      }
    } catch (IOException e) {
      throw new WorkloadException(
          Reason.DAEMON_UNREACHABLE, "Docker's event stream broke: " + e.getMessage(), e);
    }
  }

  private static void deliver(String text, Consumer<Event> sink) throws IOException {
    JsonNode o = JSON.readTree(text);
    String id = o.path("id").asText(o.path("Actor").path("ID").asText(""));
    if (!id.isEmpty() && "container".equals(o.path("Type").asText("container"))) {
      sink.accept(
          new Event(
              o.path("Action").asText(o.path("status").asText("")),
              id,
              o.path("timeNano").asLong(o.path("time").asLong() * 1_000_000_000L)));
    }
  }

  /** Ends the stream; a {@link #follow} in progress returns or throws. Idempotent. */
  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // closing: nothing to do
    }
  }
}
