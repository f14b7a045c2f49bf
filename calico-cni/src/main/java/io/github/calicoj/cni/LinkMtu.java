package io.github.calicoj.cni;

import io.github.calicoj.netns.InterfaceName;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Sets the MTU of both ends of a container's veth with {@code ip link set dev X mtu N} (through
 * {@code nsenter --net=PATH} for a namespace other than the plugin's). A stop-gap: the SDK's add
 * creates the veth with the kernel's MTU and takes no MTU, and its netlink layer has no call that
 * changes one; once the add takes an MTU, the veth is born with it and this class goes. Runs only
 * when {@code mtu} is configured and differs from the veth default. Each process is bounded in
 * time. Stateless.
 */
final class LinkMtu {
  /** The MTU the kernel gives a new veth. */
  static final int VETH_DEFAULT = 1500;

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private LinkMtu() {}

  /**
   * Sets {@code mtu} on the host end (in {@code hostNetns}, or the plugin's namespace if null) and
   * on the container end.
   *
   * @throws IllegalStateException naming the command, its exit code and its output if one fails
   */
  static void set(
      @Nullable Path hostNetns,
      InterfaceName hostEnd,
      Path containerNetns,
      InterfaceName inside,
      int mtu) {
    run(command(hostNetns, hostEnd, mtu));
    run(command(containerNetns, inside, mtu));
  }

  private static List<String> command(@Nullable Path netns, InterfaceName link, int mtu) {
    List<String> cmd = new ArrayList<>();
    if (netns != null) {
      cmd.add("nsenter");
      cmd.add("--net=" + netns);
    }
    cmd.addAll(List.of("ip", "link", "set", "dev", link.toString(), "mtu", Integer.toString(mtu)));
    return cmd;
  }

  private static void run(List<String> cmd) {
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IllegalStateException("Cannot run " + String.join(" ", cmd) + ": " + e, e);
    }
    try (InputStream out = p.getInputStream()) {
      p.getOutputStream().close();
      if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", cmd) + " did not finish in " + TIMEOUT);
      }
      String text = new String(out.readAllBytes(), StandardCharsets.UTF_8).trim();
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", cmd) + " failed (exit " + p.exitValue() + "): " + text);
      }
    } catch (IOException e) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", cmd) + ": " + e, e);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while running " + String.join(" ", cmd), e);
    }
  }
}
