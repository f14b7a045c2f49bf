package io.github.calicoj.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A named network namespace that a test made for itself ({@code ip netns add cjt-XXXXXXXX}) and
 * deletes when closed. Every name starts with {@link #PREFIX}, so cleanup touches only test
 * namespaces. Needs root.
 */
public final class TestNamespace implements AutoCloseable {
  /** The prefix of every namespace and link the tests create. */
  public static final String PREFIX = "cjt";

  private final String name;
  private boolean closed;

  private TestNamespace(String name) {
    this.name = name;
  }

  /** Creates {@code cjt-<8 random hex>}. */
  public static TestNamespace create() {
    Requirements.requireRoot();
    Requirements.require(Requirements.onPath("ip") != null, "the ip binary (iproute2)");
    String name = PREFIX + "-" + UUID.randomUUID().toString().substring(0, 8);
    Processes.run(List.of("ip", "netns", "add", name), Duration.ofSeconds(20));
    return new TestNamespace(name);
  }

  /**
   * A test "host" namespace: {@code lo} up with {@code nextHop}/32 on it (the era-A next hop its
   * workloads route via) and IPv4 forwarding on.
   */
  public static TestNamespace createHost(String nextHop) {
    TestNamespace h = create();
    h.ip("link", "set", "lo", "up");
    h.ip("addr", "add", nextHop + "/32", "dev", "lo");
    Processes.run(
        List.of("ip", "netns", "exec", h.name, "sysctl", "-qw", "net.ipv4.ip_forward=1"),
        Duration.ofSeconds(10));
    return h;
  }

  /** The namespace's name. */
  public String name() {
    return name;
  }

  /** {@code /var/run/netns/NAME}. */
  public Path path() {
    return Path.of("/var/run/netns", name);
  }

  /** Runs {@code ip -n NAME ARGS...} and returns its output; fails on a non-zero exit. */
  public String ip(String... args) {
    List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
    cmd.addAll(List.of(args));
    return Processes.run(cmd, Duration.ofSeconds(20));
  }

  /** Deletes the namespace (and with it every link inside). Idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      Processes.runForResult(List.of("ip", "netns", "del", name), Duration.ofSeconds(20));
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
