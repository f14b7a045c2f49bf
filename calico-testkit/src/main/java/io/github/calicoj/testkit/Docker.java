package io.github.calicoj.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The docker CLI for test set-up only (the library itself talks to the Engine API): a busybox image
 * imported offline from Debian's {@code busybox-static}, and containers named with the test prefix
 * that the test removes.
 */
public final class Docker {
  /** The image the tests run; {@code scripts/test} imports it, and so does {@link #ensureImage}. */
  public static final String IMAGE =
      System.getenv().getOrDefault("CALICO_TEST_IMAGE", "calicoj-busybox:latest");

  private Docker() {}

  /** Requires a reachable Docker daemon (skip locally, fail in strict mode). */
  public static void requireDaemon() {
    Requirements.require(
        Requirements.onPath("docker") != null, "the docker CLI (apt-get install docker.io)");
    Processes.Result r =
        Processes.runForResult(
            List.of("docker", "info", "--format", "{{.ServerVersion}}"), Duration.ofSeconds(30));
    Requirements.require(
        r.exitCode() == 0, "a running Docker daemon (dockerd): " + r.output().trim());
    ensureImage();
  }

  /** Imports {@link #IMAGE} from {@code /bin/busybox} if it is not there yet. */
  public static synchronized void ensureImage() {
    if (Processes.runForResult(List.of("docker", "image", "inspect", IMAGE), Duration.ofSeconds(30))
            .exitCode()
        == 0) {
      return;
    }
    Requirements.require(
        Files.isExecutable(Path.of("/bin/busybox")), "busybox (apt-get install busybox-static)");
    try {
      Path root = Files.createTempDirectory("calicoj-busybox-");
      Files.createDirectories(root.resolve("bin"));
      Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
      for (String applet :
          List.of("sh", "sleep", "ip", "ls", "cat", "ping", "ifconfig", "route", "hostname")) {
        Files.createSymbolicLink(root.resolve("bin/" + applet), Path.of("busybox"));
      }
      Path tar = root.resolveSibling(root.getFileName() + ".tar");
      Processes.run(
          List.of("tar", "-C", root.toString(), "-cf", tar.toString(), "."),
          Duration.ofSeconds(60));
      Processes.run(List.of("docker", "import", tar.toString(), IMAGE), Duration.ofSeconds(120));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A new container name with the test prefix. */
  public static String newName() {
    return TestNamespace.PREFIX + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** {@code docker ARGS...}; returns stdout, fails on a non-zero exit. */
  public static String docker(String... args) {
    List<String> cmd = new ArrayList<>(List.of("docker"));
    cmd.addAll(List.of(args));
    return Processes.run(cmd, Duration.ofSeconds(120)).trim();
  }

  /** {@code docker run -d --name NAME [--net=NET] IMAGE sleep 3600}; returns the full id. */
  public static String runSleeping(String name, String network) {
    return docker("run", "-d", "--net=" + network, "--name", name, IMAGE, "sleep", "3600");
  }

  /** The container's PID (0 if not running). */
  public static int pid(String name) {
    return Integer.parseInt(docker("inspect", "--format", "{{.State.Pid}}", name));
  }

  /** {@code docker rm -f NAME}, ignoring failures. */
  public static void remove(String name) {
    Processes.runForResult(List.of("docker", "rm", "-f", name), Duration.ofSeconds(60));
  }

  /** {@code ip -j ARGS} inside the container's network namespace (via nsenter). */
  public static String ipJsonIn(String name, String... args) {
    List<String> cmd =
        new ArrayList<>(List.of("nsenter", "--net=/proc/" + pid(name) + "/ns/net", "ip", "-j"));
    cmd.addAll(List.of(args));
    return Processes.run(cmd, Duration.ofSeconds(20)).trim();
  }
}
