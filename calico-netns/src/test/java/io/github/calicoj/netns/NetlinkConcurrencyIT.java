package io.github.calicoj.netns;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.calicoj.testkit.IpOracle;
import io.github.calicoj.testkit.Race;
import io.github.calicoj.testkit.Requirements;
import io.github.calicoj.testkit.TestNamespace;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 8 threads each add 50 workloads at once, each into its own namespace, with host ends in one test
 * host namespace. Every workload must be right (checked with ip -j), no fd may leak, and every JVM
 * thread must still be in its original network namespace.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NetlinkConcurrencyIT {
  private static final int THREADS = 8;
  private static final int PER_THREAD = 50;

  /** One workload's expected state. */
  record Workload(TestNamespace ns, InterfaceName host, String ip, MacAddress mac) {}

  @Test
  void eightThreadsTimesFiftyWorkloads() throws Exception {
    Requirements.requireRoot();
    Requirements.require(NetnsSupport.isAvailable(), "netns support");
    List<TestNamespace> created = new ArrayList<>();
    try (TestNamespace hostNs = TestNamespace.create()) {
      for (int i = 0; i < THREADS * PER_THREAD; i++) {
        created.add(TestNamespace.create());
      }
      // Warm up the whole path once, so files opened lazily on first use (class-path jars such
      // as Guava's, jnr stubs) are not counted as leaks.
      try (TestNamespace warmNs = TestNamespace.create();
          NetNs host = NetNs.open(hostNs.path());
          NetNs w = NetNs.open(warmNs.path());
          Netlink hostNl = Netlink.openIn(host);
          Netlink in = Netlink.openIn(w)) {
        InterfaceName eth = InterfaceName.of("eth0");
        InetAddress gw = InetAddress.getByName("169.254.1.1");
        hostNl.createVeth(InterfaceName.of("cjtcwarm"), eth, w);
        in.setUp(eth);
        in.addAddress(eth, IpPrefix.parse(String.format("10.76.0.%d/32", 1)));
        in.addRoute(Route.onLink(gw, eth));
        in.addRoute(Route.defaultVia(gw, eth));
        in.link(eth).mac();
        hostNl.deleteLink(InterfaceName.of("cjtcwarm"));
      }
      long fdsBefore = countFds();
      String originalNs = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();

      List<Workload> workloads;
      try (NetNs host = NetNs.open(hostNs.path());
          Netlink hostNl = Netlink.openIn(host)) {
        List<List<Workload>> each =
            Race.run(
                THREADS,
                thread ->
                    () -> {
                      List<Workload> mine = new ArrayList<>();
                      InetAddress gw = InetAddress.getByName("169.254.1.1");
                      InterfaceName eth = InterfaceName.of("eth0");
                      for (int i = 0; i < PER_THREAD; i++) {
                        int n = thread * PER_THREAD + i;
                        TestNamespace wns = created.get(n);
                        InterfaceName hostName = InterfaceName.of(String.format("cjtc%05d", n));
                        String ip = "10.77." + (n / 250) + "." + (n % 250 + 1);
                        try (NetNs w = NetNs.open(wns.path());
                            Netlink in = Netlink.openIn(w)) {
                          hostNl.createVeth(hostName, eth, w);
                          in.setUp(eth);
                          in.addAddress(eth, IpPrefix.parse(ip + "/32"));
                          in.addRoute(Route.onLink(gw, eth));
                          in.addRoute(Route.defaultVia(gw, eth));
                          mine.add(new Workload(wns, hostName, ip, in.link(eth).mac()));
                        }
                      }
                      return mine;
                    },
                Duration.ofMinutes(4));
        workloads = new ArrayList<>();
        each.forEach(workloads::addAll);
      }

      assertThat(workloads).hasSize(THREADS * PER_THREAD);
      Set<String> hostLinks = new HashSet<>();
      IpOracle.links(hostNs.name()).forEach(l -> hostLinks.add(l.path("ifname").asText()));
      for (Workload w : workloads) {
        assertThat(hostLinks).contains(w.host().value());
        JsonNode eth0 = IpOracle.link(w.ns().name(), "eth0").orElseThrow();
        assertThat(eth0.path("address").asText()).isEqualTo(w.mac().toString());
        assertThat(eth0.path("flags").toString()).contains("\"UP\"");
        assertThat(IpOracle.addresses(w.ns().name(), "eth0")).contains(w.ip() + "/32");
        assertThat(IpOracle.routes(w.ns().name(), true))
            .extracting(r -> r.path("dst").asText())
            .contains("169.254.1.1", "default");
      }
      assertThat(countFds()).as("open fds").isEqualTo(fdsBefore);
      try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
        tasks.forEach(
            task -> {
              try {
                assertThat(Files.readSymbolicLink(task.resolve("ns/net")).toString())
                    .as("netns of thread %s", task.getFileName())
                    .isEqualTo(originalNs);
              } catch (IOException e) {
                // the thread ended while we looked: fine
              }
            });
      }
    } finally {
      created.forEach(TestNamespace::close);
    }
  }

  private static long countFds() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count() - 1; // minus the directory stream's own fd
    }
  }
}
