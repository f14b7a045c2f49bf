package io.github.calicoj.cni;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.testkit.Requirements;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;

/**
 * {@link PodmanIT}'s cases with the resident server: {@code calico-cni serve} (the packaged
 * launcher) runs beside podman, and the conflist's {@code cni_socket} sends every ADD, DEL and
 * CHECK to it. The server logs (at info) to the file those cases read; the configuration's own log
 * file must never appear, since the plugin never runs in a JVM of its own here. Stopping the server
 * (SIGTERM) must remove its socket.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PodmanServerIT extends PodmanIT {
  private Path dir;
  private Process server;
  private Path socket;

  @Override
  void startServer() {
    Requirements.require(Requirements.onPath("curl") != null, "curl (apt-get install curl)");
    try {
      dir = Files.createTempDirectory("cjt-cni-serve-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    socket = dir.resolve("run/cni.sock");
    ProcessBuilder pb =
        new ProcessBuilder(
            CniTestbed.PLUGIN.toString(),
            "serve",
            "--socket",
            socket.toString(),
            "--log-level",
            "info",
            "--log-file",
            pluginLog().toString());
    pb.redirectErrorStream(true).redirectOutput(dir.resolve("server.out").toFile());
    try {
      server = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!answers(socket)) {
      assertThat(server.isAlive()).as("calico-cni serve is running (see server.out)").isTrue();
      assertThat(System.nanoTime()).as("the server listens within 30 s").isLessThan(deadline);
      sleep();
    }
  }

  private static boolean answers(Path socket) {
    if (!Files.exists(socket)) {
      return false;
    }
    try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  String cniSocket() {
    return socket.toString();
  }

  @Override
  Path pluginLog() {
    return dir.resolve("server.log");
  }

  @Override
  Path standaloneLog() {
    return dir.resolve("standalone.log");
  }

  @AfterEach
  void nothingRanOutsideTheServer() {
    assertThat(standaloneLog()).doesNotExist();
  }

  @Override
  void stopServer() {
    if (server == null) {
      return;
    }
    // podman has run DEL for every container through the server by now.
    server.destroy(); // SIGTERM: the shutdown hook closes the server
    try {
      if (!server.waitFor(60, TimeUnit.SECONDS)) {
        server.destroyForcibly();
        throw new AssertionError("calico-cni serve did not stop within 60 s of SIGTERM");
      }
    } catch (InterruptedException e) {
      server.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    assertThat(socket).as("the socket after SIGTERM").doesNotExist();
    try {
      assertThat(Files.readAllLines(pluginLog()))
          .as("the server's log")
          .anyMatch(l -> l.contains("[INFO] AddCommand - ADD "))
          .anyMatch(l -> l.contains("The CNI server on " + socket + " is closed"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
