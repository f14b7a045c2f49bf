package io.github.calicoj.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs helper commands (etcdctl, openssl, ip) for tests, bounded in time. */
public final class Processes {
  private Processes() {}

  /** Runs {@code cmd}; returns stdout, or throws with the output if it fails or times out. */
  public static String run(List<String> cmd, Duration timeout) {
    Result r = runForResult(cmd, timeout);
    if (r.exitCode() != 0) {
      throw new IllegalStateException(
          "Command failed (exit "
              + r.exitCode()
              + "): "
              + String.join(" ", cmd)
              + "\n"
              + r.output());
    }
    return r.output();
  }

  /** The exit code and the combined stdout and stderr of a command. */
  public record Result(int exitCode, String output) {}

  /** Runs {@code cmd} and returns its exit code and output; throws only if it cannot run. */
  public static Result runForResult(List<String> cmd, Duration timeout) {
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot run " + cmd, e);
    }
    try (var stdin = p.getOutputStream();
        var stdout = p.getInputStream();
        var stderr = p.getErrorStream()) {
      stdin.close();
      byte[] out =
          stdout.readAllBytes(); // ends when the process closes stdout; all fds closed after
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("Command timed out after " + timeout + ": " + cmd);
      }
      return new Result(p.exitValue(), new String(out, UTF_8));
    } catch (IOException e) {
      p.destroyForcibly();
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
