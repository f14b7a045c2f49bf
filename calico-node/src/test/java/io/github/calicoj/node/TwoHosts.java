package io.github.calicoj.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.calicoj.core.client.CalicoClient;
import io.github.calicoj.core.client.NodeConfig;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.etcd.EtcdTestClients;
import io.github.calicoj.netns.NetnsSupport;
import io.github.calicoj.netns.nft.NftablesSupport;
import io.github.calicoj.testkit.EtcdExtension;
import io.github.calicoj.testkit.Processes;
import io.github.calicoj.testkit.Requirements;
import io.github.calicoj.testkit.TestNamespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Two simulated hosts for the agent's ITs (the setup of the behaviours listed in
 * calico-node/README.md): host namespaces H1 ({@value #H1_IP}) and H2 ({@value #H2_IP}) joined by a
 * veth on one /24, each with its own {@link CalicoClient} (host namespace option) and its own
 * {@link CalicoNode}; pool {@value #POOL}; a fresh etcd tree. Workloads are test namespaces added
 * with the client, their interface {@code eth1} paired with a {@code cali} link in their host.
 * Every namespace and the link between the hosts carry the test prefix; {@link #close()} deletes
 * exactly those.
 */
final class TwoHosts implements AutoCloseable {
  static final String POOL = "192.168.0.0/16";
  static final String H1_IP = "172.31.0.1";
  static final String H2_IP = "172.31.0.2";
  static final String LINK = "cjtlink";
  static final Duration SYNC = Duration.ofSeconds(15);
  private static final ObjectMapper JSON = new ObjectMapper();

  final Datastore store;
  final Host h1;
  final Host h2;
  private final List<TestNamespace> workloadNamespaces = new ArrayList<>();

  /** A simulated host: its namespace, name, address, client and agent. */
  final class Host {
    final TestNamespace ns;
    final String name;
    final String ip;
    final CalicoClient client;
    CalicoNode agent;
    private final Consumer<CalicoNode.Builder> options;

    Host(TestNamespace ns, String name, String ip, Consumer<CalicoNode.Builder> options) {
      this.ns = ns;
      this.name = name;
      this.ip = ip;
      this.options = options;
      this.client = CalicoClient.builder(store, name).hostNamespace(ns.path()).build();
    }

    /** Builds and starts this host's agent. */
    CalicoNode startAgent() {
      CalicoNode.Builder b =
          CalicoNode.builder(store, name)
              .hostNamespace(ns.path())
              .reconcileInterval(Duration.ofSeconds(1))
              .retryBackoff(Duration.ofMillis(50), Duration.ofSeconds(1))
              .felixConfig(Map.of("EndpointReportingDelaySecs", "0"));
      options.accept(b);
      agent = b.build();
      agent.start();
      return agent;
    }

    /** Stops this host's agent (its rules stay unless it was built to remove them). */
    void stopAgent() {
      if (agent != null) {
        agent.close();
      }
    }

    /** {@code ip netns exec NS nft -j list ruleset}, parsed. */
    JsonNode ruleset() {
      return json(nft("-j", "list", "ruleset"));
    }

    /** Runs {@code nft ARGS} in this host. */
    String nft(String... args) {
      List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns.name(), "nft"));
      cmd.addAll(List.of(args));
      return Processes.run(cmd, Duration.ofSeconds(20));
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** A workload: its namespace, its address and its endpoint. */
  record Workload(Host host, TestNamespace ns, String ip, WorkloadEndpoint endpoint) {
    /** The endpoint's datastore key. */
    String key() {
      return CalicoKeys.endpoint(
              endpoint.hostname(),
              endpoint.orchestratorId(),
              endpoint.workloadId(),
              endpoint.endpointId())
          .path();
    }

    /** The cali link's name. */
    String iface() {
      return endpoint.name();
    }

    @Override
    public String toString() {
      return ns.name() + "@" + ip;
    }
  }

  /** Checks what the agent needs to run here: root, netns, libnftables, nft, ping, etcd. */
  static void requireAll() {
    Requirements.requireRoot();
    Requirements.require(
        NetnsSupport.isAvailable(), "netns support: " + NetnsSupport.unavailabilityCause());
    Requirements.require(
        NftablesSupport.isAvailable(),
        "libnftables (apt-get install libnftables1): " + NftablesSupport.unavailabilityCause());
    Requirements.require(Requirements.onPath("nft") != null, "nft (apt-get install nftables)");
    Requirements.require(
        Requirements.onPath("ping") != null, "ping (apt-get install iputils-ping)");
  }

  private TwoHosts(
      EtcdExtension etcd,
      Consumer<CalicoNode.Builder> h1Options,
      Consumer<CalicoNode.Builder> h2Options) {
    requireAll();
    this.store = EtcdTestClients.connect(etcd.endpoints());
    store.deletePrefix(Key.of("/calico/"));
    store.deletePrefix(Key.of("/calicoj/"));
    TestNamespace ns1 = TestNamespace.create();
    TestNamespace ns2 = null;
    try {
      ns2 = TestNamespace.create();
      for (TestNamespace ns : List.of(ns1, ns2)) {
        ns.ip("link", "set", "lo", "up");
      }
      ns1.ip("link", "add", LINK, "type", "veth", "peer", "name", LINK, "netns", ns2.name());
      ns1.ip("addr", "add", H1_IP + "/24", "dev", LINK);
      ns2.ip("addr", "add", H2_IP + "/24", "dev", LINK);
      ns1.ip("link", "set", LINK, "up");
      ns2.ip("link", "set", LINK, "up");
    } catch (RuntimeException e) {
      ns1.close();
      if (ns2 != null) {
        ns2.close();
      }
      throw e;
    }
    this.h1 = new Host(ns1, "h1", H1_IP, h1Options);
    this.h2 = new Host(ns2, "h2", H2_IP, h2Options);
    try {
      h1.client.configureNode(NodeConfig.ipv4((Inet4Address) InetAddress.getByName(H1_IP)));
      h2.client.configureNode(NodeConfig.ipv4((Inet4Address) InetAddress.getByName(H2_IP)));
      h1.client.ipPools().add(IpPool.of(Cidr.parse(POOL)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Both hosts, agents not started. */
  static TwoHosts create(EtcdExtension etcd) {
    return new TwoHosts(etcd, b -> {}, b -> {});
  }

  /** Both hosts with per-host agent options, agents not started. */
  static TwoHosts create(
      EtcdExtension etcd,
      Consumer<CalicoNode.Builder> h1Options,
      Consumer<CalicoNode.Builder> h2Options) {
    return new TwoHosts(etcd, h1Options, h2Options);
  }

  /** Starts both agents and waits for both to be in sync. */
  TwoHosts start() {
    h1.startAgent();
    h2.startAgent();
    sync();
    return this;
  }

  /** Waits until both running agents match the datastore. */
  void sync() {
    for (Host h : List.of(h1, h2)) {
      if (h.agent != null && h.agent.status().state() != NodeStatus.State.CLOSED) {
        assertThat(h.agent.awaitInSync(SYNC)).as("%s in sync (%s)", h, h.agent.status()).isTrue();
      }
    }
  }

  /**
   * A workload on {@code host}: a test namespace added with the host's client, with the address
   * {@code ip} ({@code ipv4} for any) and then the profiles appended.
   */
  Workload add(Host host, String ip, String... profiles) {
    TestNamespace ns = TestNamespace.create();
    workloadNamespaces.add(ns);
    ns.ip("link", "set", "lo", "up");
    WorkloadEndpoint ep = host.client.addContainer(ns.path().toString(), ip);
    if (profiles.length > 0) {
      ep = host.client.appendProfiles(ns.path().toString(), List.of(profiles));
    }
    String addr = ep.ipv4Nets().get(0).address().getHostAddress();
    return new Workload(host, ns, addr, ep);
  }

  /** Removes a workload with its host's client. */
  void remove(Workload w) {
    w.host().client.removeContainer(w.ns().path().toString());
  }

  /** {@code calicoctl profile add NAME}: tags {@code [NAME]}, the default rules. */
  void profile(String name) {
    h1.client.profiles().create(name);
  }

  /** Writes a profile's {@code rules} value as given. */
  void rules(String profile, String json) {
    store.put(CalicoKeys.profileRules(profile), json);
  }

  /** Writes a profile's {@code tags} value as given. */
  void tags(String profile, String json) {
    store.put(CalicoKeys.profileTags(profile), json);
  }

  /** Sets a workload's profiles. */
  void setProfiles(Workload w, String... profiles) {
    w.host().client.setProfiles(w.ns().path().toString(), List.of(profiles));
  }

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops the agents, then deletes the workloads' and the hosts' namespaces. */
  @Override
  public void close() {
    for (Host h : List.of(h1, h2)) {
      try {
        h.stopAgent();
      } catch (RuntimeException e) {
        // keep closing
      }
      h.client.close();
    }
    for (TestNamespace ns : workloadNamespaces) {
      ns.close();
    }
    h1.ns.close();
    h2.ns.close();
    store.close();
  }
}
