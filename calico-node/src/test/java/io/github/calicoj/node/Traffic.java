package io.github.calicoj.node;

import io.github.calicoj.netns.NetNs;
import io.github.calicoj.testkit.Processes;
import io.github.calicoj.testkit.TestNamespace;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Real packets between the tests' own namespaces: {@code ping} processes, and TCP and UDP through
 * Java sockets made inside a namespace (a socket keeps the namespace it was made in, so a listener
 * made by {@link NetNs#call} serves there from an ordinary thread).
 */
final class Traffic {
  /** How long a probe that should fail waits for its answer. */
  static final String FAIL_WAIT = "0.5";

  private Traffic() {}

  /** One echo request, up to three tries for a reply: true if one came. */
  static boolean ping(TestNamespace from, String to) {
    for (int i = 0; i < 3; i++) {
      if (pingOnce(from, to, null, "1")) {
        return true;
      }
    }
    return false;
  }

  /** One echo request that should get no reply: true if a reply came anyway (half a second). */
  static boolean pingOnce(TestNamespace from, String to) {
    return pingOnce(from, to, null, FAIL_WAIT);
  }

  /** One echo request from source address {@code source}. */
  static boolean pingOnce(TestNamespace from, String to, String source, String wait) {
    List<String> cmd =
        new ArrayList<>(
            List.of("ip", "netns", "exec", from.name(), "ping", "-c", "1", "-W", wait, "-q"));
    if (source != null) {
      cmd.addAll(List.of("-I", source));
    }
    cmd.add(to);
    return Processes.runForResult(cmd, Duration.ofSeconds(10)).exitCode() == 0;
  }

  /** {@code count} echo requests {@code intervalSeconds} apart; ping's summary line. */
  static String pingBurst(TestNamespace from, String to, int count, String intervalSeconds) {
    List<String> cmd =
        List.of(
            "ip",
            "netns",
            "exec",
            from.name(),
            "ping",
            "-i",
            intervalSeconds,
            "-c",
            Integer.toString(count),
            "-W",
            "1",
            "-q",
            to);
    return Processes.runForResult(cmd, Duration.ofSeconds(120)).output();
  }

  /** A TCP connect from inside {@code from}, bounded by {@code timeoutMs}: true if it connected. */
  static boolean tcp(TestNamespace from, String to, int port, int timeoutMs) {
    try (NetNs ns = NetNs.open(from.path())) {
      return ns.call(
          () -> {
            try (Socket s = new Socket()) {
              s.connect(new InetSocketAddress(InetAddress.getByName(to), port), timeoutMs);
              return true;
            } catch (IOException e) {
              return false;
            }
          });
    }
  }

  /** {@link #tcp(TestNamespace, String, int, int)} that should succeed: one second. */
  static boolean tcp(TestNamespace from, String to, int port) {
    return tcp(from, to, port, 1000);
  }

  /** {@link #tcp(TestNamespace, String, int, int)} that should fail: half a second. */
  static boolean tcpDenied(TestNamespace from, String to, int port) {
    return !tcp(from, to, port, 500);
  }

  /** A UDP datagram from inside {@code from}. */
  static void udp(TestNamespace from, String to, int port, String payload) {
    try (NetNs ns = NetNs.open(from.path())) {
      ns.call(
          () -> {
            try (DatagramSocket s = new DatagramSocket()) {
              byte[] b = payload.getBytes(StandardCharsets.UTF_8);
              s.send(new DatagramPacket(b, b.length, InetAddress.getByName(to), port));
            }
            return null;
          });
    }
  }

  /** A TCP listener inside a namespace that accepts and closes, recording each peer address. */
  static final class TcpServer implements AutoCloseable {
    private final ServerSocket socket;
    private final Thread thread;
    final List<String> peers = new CopyOnWriteArrayList<>();

    private TcpServer(ServerSocket socket) {
      this.socket = socket;
      this.thread = new Thread(this::serve, "test-tcp-" + socket.getLocalPort());
      this.thread.setDaemon(true);
      this.thread.start();
    }

    /** Listens on {@code port} of every address of {@code ns}. */
    static TcpServer open(TestNamespace ns, int port) {
      try (NetNs handle = NetNs.open(ns.path())) {
        ServerSocket s =
            handle.call(
                () -> {
                  ServerSocket ss = new ServerSocket();
                  ss.setReuseAddress(true);
                  ss.bind(new InetSocketAddress(port));
                  return ss;
                });
        return new TcpServer(s);
      }
    }

    /** The peers so far, waiting up to two seconds for at least {@code count}. */
    List<String> awaitPeers(int count) {
      return Poll.until(() -> List.copyOf(peers), l -> l.size() >= count, 2000);
    }

    private void serve() {
      while (!socket.isClosed()) {
        try (Socket c = socket.accept()) {
          peers.add(c.getInetAddress().getHostAddress());
        } catch (IOException e) {
          return;
        }
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
      try {
        thread.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** A UDP listener inside a namespace, recording each datagram's source and payload. */
  static final class UdpServer implements AutoCloseable {
    private final DatagramSocket socket;
    private final Thread thread;
    final List<String> received = new CopyOnWriteArrayList<>();

    private UdpServer(DatagramSocket socket) {
      this.socket = socket;
      this.thread = new Thread(this::serve, "test-udp-" + socket.getLocalPort());
      this.thread.setDaemon(true);
      this.thread.start();
    }

    /** Listens on {@code address}:{@code port} inside {@code ns}. */
    static UdpServer open(TestNamespace ns, String address, int port) {
      try (NetNs handle = NetNs.open(ns.path())) {
        DatagramSocket s =
            handle.call(
                () ->
                    new DatagramSocket(
                        new InetSocketAddress(InetAddress.getByName(address), port)));
        return new UdpServer(s);
      }
    }

    private void serve() {
      byte[] buf = new byte[1500];
      while (!socket.isClosed()) {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
          socket.receive(p);
          received.add(
              p.getAddress().getHostAddress()
                  + " "
                  + new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
        } catch (SocketTimeoutException e) {
          // keep waiting
        } catch (IOException e) {
          return;
        }
      }
    }

    /** Waits up to {@code millis} for a datagram with {@code payload}; its source, or null. */
    String awaitFrom(String payload, long millis) throws InterruptedException {
      long end = System.currentTimeMillis() + millis;
      while (System.currentTimeMillis() < end) {
        for (String r : received) {
          if (r.endsWith(" " + payload)) {
            return r.substring(0, r.indexOf(' '));
          }
        }
        Thread.sleep(20);
      }
      return null;
    }

    @Override
    public void close() {
      socket.close();
      try {
        thread.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
