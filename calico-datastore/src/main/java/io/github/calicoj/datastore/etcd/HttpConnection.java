package io.github.calicoj.datastore.etcd;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP/1.1 connection to etcd's JSON gateway: a POST with a JSON body, and a response read by
 * {@code Content-Length} or chunked transfer coding. Every blocking read is bounded by the deadline
 * given to the exchange. Not thread-safe: one exchange at a time (the datastore pools idle
 * connections).
 */
final class HttpConnection implements Closeable {
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

  private final Socket socket;
  private final DeadlineInputStream in;
  private final OutputStream out;
  private final String host;
  private long idleSince = System.nanoTime();

  private HttpConnection(Socket socket, String host) throws IOException {
    this.socket = socket;
    this.in =
        new DeadlineInputStream(
            socket, new BufferedInputStream(socket.getInputStream(), 16 * 1024));
    this.out = socket.getOutputStream();
    this.host = host;
  }

  /**
   * Connects to {@code endpoint} within {@code connectMillis}, with TLS if {@code tls} is given
   * (the server's name is verified against its certificate).
   */
  static HttpConnection open(
      URI endpoint, @Nullable SSLSocketFactory tls, int connectMillis, long deadline)
      throws IOException {
    Socket raw = new Socket();
    try {
      raw.setTcpNoDelay(true);
      raw.setKeepAlive(true);
      raw.connect(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()), connectMillis);
      Socket socket = raw;
      if (tls != null) {
        SSLSocket ssl =
            (SSLSocket) tls.createSocket(raw, endpoint.getHost(), endpoint.getPort(), true);
        SSLParameters params = ssl.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        ssl.setSSLParameters(params);
        ssl.setSoTimeout(remainingMillis(deadline));
        ssl.startHandshake();
        socket = ssl;
      }
      return new HttpConnection(socket, endpoint.getHost() + ":" + endpoint.getPort());
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  /** Nanoseconds this connection has been idle. */
  long idleNanos() {
    return System.nanoTime() - idleSince;
  }

  /**
   * Sends one POST and reads the whole response by {@code deadline} ({@link System#nanoTime}).
   *
   * @throws java.net.SocketTimeoutException if the deadline passes
   * @throws IOException on any transport failure; the connection is then unusable
   */
  Response exchange(String path, byte[] body, @Nullable String token, long deadline)
      throws IOException {
    Headers h = request(path, body, token, deadline);
    byte[] content;
    if (h.chunked) {
      content = new ChunkedInputStream(in).readAllBytes();
    } else if (h.length >= 0) {
      content = in.readNBytes((int) h.length);
      if (content.length != h.length) {
        throw new EOFException("etcd closed the connection mid-response");
      }
    } else {
      content = in.readAllBytes(); // no length: the body ends with the connection
      h.close = true;
    }
    idleSince = System.nanoTime();
    return new Response(h.status, content, !h.close);
  }

  /**
   * Sends one POST whose response is a stream (a watch): returns the status and the decoded body,
   * read without a deadline once the headers are in. Closing this connection ends the stream.
   */
  Streaming stream(String path, byte[] body, @Nullable String token, long headerDeadline)
      throws IOException {
    Headers h = request(path, body, token, headerDeadline);
    in.deadline = 0; // a watch may be quiet for as long as nothing changes
    InputStream content = h.chunked ? new ChunkedInputStream(in) : in;
    return new Streaming(h.status, content);
  }

  /** A streamed response. */
  record Streaming(int status, InputStream body) {}

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // nothing left to release
    }
  }

  private void send(String path, byte[] body, @Nullable String token, long deadline)
      throws IOException {
    StringBuilder head =
        new StringBuilder(160)
            .append("POST ")
            .append(path)
            .append(" HTTP/1.1\r\n")
            .append("Host: ")
            .append(host)
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
    socket.setSoTimeout(remainingMillis(deadline)); // bounds a TLS write that needs a read
    out.write(all);
    out.flush();
  }

  private int readStatus() throws IOException {
    String line = readLine(in);
    // "HTTP/1.1 200 OK"
    String[] parts = line.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new IOException("Not an HTTP response from etcd: " + line);
    }
    try {
      return Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IOException("Bad HTTP status line from etcd: " + line, e);
    }
  }

  /** Sends the request and reads the response's status line and headers by {@code deadline}. */
  private Headers request(String path, byte[] body, @Nullable String token, long deadline)
      throws IOException {
    send(path, body, token, deadline);
    in.deadline = deadline;
    int status = readStatus();
    Headers h = readHeaders();
    h.status = status;
    return h;
  }

  private static final class Headers {
    int status;
    long length = -1;
    boolean chunked;
    boolean close;
  }

  private Headers readHeaders() throws IOException {
    Headers h = new Headers();
    for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
      int colon = line.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).trim();
      switch (name) {
        case "content-length" -> h.length = Long.parseLong(value);
        case "transfer-encoding" -> h.chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
        case "connection" -> h.close = value.equalsIgnoreCase("close");
        default -> {}
      }
    }
    return h;
  }

  /** One CRLF-terminated line (ISO-8859-1), without the terminator. */
  static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder(64);
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new EOFException("etcd closed the connection");
      }
      if (c == '\n') {
        int n = sb.length();
        if (n > 0 && sb.charAt(n - 1) == '\r') {
          sb.setLength(n - 1);
        }
        return sb.toString();
      }
      if (sb.length() > 8192) {
        throw new IOException("HTTP line from etcd is too long");
      }
      sb.append((char) c);
    }
  }

  static int remainingMillis(long deadline) throws java.net.SocketTimeoutException {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new java.net.SocketTimeoutException("deadline passed");
    }
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000));
  }

  /** Sets the socket's read timeout to what is left of the deadline before every read. */
  private static final class DeadlineInputStream extends InputStream {
    private final Socket socket;
    private final InputStream in;
    long deadline; // 0 = none

    DeadlineInputStream(Socket socket, InputStream in) {
      this.socket = socket;
      this.in = in;
    }

    private void arm() throws IOException {
      socket.setSoTimeout(deadline == 0 ? 0 : remainingMillis(deadline));
    }

    @Override
    public int read() throws IOException {
      if (in.available() == 0) {
        arm();
      }
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (in.available() == 0) {
        arm();
      }
      return in.read(b, off, len);
    }

    @Override
    public int available() throws IOException {
      return in.available();
    }
  }

  /** The chunked transfer coding (RFC 9112 §7.1), trailers read and dropped. */
  private static final class ChunkedInputStream extends InputStream {
    private final InputStream in;
    private long left; // in the current chunk
    private boolean done;

    ChunkedInputStream(InputStream in) {
      this.in = in;
    }

    private boolean next() throws IOException {
      if (done) {
        return false;
      }
      if (left == 0) {
        String line = readLine(in);
        int semi = line.indexOf(';');
        String size = (semi >= 0 ? line.substring(0, semi) : line).trim();
        try {
          left = Long.parseLong(size, 16);
        } catch (NumberFormatException e) {
          throw new IOException("Bad chunk size from etcd: " + line, e);
        }
        if (left == 0) {
          while (!readLine(in).isEmpty()) {
            // trailer fields, e.g. Grpc-Trailer-Content-Type
          }
          done = true;
          return false;
        }
      }
      return true;
    }

    @Override
    public int read() throws IOException {
      if (!next()) {
        return -1;
      }
      int c = in.read();
      if (c < 0) {
        throw new EOFException("etcd closed the connection mid-chunk");
      }
      if (--left == 0) {
        readLine(in); // the CRLF after the chunk
      }
      return c;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (!next()) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) {
        throw new EOFException("etcd closed the connection mid-chunk");
      }
      left -= n;
      if (left == 0) {
        readLine(in);
      }
      return n;
    }
  }
}
