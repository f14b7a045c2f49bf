package io.github.calicoj.datastore.etcd;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A loopback HTTP server that plays etcd's JSON gateway badly, for tests of the gateway client's
 * limits: each request (path and body) goes to a handler that writes whatever raw reply it likes.
 * Records the paths it was asked for. Closes every connection when closed.
 */
final class FakeGateway implements AutoCloseable {
  /** Writes the raw reply to one request; may block or write for ever (until closed). */
  interface Handler {
    void reply(String path, String body, OutputStream out) throws IOException;
  }

  private final ServerSocket server;
  private final Handler handler;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  final List<String> paths = new CopyOnWriteArrayList<>();

  FakeGateway(Handler handler) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.handler = handler;
    threads.execute(this::accept);
  }

  /** The endpoint to give the client. */
  String endpoint() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  /** A complete JSON reply with Content-Length. */
  static void json(OutputStream out, int status, String json) throws IOException {
    byte[] body = json.getBytes(UTF_8);
    out.write(
        ("HTTP/1.1 "
                + status
                + " X\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length
                + "\r\n\r\n")
            .getBytes(ISO_8859_1));
    out.write(body);
    out.flush();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        sockets.add(s);
        threads.execute(() -> serve(s));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      InputStream in = new BufferedInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      while (true) {
        String requestLine = line(in);
        if (requestLine == null) {
          return;
        }
        int length = 0;
        for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
          if (h.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
            length = Integer.parseInt(h.substring(15).trim());
          }
        }
        String body = new String(in.readNBytes(length), UTF_8);
        String path = requestLine.split(" ")[1];
        paths.add(path);
        handler.reply(path, body, out);
      }
    } catch (IOException | RuntimeException e) {
      // the client went away, or the test closed us
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        String l = b.toString(ISO_8859_1);
        return l.endsWith("\r") ? l.substring(0, l.length() - 1) : l;
      }
      b.write(c);
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
    threads.shutdownNow();
  }
}
