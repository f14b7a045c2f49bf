package io.github.calicoj.node.internal.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.memory.InMemoryDatastore;
import io.github.calicoj.node.NodeStatus;
import io.github.calicoj.node.internal.Kvs;
import io.github.calicoj.node.internal.lifecycle.LifecycleOptions;
import io.github.calicoj.node.internal.lifecycle.LifecycleOptions.DockerMode;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which housekeeping threads the agent starts (no root: in-memory datastore, a dataplane in memory,
 * a unix socket standing in for the Docker daemon that accepts connections and never answers): with
 * a socket the follower runs by default and not with the off switch, without one it does not run,
 * the sweep's thread exists only with an interval, and close() leaves none of them.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class HousekeepingThreadsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String FOLLOWER = "calicoj-docker-follower";
  private static final String SWEEP = "calico-node-sweep-h1";

  @TempDir Path dir;
  private InMemoryDatastore memory;
  private ServerSocketChannel daemon;
  private Path socket;
  private NodeAgent agent;
  private Set<Long> before;

  @BeforeEach
  void setUp() throws IOException {
    memory = InMemoryDatastore.create();
    for (KeyValue kv : Kvs.spec6().entries()) {
      memory.put(kv.key(), kv.value());
    }
    socket = dir.resolve("docker.sock");
    daemon = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    daemon.bind(UnixDomainSocketAddress.of(socket));
    before = threadIds();
  }

  @AfterEach
  void tearDown() throws IOException {
    if (agent != null) {
      agent.close();
    }
    daemon.close();
    memory.close();
  }

  private NodeAgent agent(DockerMode docker, @Nullable String dockerHost, Duration sweep) {
    NodeAgent.Settings s =
        new NodeAgent.Settings(
            memory,
            "h1",
            null,
            Duration.ofMillis(100),
            Duration.ofSeconds(5),
            false,
            new LifecycleOptions(docker, dockerHost, sweep, Duration.ZERO, null, r -> {}),
            Map.of(),
            202,
            Duration.ofSeconds(5),
            Duration.ofMillis(100),
            Duration.ofMillis(20),
            Duration.ofMillis(200));
    FakeDataplane dataplane = new FakeDataplane();
    agent = new NodeAgent(s, ns -> dataplane);
    return agent;
  }

  private static Set<Long> threadIds() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getId)
        .collect(Collectors.toSet());
  }

  /** Names of the live threads started since the test began. */
  private Set<String> newThreads() {
    Set<String> out = new TreeSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && !before.contains(t.getId())) {
        out.add(t.getName());
      }
    }
    return out;
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long end = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(end);
      Thread.sleep(10);
    }
  }

  /**
   * Closes the agent and checks that no thread of the agent or its housekeeping is left. (The
   * in-memory datastore's watch thread is not checked: its close does not wait for it.)
   */
  private void closeLeavesNothing() {
    agent.close();
    agent.close(); // idempotent
    assertThat(newThreads())
        .noneMatch(n -> n.startsWith("calico-node") || n.startsWith("calicoj-docker"));
    assertThat(agent.status().state()).isEqualTo(NodeStatus.State.CLOSED);
  }

  @Test
  void withADockerSocketTheFollowerRunsByDefaultAndCloseEndsIt() throws Exception {
    agent(DockerMode.AUTO, "unix://" + socket, Duration.ZERO).start();
    assertThat(agent.awaitInSync(WAIT)).isTrue();
    await(() -> newThreads().contains(FOLLOWER), "the follower's thread");
    assertThat(newThreads()).doesNotContain(SWEEP);
    closeLeavesNothing();
  }

  @Test
  void theOffSwitchMeansNoFollowerThreadEvenWithASocket() throws Exception {
    agent(DockerMode.OFF, socket.toString(), Duration.ofHours(1)).start();
    assertThat(agent.awaitInSync(WAIT)).isTrue();
    assertThat(Files.exists(socket)).isTrue();
    Set<String> running = newThreads();
    assertThat(running).contains("calico-node-h1", SWEEP).doesNotContain(FOLLOWER);
    closeLeavesNothing();
  }

  @Test
  void withoutASocketTheFollowerDoesNotRunByDefault() throws Exception {
    agent(DockerMode.AUTO, dir.resolve("absent.sock").toString(), Duration.ZERO).start();
    assertThat(agent.awaitInSync(WAIT)).isTrue();
    assertThat(newThreads()).contains("calico-node-h1").doesNotContain(FOLLOWER, SWEEP);
    closeLeavesNothing();
  }

  @Test
  void followingATcpDaemonIsRefusedBeforeAnythingStarts() {
    NodeAgent a = agent(DockerMode.ON, "tcp://127.0.0.1:2375", Duration.ZERO);
    assertThatThrownBy(a::start)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tcp://127.0.0.1:2375");
    assertThat(a.status().state()).isEqualTo(NodeStatus.State.NEW);
    assertThat(newThreads()).noneMatch(n -> n.startsWith("calico-node"));
  }
}
