package io.github.calicoj.cni;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.github.calicoj.testkit.Processes;
import io.github.calicoj.testkit.Requirements;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's podman with the CNI network backend, kept out of the machine's own configuration and
 * storage: a private {@code CONTAINERS_CONF} ({@code network_backend = "cni"}, the plugin directory
 * first in {@code cni_plugin_dirs}, a private {@code network_config_dir}), and private storage, run
 * and temporary directories ({@code vfs}). The image is imported offline from {@code /bin/busybox}
 * (Debian's busybox-static). Closing removes every container and image it holds and deletes the
 * directory. Not thread-safe.
 */
final class Podman implements AutoCloseable {
  /** The image the tests run. */
  static final String IMAGE = "localhost/cjt-busybox";

  /** The rlimits runc can set in a sandbox without CAP_SYS_RESOURCE. */
  static final List<String> ULIMITS =
      List.of("--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096");

  private final Path dir;
  private final Path networks;

  private Podman(Path dir) {
    this.dir = dir;
    this.networks = dir.resolve("networks");
  }

  /** Requires podman, CNI's reference plugins and busybox-static. */
  static void require() {
    Requirements.require(
        Requirements.onPath("podman") != null,
        "podman (apt-get install podman containernetworking-plugins)");
    Requirements.require(
        Files.isExecutable(Path.of("/usr/lib/cni/ptp")),
        "CNI's reference plugins (apt-get install containernetworking-plugins)");
    Requirements.require(Files.isExecutable(Path.of("/bin/busybox")), "busybox-static");
  }

  /** A podman with its own configuration and storage, and the busybox image imported. */
  static Podman start(Path pluginDir) {
    require();
    Path dir;
    try {
      dir = Files.createTempDirectory("cjt-podman-");
      Podman p = new Podman(dir);
      Files.createDirectories(p.networks);
      Files.writeString(
          dir.resolve("containers.conf"),
          "[network]\n"
              + "network_backend = \"cni\"\n"
              + "cni_plugin_dirs = [\""
              + pluginDir
              + "\", \"/usr/lib/cni\"]\n"
              + "network_config_dir = \""
              + p.networks
              + "\"\n"
              + "[engine]\n"
              + "events_logger = \"file\"\n"
              + "events_logfile_path = \""
              + dir.resolve("events.log")
              + "\"\n");
      p.importImage();
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes a network's conflist into the private network directory. */
  void addNetwork(String name, String conflist) {
    try {
      Files.writeString(networks.resolve(name + ".conflist"), conflist);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The private directory (for log files and the like). */
  Path dir() {
    return dir;
  }

  private void importImage() throws IOException {
    Path root = dir.resolve("rootfs");
    Files.createDirectories(root.resolve("bin"));
    Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
    for (String applet : List.of("sh", "sleep", "ping", "ip", "cat")) {
      Files.createSymbolicLink(root.resolve("bin/" + applet), Path.of("busybox"));
    }
    Path tar = dir.resolve("rootfs.tar");
    Processes.run(
        List.of("tar", "-C", root.toString(), "-cf", tar.toString(), "."), Duration.ofSeconds(60));
    run("import", "--change", "CMD [\"/bin/sh\"]", tar.toString(), IMAGE).ok();
  }

  /**
   * The outcome of one podman command.
   *
   * @param exit its exit status
   * @param stdout its output
   * @param stderr its error output
   */
  record Result(int exit, String stdout, String stderr) {
    /** Fails unless the command succeeded; returns its output, trimmed. */
    String ok() {
      if (exit != 0) {
        throw new AssertionError("podman failed (exit " + exit + "): " + stderr + stdout);
      }
      return stdout.strip();
    }
  }

  /** Runs {@code podman ARGS...} with the private configuration, for at most two minutes. */
  Result run(String... args) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "podman",
                "--root",
                dir.resolve("storage").toString(),
                "--runroot",
                dir.resolve("run").toString(),
                "--tmpdir",
                dir.resolve("tmp").toString(),
                "--storage-driver",
                "vfs"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("CONTAINERS_CONF", dir.resolve("containers.conf").toString());
    Process p;
    try {
      p = pb.start();
      p.getOutputStream().close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
    String out = read(p.getInputStream());
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("podman did not finish in 120 s: " + cmd);
      }
      return new Result(p.exitValue(), out, err.get(10, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new AssertionError(e);
    }
  }

  private static String read(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Removes every container (running DEL for each) and image, and deletes the directory. */
  @Override
  public void close() {
    try {
      run("rm", "--all", "--force", "--time", "0");
      run("rmi", "--all", "--force");
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
