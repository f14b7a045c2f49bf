package io.github.calicoj.core.lifecycle;

import static io.github.calicoj.testkit.BenchStats.median;
import static io.github.calicoj.testkit.BenchStats.p99;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.client.CalicoClient;
import io.github.calicoj.core.client.DockerEngine;
import io.github.calicoj.core.client.NodeConfig;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.etcd.EtcdClientKind;
import io.github.calicoj.datastore.etcd.EtcdTestClients;
import io.github.calicoj.testkit.Docker;
import io.github.calicoj.testkit.EtcdCluster;
import io.github.calicoj.testkit.TestNamespace;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The Docker follower's reaction time: from the {@code destroy} event's time (Docker's own clock,
 * the same machine's) to the moment the container's endpoint, IPs and veth are gone, for {@code
 * -Dbench.containers} (default 100) containers removed with {@code docker rm -f} one after another.
 * Root, a running dockerd, one etcd member. Run with {@code scripts/bench follower}.
 */
public final class FollowerBench {
  private static final int N = Integer.getInteger("bench.containers", 100);

  private FollowerBench() {}

  public static void main(String[] args) throws Exception {
    Docker.requireDaemon();
    List<String> names = new ArrayList<>();
    Map<String, Long> doneAt = new ConcurrentHashMap<>();
    Map<String, Long> eventAt = new ConcurrentHashMap<>();
    CountDownLatch removed = new CountDownLatch(N);
    try (EtcdCluster etcd = EtcdCluster.startSingle();
        TestNamespace host = TestNamespace.createHost("172.31.252.1");
        Datastore store = EtcdTestClients.connect(EtcdClientKind.GATEWAY, etcd.endpoints());
        CalicoClient calico =
            CalicoClient.builder(store, "cjt-bench-follow").hostNamespace(host.path()).build()) {
      calico.configureNode(NodeConfig.ipv4((Inet4Address) InetAddresses.forString("172.31.252.1")));
      calico.ipPools().add(IpPool.of(Cidr.parse("10.162.0.0/16")));
      for (int i = 0; i < N; i++) {
        String name = Docker.newName();
        names.add(name);
        Docker.runSleeping(name, "none");
        calico.addContainer(name, "ipv4");
      }
      try (DockerFollower f =
          DockerFollower.builder(calico, DockerEngine.fromEnvironment(Duration.ofSeconds(10)))
              .onAction(
                  a -> {
                    if (a.kind() == DockerFollower.Action.Kind.REMOVED && a.eventNanos() > 0) {
                      long now = System.currentTimeMillis() * 1_000_000L;
                      doneAt.put(a.containerId(), now);
                      eventAt.put(a.containerId(), a.eventNanos());
                      removed.countDown();
                    }
                  })
              .build()
              .start()) {
        Thread.sleep(1000); // connected and reconciled
        for (String name : names) {
          Docker.docker("rm", "-f", name);
        }
        if (!removed.await(5, TimeUnit.MINUTES)) {
          throw new IllegalStateException("Only " + (N - removed.getCount()) + " removed");
        }
      }
      long[] reaction = new long[N];
      int i = 0;
      for (String id : doneAt.keySet()) {
        reaction[i++] = doneAt.get(id) - eventAt.get(id);
      }
      System.out.printf(
          "FollowerBench: %d containers, docker rm -f one after another; %d cores; load %s%n",
          N,
          Runtime.getRuntime().availableProcessors(),
          Files.readString(Path.of("/proc/loadavg")).trim());
      System.out.printf(
          "reaction from the destroy event to the container's Calico state gone:"
              + " median %.1f ms, p99 %.1f ms (goal p99 <= 500 ms)%n",
          median(reaction) / 1e6, p99(reaction) / 1e6);
    } finally {
      names.forEach(Docker::remove);
    }
  }
}
