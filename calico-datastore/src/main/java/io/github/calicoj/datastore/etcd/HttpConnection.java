package io.github.calicoj.datastore.etcd;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP/1.1 connection to etcd's JSON gateway: a POST with a JSON body, and a response read by
 * {@code Content-Length} or chunked transfer coding.
 *
 * <p><b>Bounds.</b> Everything a call does on the connection (connect, TLS handshake, write, every
 * read) ends by the call's deadline: each read waits at most what is left of it, and the {@link
 * Watchdog} closes the socket at the deadline for whatever a read timeout cannot cover. A reply may
 * have at most {@value #MAX_HEADER_BYTES} bytes of headers and {@value #MAX_BODY_BYTES} bytes of
 * body; a watch stream's messages each at most {@value #MAX_BODY_BYTES} bytes. Beyond that the call
 * fails with {@link HttpStreams.ReplyTooLargeException}.
 *
 * <p>Not thread-safe: one exchange at a time (the datastore pools idle connections), except that
 * {@link #close()} may be called from any thread to abort it.
 */
final class HttpConnection implements Closeable {
  /**
   * The largest reply body, or watch message, read: 32 MiB. etcd refuses requests over 1.5 MiB
   * ({@code --max-request-bytes}); a reply is bounded by what the gateway's gRPC client accepts (4
   * MiB by default), which base64 and JSON grow by about a third. 32 MiB leaves room for a larger
   * server setting while keeping a misbehaving endpoint from filling the heap.
   */
  static final int MAX_BODY_BYTES = 32 << 20;

  /** The most bytes of status line and headers read per reply: 64 KiB. */
  static final int MAX_HEADER_BYTES = 64 << 10;

  /** A response: status, body, and whether the connection may be reused. */
  static final class Response {
    private final int status;
    private final byte[] body;
    private final boolean reusable;

    Response(int status, byte[] body, boolean reusable) {
      this.status = status;
      this.body = body;
      this.reusable = reusable;
    }

    int status() {
      return status;
    }

    byte[] body() {
      return body;
    }

    boolean reusable() {
      return reusable;
    }
  }

  /** A streamed response: the status and the decoded body, read without a deadline. */
  record Streaming(int status, HttpStreams.MessageLimit body) {}

  private final URI endpoint;
  private final Socket raw;
  private final String host;
  private final int port;
  private volatile Socket socket; // raw, or the TLS socket over it once connected
  private HttpStreams.@Nullable DeadlineInputStream in;
  private @Nullable OutputStream out;
  private long idleSince = System.nanoTime();

  /** An unconnected connection to {@code endpoint}; {@link #close()} works from now on. */
  HttpConnection(URI endpoint) {
    this.endpoint = endpoint;
    this.raw = new Socket();
    this.socket = raw;
    this.host = endpoint.getHost();
    this.port = endpoint.getPort();
  }

  /**
   * Connects within {@code connectMillis}, with TLS if {@code tls} is given (the server's name is
   * verified against its certificate), all by {@code deadline}. On failure the connection is
   * closed.
   *
   * @throws SocketTimeoutException if the deadline passes
   */
  void connect(@Nullable SSLSocketFactory tls, int connectMillis, long deadline, Watchdog watchdog)
      throws IOException {
    Watchdog.Armed armed = watchdog.arm(deadline, this);
    try {
      raw.setTcpNoDelay(true);
      raw.setKeepAlive(true);
      raw.connect(new InetSocketAddress(host, port), connectMillis);
      Socket s = raw;
      if (tls != null) {
        SSLSocket ssl = (SSLSocket) tls.createSocket(raw, host, port, true);
        SSLParameters params = ssl.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        ssl.setSSLParameters(params);
        socket = ssl;
        ssl.setSoTimeout(HttpStreams.remainingMillis(deadline));
        ssl.startHandshake();
        s = ssl;
      }
      in =
          new HttpStreams.DeadlineInputStream(
              s, new BufferedInputStream(s.getInputStream(), 16 * 1024));
      out = s.getOutputStream();
    } catch (IOException | RuntimeException e) {
      close();
      throw pastDeadline(e, deadline);
    } finally {
      armed.close();
    }
  }

  /** The endpoint this connection goes to. */
  URI endpoint() {
    return endpoint;
  }

  /** Nanoseconds this connection has been idle. */
  long idleNanos() {
    return System.nanoTime() - idleSince;
  }

  /**
   * Sends one POST and reads the whole response by {@code deadline} ({@link System#nanoTime}).
   *
   * @throws SocketTimeoutException if the deadline passes
   * @throws HttpStreams.ReplyTooLargeException if the reply is larger than the limits
   * @throws IOException on any other transport failure; the connection is then unusable
   */
  Response exchange(
      String path, byte[] body, @Nullable String token, long deadline, Watchdog watchdog)
      throws IOException {
    Watchdog.Armed armed = watchdog.arm(deadline, this);
    try {
      Headers h = request(path, body, token, deadline);
      HttpStreams.DeadlineInputStream input = input();
      byte[] content;
      if (h.chunked) {
        content = capped(new HttpStreams.ChunkedInputStream(input));
      } else if (h.length >= 0) {
        if (h.length > MAX_BODY_BYTES) {
          throw tooLarge(h.length + " bytes");
        }
        content = input.readNBytes((int) h.length);
        if (content.length != h.length) {
          throw new EOFException("etcd closed the connection mid-response");
        }
      } else {
        content = capped(input); // no length: the body ends with the connection
        h.close = true;
      }
      idleSince = System.nanoTime();
      return new Response(h.status, content, !h.close);
    } catch (IOException | RuntimeException e) {
      throw pastDeadline(e, deadline);
    } finally {
      armed.close();
    }
  }

  /**
   * Sends one POST whose response is a stream (a watch): returns the status and the decoded body,
   * read without a deadline once the headers are in by {@code headerDeadline}. Each message read
   * from the body (see {@link Streaming#body()}) may be at most {@value #MAX_BODY_BYTES} bytes:
   * call {@link HttpStreams.MessageLimit#next()} on it between messages. Closing this connection
   * ends the stream.
   */
  Streaming stream(
      String path, byte[] body, @Nullable String token, long headerDeadline, Watchdog watchdog)
      throws IOException {
    Headers h;
    Watchdog.Armed armed = watchdog.arm(headerDeadline, this);
    try {
      h = request(path, body, token, headerDeadline);
    } catch (IOException | RuntimeException e) {
      throw pastDeadline(e, headerDeadline);
    } finally {
      armed.close();
    }
    HttpStreams.DeadlineInputStream input = input();
    input.deadline = 0; // a watch may be quiet for as long as nothing changes
    InputStream content = h.chunked ? new HttpStreams.ChunkedInputStream(input) : input;
    return new Streaming(h.status, new HttpStreams.MessageLimit(content));
  }

  /** Closes the socket; any exchange in progress fails. Idempotent, from any thread. */
  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // nothing left to release
    }
    try {
      raw.close();
    } catch (IOException e) {
      // nothing left to release
    }
  }

  /** True once closed. */
  boolean isClosed() {
    return raw.isClosed();
  }

  private HttpStreams.DeadlineInputStream input() throws IOException {
    HttpStreams.DeadlineInputStream i = in;
    if (i == null) {
      throw new IOException("not connected");
    }
    return i;
  }

  private void send(String path, byte[] body, @Nullable String token, long deadline)
      throws IOException {
    OutputStream o = out;
    if (o == null) {
      throw new IOException("not connected");
    }
    StringBuilder head =
        new StringBuilder(160)
            .append("POST ")
            .append(path)
            .append(" HTTP/1.1\r\n")
            .append("Host: ")
            .append(host)
            .append(':')
            .append(port)
            .append("\r\n")
            .append("Content-Type: application/json\r\n")
            .append("Content-Length: ")
            .append(body.length)
            .append("\r\n");
    if (token != null) {
      head.append("Authorization: ").append(token).append("\r\n");
    }
    head.append("\r\n");
    byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = new byte[h.length + body.length];
    System.arraycopy(h, 0, all, 0, h.length);
    System.arraycopy(body, 0, all, h.length, body.length);
    socket.setSoTimeout(
        HttpStreams.remainingMillis(deadline)); // bounds a TLS write that needs a read
    o.write(all);
    o.flush();
  }

  /** Sends the request and reads the response's status line and headers by {@code deadline}. */
  private Headers request(String path, byte[] body, @Nullable String token, long deadline)
      throws IOException {
    send(path, body, token, deadline);
    HttpStreams.DeadlineInputStream input = input();
    input.deadline = deadline;
    int[] budget = {MAX_HEADER_BYTES};
    String status = HttpStreams.readLine(input, budget);
    // "HTTP/1.1 200 OK"
    String[] parts = status.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new IOException("Not an HTTP response from etcd: " + HttpStreams.abbreviate(status));
    }
    Headers h = new Headers();
    try {
      h.status = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IOException("Bad HTTP status line from etcd: " + HttpStreams.abbreviate(status), e);
    }
    for (String line = HttpStreams.readLine(input, budget);
        !line.isEmpty();
        line = HttpStreams.readLine(input, budget)) {
      int colon = line.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).trim();
      switch (name) {
        case "content-length" -> h.length = parseLength(value);
        case "transfer-encoding" -> h.chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
        case "connection" -> h.close = value.equalsIgnoreCase("close");
        default -> {}
      }
    }
    return h;
  }

  private static long parseLength(String value) throws IOException {
    try {
      long n = Long.parseLong(value);
      if (n < 0) {
        throw new IOException("Negative Content-Length from etcd: " + value);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IOException("Bad Content-Length from etcd: " + HttpStreams.abbreviate(value), e);
    }
  }

  private static final class Headers {
    int status;
    long length = -1;
    boolean chunked;
    boolean close;
  }

  /** Reads {@code in} to its end, failing once it exceeds {@link #MAX_BODY_BYTES}. */
  private byte[] capped(InputStream in) throws IOException {
    byte[] content = in.readNBytes(MAX_BODY_BYTES + 1);
    if (content.length > MAX_BODY_BYTES) {
      throw tooLarge("more than " + MAX_BODY_BYTES + " bytes");
    }
    return content;
  }

  private HttpStreams.ReplyTooLargeException tooLarge(String size) {
    return new HttpStreams.ReplyTooLargeException(
        "the reply from "
            + host
            + ":"
            + port
            + " has "
            + size
            + ", over the "
            + (MAX_BODY_BYTES >> 20)
            + " MiB limit for one etcd reply");
  }

  /**
   * The failure to report: a {@link SocketTimeoutException} if the deadline has passed (the
   * watchdog closing the socket shows up as some other I/O error), else {@code e} itself.
   */
  private static IOException pastDeadline(Exception e, long deadline) {
    if (e instanceof SocketTimeoutException t) {
      return t;
    }
    if (System.nanoTime() - deadline >= 0) {
      SocketTimeoutException t = new SocketTimeoutException("no answer by the deadline");
      t.initCause(e);
      return t;
    }
    if (e instanceof IOException io) {
      return io;
    }
    return new IOException(e.toString(), e); // a broken reply our parsing choked on
  }
}
