package io.github.calicoj.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.core.client.CalicoClient;
import io.github.calicoj.core.client.NodeConfig;
import io.github.calicoj.core.client.Owners;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.etcd.EtcdTestClients;
import io.github.calicoj.netns.NetnsSupport;
import io.github.calicoj.netns.nft.NftablesSupport;
import io.github.calicoj.testkit.EtcdExtension;
import io.github.calicoj.testkit.Processes;
import io.github.calicoj.testkit.Requirements;
import io.github.calicoj.testkit.TestNamespace;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code calico-node} as a process (the launcher's main, with the test class path) on a real etcd
 * member and a test host namespace, and {@code calicoctl status} beside it: the agent programs its
 * table, reports itself and its endpoint, stops cleanly on SIGTERM leaving its rules, or removing
 * them with {@code --remove-on-exit}.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CalicoNodeIT {
  @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.single();

  private static final String HOST = "cjt-node-h1";
  private TestNamespace hostNs;
  private TestNamespace workload;
  private Datastore store;
  private Process process;
  private Thread reader;

  @BeforeEach
  void setUp() throws Exception {
    Requirements.requireRoot();
    Requirements.require(NetnsSupport.isAvailable(), "netns support");
    Requirements.require(NftablesSupport.isAvailable(), "libnftables");
    Requirements.require(Requirements.onPath("nft") != null, "nft (apt-get install nftables)");
    store = EtcdTestClients.connect(ETCD.endpoints());
    store.deletePrefix(Key.of("/calico/"));
    store.deletePrefix(Key.of("/calicoj/"));
    hostNs = TestNamespace.createHost("172.31.201.1");
    workload = TestNamespace.create();
    try (CalicoClient client =
        CalicoClient.builder(store, HOST).hostNamespace(hostNs.path()).build()) {
      client.configureNode(NodeConfig.ipv4((Inet4Address) InetAddress.getByName("172.31.201.1")));
      client.ipPools().add(IpPool.of(Cidr.parse("10.67.0.0/16")));
      client.addContainer(workload.path().toString(), "ipv4");
      client.profiles().create("P");
      client.appendProfiles(workload.path().toString(), List.of("P"));
    }
  }

  @AfterEach
  void tearDown() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
    }
    if (workload != null) {
      workload.close();
    }
    if (hostNs != null) {
      hostNs.close();
    }
    if (store != null) {
      store.close();
    }
  }

  private Map<String, String> env() {
    return Map.of(
        "ETCD_ENDPOINTS",
        ETCD.endpoints(),
        "HOSTNAME",
        HOST,
        "CALICO_HOST_NETNS",
        hostNs.path().toString(),
        "FELIX_REPORTINGINTERVALSECS",
        "1",
        "FELIX_ENDPOINTREPORTINGDELAYSECS",
        "0");
  }

  /** Starts the launcher's main; its merged output goes to {@code out}. */
  private Process start(StringBuffer out, String... args) throws IOException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                System.getProperty("java.home") + "/bin/java",
                "-cp",
                System.getProperty("java.class.path"),
                CalicoNodeMain.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env());
    Process p = pb.start();
    reader =
        new Thread(
            () -> {
              try (InputStream in = p.getInputStream()) {
                byte[] buf = new byte[4096];
                int n;
                while ((n = in.read(buf)) > 0) {
                  out.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
              } catch (IOException e) {
                // ended
              }
            });
    reader.setDaemon(true);
    reader.start();
    return p;
  }

  private static void awaitOutput(StringBuffer out, String text) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!out.toString().contains(text)) {
      assertThat(System.nanoTime()).as("waiting for '%s' in:%n%s", text, out).isLessThan(end);
      Thread.sleep(50);
    }
  }

  private String status() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code =
        Calicoctl.run(
            new String[] {"status"},
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new ByteArrayInputStream(new byte[0]),
            Map.of("ETCD_ENDPOINTS", ETCD.endpoints(), "HOSTNAME", HOST),
            null);
    assertThat(code).isZero();
    return out.toString(StandardCharsets.UTF_8);
  }

  private boolean hasTable() {
    return Processes.runForResult(
                List.of(
                    "ip", "netns", "exec", hostNs.name(), "nft", "list", "table", "inet", "calico"),
                Duration.ofSeconds(20))
            .exitCode()
        == 0;
  }

  @Test
  void runsReportsAndStopsOnSigtermLeavingItsRules() throws Exception {
    StringBuffer out = new StringBuffer();
    process = start(out);
    awaitOutput(out, "in sync:");
    assertThat(hasTable()).isTrue();
    // The status writer reports the endpoints as they change and the host on its own schedule:
    // wait for both.
    waitForStatus("| up ");
    String running = waitForStatus("calico-node is running on " + HOST);
    assertThat(running).contains("calico-node is running on " + HOST).contains("| up ");

    // SIGTERM through the handle: Process.destroy() would also close the pipes we read.
    assertThat(process.toHandle().destroy()).isTrue();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as(out.toString()).isTrue();
    reader.join(10_000); // all of its output read
    assertThat(process.exitValue()).isEqualTo(143); // 128 + SIGTERM, after a clean stop
    assertThat(out.toString()).contains("stopping; rules stay in force").contains("agent stopped");
    assertThat(hasTable()).as("rules stay in force").isTrue();
    assertThat(status()).contains("calico-node is not running on " + HOST).contains("| unknown ");
  }

  @Test
  void removeOnExitTakesTheTableAway() throws Exception {
    StringBuffer out = new StringBuffer();
    process = start(out, "--remove-on-exit");
    awaitOutput(out, "in sync:");
    assertThat(hasTable()).isTrue();
    assertThat(process.toHandle().destroy()).isTrue();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as(out.toString()).isTrue();
    reader.join(10_000);
    assertThat(out.toString()).contains("table and routes removed");
    assertThat(hasTable()).isFalse();
  }

  @Test
  void theSweepOptionsReachTheAgentWhichRepairsALeakAlone() throws Exception {
    InetAddress leaked = InetAddress.getByName("10.67.9.9");
    try (CalicoClient client = CalicoClient.builder(store, HOST).build()) {
      client.ipam().assign(leaked, HOST, Owners.of(HOST, "namespace", "cjt-leaked"));
      assertThat(client.ipam().isAssigned(leaked)).isTrue();
    }
    StringBuffer out = new StringBuffer();
    process = start(out, "--no-docker-events", "--sweep-interval=1s", "--sweep-grace=0");
    awaitOutput(out, "in sync:");
    assertThat(out.toString())
        .contains(HOST + ": Docker events not followed (turned off)")
        .contains(HOST + ": leak sweep every 1s, repairing what is older than 0s");
    awaitOutput(out, "sweep of " + HOST + ": 1 findings, 1 repaired, 0 too young, 0 left");
    // read back from etcd: the leaked address is free, its handle gone; the workload's is kept
    assertThat(
            ETCD.cluster()
                .value(CalicoKeys.handle(Owners.handleId(HOST, "namespace", "cjt-leaked")).path()))
        .isEmpty();
    try (CalicoClient client = CalicoClient.builder(store, HOST).build()) {
      assertThat(client.ipam().isAssigned(leaked)).isFalse();
      assertThat(client.endpoints()).hasSize(1);
      assertThat(client.ipam().isAssigned(client.endpoints().get(0).ipv4Nets().get(0).address()))
          .isTrue();
    }
    assertThat(process.toHandle().destroy()).isTrue();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as(out.toString()).isTrue();
  }

  @Test
  void aBadSweepIntervalIsAUsageErrorNamingIt() throws Exception {
    StringBuffer out = new StringBuffer();
    process = start(out, "--sweep-interval=often");
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    reader.join(10_000);
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(out.toString()).contains("Invalid --sweep-interval \"often\"");
  }

  @Test
  void aBadArgumentIsAUsageError() throws Exception {
    StringBuffer out = new StringBuffer();
    process = start(out, "--bogus");
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    reader.join(10_000);
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(out.toString()).contains("Unknown argument").contains("Usage: calico-node");
  }

  private String waitForStatus(String text) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    String s = status();
    while (!s.contains(text) && System.nanoTime() < end) {
      Thread.sleep(100);
      s = status();
    }
    return s;
  }
}
