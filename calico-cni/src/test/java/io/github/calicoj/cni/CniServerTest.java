package io.github.calicoj.cni;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.calicoj.datastore.DatastoreUnavailableException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's socket handling over a real Unix socket in a temporary directory (no root, no etcd,
 * no namespace): modes, stale and live sockets, refused requests, the read bound, close; and the
 * peer check and the session cache on their own.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class CniServerTest {
  @TempDir Path tmp;

  private final List<CniServer> servers = new ArrayList<>();

  @AfterEach
  void closeServers() {
    servers.forEach(CniServer::close);
  }

  private CniServer start(CniServer.Builder b) {
    CniServer s = b.build();
    servers.add(s);
    return s;
  }

  private Path socketIn(String dir) {
    return tmp.resolve(dir).resolve("cni.sock");
  }

  /** Sends {@code request} and reads until the server closes. */
  private static String exchange(Path socket, String request) throws IOException {
    try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      ByteBuffer out = ByteBuffer.wrap(request.getBytes(UTF_8));
      while (out.hasRemaining()) {
        ch.write(out);
      }
      return new String(Channels.newInputStream(ch).readAllBytes(), ISO_8859_1);
    }
  }

  @Test
  void theDirectoryIsPrivateAndTheSocketOwnerOnlyUntilClose() throws Exception {
    Path socket = socketIn("run/calicoj");
    CniServer s = start(CniServer.builder().socket(socket));
    assertThat(s.socket()).isEqualTo(socket);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())))
        .isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
        .isEqualTo("rw-------");
    s.close();
    assertThat(s.isClosed()).isTrue();
    assertThat(socket).doesNotExist();
    s.close(); // idempotent
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().startsWith("calico-cni-server-accept"));
  }

  @Test
  void aRefusedRequestGetsItsStatusAndACniError() throws Exception {
    Path socket = socketIn("a");
    start(CniServer.builder().socket(socket));
    String reply = exchange(socket, "POST /cni HTTP/1.1\r\nCNI_COMMAND: ADD\r\n\r\n");
    assertThat(reply)
        .startsWith("HTTP/1.1 411 Length Required\r\n")
        .endsWith(
            "\r\n\r\n{\"cniVersion\":\"1.0.0\",\"code\":5,"
                + "\"msg\":\"Content-Length is required (the configuration's size)\"}\n");
  }

  @Test
  void aRequestRunsThePluginsCodeAndAnErrorIs500() throws Exception {
    Path socket = socketIn("b");
    start(CniServer.builder().socket(socket));
    String body = "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"type\":\"calico-cni\",\"mtu\":9}";
    String reply =
        exchange(
            socket,
            "POST /cni HTTP/1.1\r\nCNI_COMMAND: ADD\r\nCNI_CONTAINERID: c1\r\n"
                + "CNI_NETNS: /run/netns/cjt-none\r\nCNI_IFNAME: eth0\r\nContent-Length: "
                + body.length()
                + "\r\n\r\n"
                + body);
    // What the standalone plugin prints for the same invocation (CalicoCniTest).
    assertThat(reply)
        .startsWith("HTTP/1.1 500 Internal Server Error\r\n")
        .endsWith(
            "\r\n\r\n{\"cniVersion\":\"0.4.0\",\"code\":7,"
                + "\"msg\":\"mtu must be a whole number in 68..65535, not 9\"}\n");
  }

  @Test
  void aClientThatSendsNothingIsCutAfterTheIoTimeout() throws Exception {
    Path socket = socketIn("c");
    start(CniServer.builder().socket(socket).ioTimeout(Duration.ofMillis(300)));
    try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      long start = System.nanoTime();
      int n = ch.read(ByteBuffer.allocate(16));
      assertThat(n).isEqualTo(-1);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }
  }

  @Test
  void aStaleSocketIsReplacedALiveOneAndAFileAreNot() throws Exception {
    Path socket = socketIn("d");
    Files.createDirectories(socket.getParent());
    // A socket file nobody listens on: bound, then closed (Java leaves the file).
    try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      dead.bind(UnixDomainSocketAddress.of(socket));
    }
    assertThat(socket).exists();
    CniServer s = start(CniServer.builder().socket(socket));
    assertThatThrownBy(() -> CniServer.builder().socket(socket).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Another server listens on " + socket);
    assertThat(exchange(socket, "GET / HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 405 ");
    s.close();

    Path file = socketIn("e");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "not a socket");
    assertThatThrownBy(() -> CniServer.builder().socket(file).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(file + " exists and is not a socket: not replaced");
    assertThat(Files.readString(file)).isEqualTo("not a socket");
  }

  @Test
  void onlyRootAndTheServersOwnUserMayConnect() throws Exception {
    UserPrincipalLookupService users = FileSystems.getDefault().getUserPrincipalLookupService();
    UserPrincipal root = users.lookupPrincipalByName("0");
    UserPrincipal daemon = users.lookupPrincipalByName("1");
    UserPrincipal nobody = users.lookupPrincipalByName("65534");
    // A server run by root: root only.
    assertThat(CniConnections.peerAllowed(root, root, root)).isTrue();
    assertThat(CniConnections.peerAllowed(nobody, root, root)).isFalse();
    // A server run by another user: that user and root.
    assertThat(CniConnections.peerAllowed(daemon, daemon, root)).isTrue();
    assertThat(CniConnections.peerAllowed(root, daemon, root)).isTrue();
    assertThat(CniConnections.peerAllowed(nobody, daemon, root)).isFalse();
    // Principals compare by uid, whatever name they were looked up by.
    assertThat(CniConnections.peerAllowed(users.lookupPrincipalByName("root"), daemon, root))
        .isTrue();
  }

  @Test
  void theBuilderChecksItsBounds() {
    assertThatThrownBy(() -> CniServer.builder().socket(Path.of("relative.sock")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("socket relative.sock is not an absolute path");
    assertThatThrownBy(() -> CniServer.builder().threads(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("threads must be in 1..256, not 0");
    assertThatThrownBy(() -> CniServer.builder().ioTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ioTimeout must be positive, not PT0S");
  }

  @Test
  void serveRefusesBadOptionsBeforeStartingAnything() {
    for (List<String> args :
        List.of(
            List.of("--threads", "0"),
            List.of("--socket", "relative.sock"),
            List.of("--log-level", "loud"),
            List.of("--sessions"),
            List.of("--port", "80"))) {
      assertThat(ServeCommand.run(args)).as("%s", args).isEqualTo(ServeCommand.BAD_ARGUMENTS);
    }
    assertThat(ServeCommand.run(List.of("--help"))).isEqualTo(ServeCommand.HELP);
  }

  /** A configuration for {@code node}, whose etcd (port 1 on loopback) refuses connections. */
  private static NetConf conf(String node) {
    return NetConf.parse(
        ("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"calico-cni\","
                + "\"etcd_endpoints\":\"http://127.0.0.1:1\",\"etcd_timeout\":1,"
                + "\"nodename\":\""
                + node
                + "\"}")
            .getBytes(UTF_8));
  }

  /** Whether the session's datastore is closed (a call is refused) rather than unreachable. */
  private static boolean closed(CalicoSession s) {
    try {
      s.client().profiles().names();
      throw new AssertionError("etcd on 127.0.0.1:1 answered");
    } catch (IllegalStateException e) {
      return true;
    } catch (DatastoreUnavailableException e) {
      return false;
    }
  }

  @Test
  void theSessionCacheSharesBoundsAndClosesSessions() {
    List<CalicoSession> opened = new ArrayList<>();
    SessionCache cache =
        new SessionCache(
            2,
            c -> {
              CalicoSession s = CalicoSession.open(c);
              opened.add(s);
              return s;
            });
    try (SessionSource.Lease a = cache.lease(conf("node-a"))) {
      try (SessionSource.Lease again = cache.lease(conf("node-a"))) {
        assertThat(again.session()).isSameAs(a.session());
      }
      cache.lease(conf("node-b")).close();
      // A third node evicts the least recently used: node-a, still in use, is closed when released.
      cache.lease(conf("node-c")).close();
      assertThat(cache.size()).isEqualTo(2);
      assertThat(closed(a.session())).isFalse();
    }
    assertThat(opened).hasSize(3);
    assertThat(closed(opened.get(0))).isTrue();
    assertThat(closed(opened.get(1))).isFalse();
    // A fourth evicts node-b, which nobody uses, at once.
    cache.lease(conf("node-d")).close();
    assertThat(closed(opened.get(1))).isTrue();
    cache.close();
    cache.close();
    assertThat(Stream.of(opened.get(2), opened.get(3))).allMatch(CniServerTest::closed);
    assertThatThrownBy(() -> cache.lease(conf("node-a")))
        .isInstanceOf(CniException.class)
        .hasMessage("The CNI server is shutting down");
  }
}
