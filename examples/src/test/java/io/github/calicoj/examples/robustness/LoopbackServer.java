package io.github.calicoj.examples.robustness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A misbehaving server on a loopback port, for the sweep's stalled-etcd inputs: one that accepts
 * connections and never answers, or one that answers every request with an endless chunked body.
 * Its threads are daemons; {@link #close} closes every socket. Thread-safe.
 */
final class LoopbackServer implements AutoCloseable {
  private final ServerSocket server;
  private final boolean endless;
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();

  private LoopbackServer(boolean endless) {
    this.endless = endless;
    try {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread t = new Thread(this::acceptLoop, "cjt-loopback-" + server.getLocalPort());
    t.setDaemon(true);
    t.start();
  }

  /** Accepts and never answers. */
  static LoopbackServer blackHole() {
    return new LoopbackServer(false);
  }

  /** Answers each request with {@code 200 OK} and a chunked body that never ends. */
  static LoopbackServer endlessBody() {
    return new LoopbackServer(true);
  }

  /** {@code http://127.0.0.1:PORT}. */
  String url() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        accepted.add(s);
        if (endless) {
          Thread t = new Thread(() -> flood(s), "cjt-endless");
          t.setDaemon(true);
          t.start();
        }
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private static void flood(Socket s) {
    try (InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream()) {
      // The request's head ends with an empty line; its body (if any) is not read.
      int matched = 0;
      while (matched < 4) {
        int b = in.read();
        if (b < 0) {
          return;
        }
        matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
      }
      out.write(
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = ("1000\r\n" + "0".repeat(4096) + "\r\n").getBytes(StandardCharsets.US_ASCII);
      while (true) {
        out.write(chunk);
      }
    } catch (IOException e) {
      // the client gave up: what it must do
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // nothing to do
    }
    for (Socket s : accepted) {
      try {
        s.close();
      } catch (IOException e) {
        // nothing to do
      }
    }
  }
}
