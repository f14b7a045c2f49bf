package io.github.calicoj.cni;

import static io.github.calicoj.cni.CniTestbed.allocated;
import static io.github.calicoj.cni.CniTestbed.assertNothingLeft;
import static io.github.calicoj.cni.CniTestbed.config;
import static io.github.calicoj.cni.CniTestbed.containerId;
import static io.github.calicoj.cni.CniTestbed.endpointKeys;
import static io.github.calicoj.cni.CniTestbed.invoke;
import static io.github.calicoj.cni.CniTestbed.resultAddress;
import static io.github.calicoj.cni.CniTestbed.withPrevResult;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.net.InetAddresses;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.testkit.EtcdExtension;
import io.github.calicoj.testkit.IpOracle;
import io.github.calicoj.testkit.TcpProxy;
import io.github.calicoj.testkit.TestNamespace;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The packaged plugin invoked directly, as a runtime would, against a real etcd member and real
 * namespaces (root): ADD's result in both shapes and the state behind it (read back with {@code ip
 * -j} and etcdctl), CHECK, the idempotent DEL, requested addresses, the error object, an ADD while
 * etcd is unreachable, the MTU and the log file. Host ends live in a test host namespace.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CniPluginIT {
  private static final String POOL = "10.126.0.0/16";
  private static final String NODE = "cjt-cni-node";

  @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.single();

  private static TestNamespace hostNs;

  private final List<TestNamespace> containers = new ArrayList<>();
  private String network;

  @BeforeAll
  static void setUpHost() {
    CniTestbed.requirePlugin();
    hostNs = CniTestbed.hostNamespace();
    CniTestbed.addPool(ETCD.cluster(), POOL);
  }

  @AfterAll
  static void tearDownHost() {
    if (hostNs != null) {
      hostNs.close();
    }
  }

  @BeforeEach
  void setUp() {
    network = "cjt-net-" + containerId().substring(0, 6);
  }

  @AfterEach
  void tearDown() {
    containers.forEach(TestNamespace::close);
  }

  private TestNamespace container() {
    TestNamespace c = TestNamespace.create();
    containers.add(c);
    return c;
  }

  private String conf(String version, String extra) {
    return config(version, network, ETCD.endpoints(), hostNs.path(), NODE, extra);
  }

  private String conf(String extra) {
    return conf("1.0.0", extra);
  }

  @Test
  void addReportsTheInterfacesAddressAndRoutesItMade() {
    TestNamespace c = container();
    String id = containerId();
    String cfg = conf(",\"dns\":{\"nameservers\":[\"10.126.0.53\"],\"search\":[\"cjt.test\"]}");
    String out = invoke("ADD", id, c.path().toString(), "eth0", "", cfg).ok();
    JsonNode r = CniTestbed.json(out);

    // The result, in 1.0.0's shape.
    assertThat(r.path("cniVersion").asText()).isEqualTo("1.0.0");
    JsonNode host = r.path("interfaces").path(0);
    JsonNode sandbox = r.path("interfaces").path(1);
    String cali = host.path("name").asText();
    assertThat(cali).startsWith("cali").hasSize(15);
    assertThat(host.path("mac").asText()).isEqualTo("ee:ee:ee:ee:ee:ee");
    assertThat(host.has("sandbox")).isFalse();
    assertThat(sandbox.path("name").asText()).isEqualTo("eth0");
    assertThat(sandbox.path("sandbox").asText()).isEqualTo(c.path().toString());
    JsonNode ip = r.path("ips").path(0);
    assertThat(r.path("ips")).hasSize(1);
    assertThat(ip.has("version")).isFalse();
    assertThat(ip.path("interface").asInt()).isEqualTo(1);
    assertThat(ip.path("gateway").asText()).isEqualTo("169.254.1.1");
    InetAddress addr = resultAddress(r);
    assertThat(Cidr.parse(POOL).contains(addr)).isTrue();
    assertThat(ip.path("address").asText()).isEqualTo(addr.getHostAddress() + "/32");
    assertThat(r.path("routes").toString())
        .isEqualTo("[{\"dst\":\"0.0.0.0/0\",\"gw\":\"169.254.1.1\"}]");
    assertThat(r.path("dns").toString())
        .isEqualTo("{\"nameservers\":[\"10.126.0.53\"],\"search\":[\"cjt.test\"]}");

    // The container, per ip -j.
    JsonNode eth0 = IpOracle.link(c.name(), "eth0").orElseThrow();
    assertThat(eth0.path("address").asText()).isEqualTo(sandbox.path("mac").asText());
    assertThat(IpOracle.addresses(c.name(), "eth0")).contains(addr.getHostAddress() + "/32");
    assertThat(IpOracle.routes(c.name(), true))
        .anyMatch(
            rt ->
                rt.path("dst").asText().equals("default")
                    && rt.path("gateway").asText().equals("169.254.1.1"));
    // The host side: the cali end and the route to the container.
    assertThat(IpOracle.link(hostNs.name(), cali)).isPresent();
    assertThat(IpOracle.routes(hostNs.name(), true))
        .anyMatch(
            rt ->
                rt.path("dst").asText().equals(addr.getHostAddress())
                    && rt.path("dev").asText().equals(cali));

    // etcd, read back with etcdctl: the endpoint (orchestrator cni, workload the container id),
    // the network's profile with Calico's default rules, and the handle.
    List<String> keys = endpointKeys(ETCD.cluster(), NODE, id);
    assertThat(keys).hasSize(1);
    assertThat(keys.get(0))
        .startsWith("/calico/v1/host/" + NODE + "/workload/cni/" + id + "/endpoint/");
    String ep = ETCD.cluster().value(keys.get(0));
    assertThat(ep)
        .contains("\"name\": \"" + cali + "\"")
        .contains("\"mac\": \"" + sandbox.path("mac").asText() + "\"")
        .contains("\"profile_ids\": [\"" + network + "\"]")
        .contains("\"ipv4_nets\": [\"" + addr.getHostAddress() + "/32\"]");
    assertThat(ETCD.cluster().value(CalicoKeys.profileTags(network).path()))
        .isEqualTo("[\"" + network + "\"]");
    assertThat(ETCD.cluster().value(CalicoKeys.profileRules(network).path()))
        .isEqualTo(
            "{\"id\": \""
                + network
                + "\", \"inbound_rules\": [{\"action\": \"allow\", \"src_tag\": \""
                + network
                + "\"}], \"outbound_rules\": [{\"action\": \"allow\"}]}");
    assertThat(ETCD.cluster().value(CalicoKeys.handle(network + "." + id).path()))
        .contains("\"id\": \"" + network + "." + id + "\"");
    assertThat(allocated(ETCD.cluster(), addr)).isTrue();

    // CHECK agrees; DEL removes everything; a second DEL is fine.
    invoke("CHECK", id, c.path().toString(), "eth0", "", withPrevResult(cfg, out)).ok();
    assertThat(invoke("DEL", id, c.path().toString(), "eth0", "", withPrevResult(cfg, out)).ok())
        .isEmpty();
    assertNothingLeft(ETCD.cluster(), NODE, network, id, addr, hostNs, cali);
    assertThat(IpOracle.link(c.name(), "eth0")).isEmpty();
    invoke("DEL", id, c.path().toString(), "eth0", "", withPrevResult(cfg, out)).ok();
  }

  @Test
  void version040ResultsNameTheIpVersion() {
    TestNamespace c = container();
    String id = containerId();
    String cfg = conf("0.4.0", "");
    String out = invoke("ADD", id, c.path().toString(), "eth1", "", cfg).ok();
    JsonNode r = CniTestbed.json(out);
    assertThat(r.path("cniVersion").asText()).isEqualTo("0.4.0");
    assertThat(r.path("ips").path(0).path("version").asText()).isEqualTo("4");
    assertThat(r.path("interfaces").path(1).path("name").asText()).isEqualTo("eth1");
    invoke("CHECK", id, c.path().toString(), "eth1", "", withPrevResult(cfg, out)).ok();
    invoke("DEL", id, c.path().toString(), "eth1", "", withPrevResult(cfg, out)).ok();
    assertThat(endpointKeys(ETCD.cluster(), NODE, id)).isEmpty();
  }

  @Test
  void checkReportsWhatDiffersFromThePreviousResult() {
    TestNamespace c = container();
    String id = containerId();
    String cfg = conf("");
    String out = invoke("ADD", id, c.path().toString(), "eth0", "", cfg).ok();
    InetAddress addr = resultAddress(CniTestbed.json(out));
    String cali = CniTestbed.json(out).path("interfaces").path(0).path("name").asText();

    c.ip("addr", "del", addr.getHostAddress() + "/32", "dev", "eth0");
    JsonNode e =
        invoke("CHECK", id, c.path().toString(), "eth0", "", withPrevResult(cfg, out)).error(104);
    assertThat(e.path("msg").asText())
        .startsWith("CHECK of container " + id + " found ")
        .contains("eth0 lacks address " + addr.getHostAddress());

    // A result whose address is not the endpoint's: the datastore check names both.
    String other = out.replace(addr.getHostAddress() + "/32", "10.126.255.254/32");
    c.ip("addr", "add", "10.126.255.254/32", "dev", "eth0");
    e = invoke("CHECK", id, c.path().toString(), "eth0", "", withPrevResult(cfg, other)).error(104);
    assertThat(e.path("msg").asText())
        .contains(
            "the endpoint has addresses [" + addr.getHostAddress() + "], not [10.126.255.254]")
        .contains("IPAM does not hold 10.126.255.254");

    // The host end gone.
    hostNs.ip("link", "del", cali);
    e = invoke("CHECK", id, c.path().toString(), "eth0", "", withPrevResult(cfg, out)).error(104);
    assertThat(e.path("msg").asText())
        .contains("interface eth0 does not exist in " + c.path())
        .contains("host interface " + cali + " does not exist");

    invoke("DEL", id, c.path().toString(), "eth0", "", withPrevResult(cfg, out)).ok();
    assertNothingLeft(ETCD.cluster(), NODE, network, id, addr, hostNs, cali);
  }

  @Test
  void requestedAddressesAreAssignedOrRefused() {
    TestNamespace c1 = container();
    TestNamespace c2 = container();
    TestNamespace c3 = container();
    String id1 = containerId();
    String id2 = containerId();
    String id3 = containerId();
    String cfg = conf("");
    String out1 =
        invoke("ADD", id1, c1.path().toString(), "eth0", "IgnoreUnknown=1;IP=10.126.9.9", cfg).ok();
    assertThat(resultAddress(CniTestbed.json(out1)))
        .isEqualTo(InetAddresses.forString("10.126.9.9"));
    assertThat(IpOracle.addresses(c1.name(), "eth0")).contains("10.126.9.9/32");

    String cfgIps = conf(",\"runtimeConfig\":{\"ips\":[\"10.126.9.10/16\"]}");
    String out2 = invoke("ADD", id2, c2.path().toString(), "eth0", "", cfgIps).ok();
    assertThat(resultAddress(CniTestbed.json(out2)))
        .isEqualTo(InetAddresses.forString("10.126.9.10"));

    // Taken, and outside every pool: errors that name the address; nothing is left.
    JsonNode taken =
        invoke("ADD", id3, c3.path().toString(), "eth0", "IP=10.126.9.9", cfg).error(101);
    assertThat(taken.path("msg").asText())
        .isEqualTo(
            "ADD of container "
                + id3.substring(0, 12)
                + " failed: IP address is already assigned in pool "
                + POOL
                + ".");
    JsonNode outside =
        invoke("ADD", id3, c3.path().toString(), "eth0", "IP=10.127.0.1", cfg).error(101);
    assertThat(outside.path("msg").asText())
        .isEqualTo(
            "ADD of container "
                + id3.substring(0, 12)
                + " failed: 10.127.0.1 is not in any configured pools");
    assertThat(endpointKeys(ETCD.cluster(), NODE, id3)).isEmpty();
    assertThat(IpOracle.link(c3.name(), "eth0")).isEmpty();
    assertThat(IpOracle.linkNames(hostNs.name(), "cali")).hasSize(2);

    invoke("DEL", id1, c1.path().toString(), "eth0", "", withPrevResult(cfg, out1)).ok();
    invoke("DEL", id2, c2.path().toString(), "eth0", "", withPrevResult(cfgIps, out2)).ok();
    invoke("DEL", id3, c3.path().toString(), "eth0", "", cfg).ok();
    assertThat(allocated(ETCD.cluster(), InetAddresses.forString("10.126.9.9"))).isFalse();
    assertThat(allocated(ETCD.cluster(), InetAddresses.forString("10.126.9.10"))).isFalse();
  }

  @Test
  void delSucceedsForWhatIsNotThere() {
    String cfg = conf("");
    // Never added: with a namespace, without one, without an interface name.
    TestNamespace c = container();
    invoke("DEL", containerId(), c.path().toString(), "eth0", "", cfg).ok();
    invoke("DEL", containerId(), "", "", "", cfg).ok();

    // Added, then its namespace deleted (the veth went with it): DEL clears the data.
    TestNamespace gone = TestNamespace.create();
    String id = containerId();
    String out = invoke("ADD", id, gone.path().toString(), "eth0", "", cfg).ok();
    InetAddress addr = resultAddress(CniTestbed.json(out));
    String cali = CniTestbed.json(out).path("interfaces").path(0).path("name").asText();
    String path = gone.path().toString();
    gone.close();
    assertThat(Files.exists(Path.of(path))).isFalse();
    invoke("DEL", id, path, "eth0", "", withPrevResult(cfg, out)).ok();
    assertNothingLeft(ETCD.cluster(), NODE, network, id, addr, hostNs, cali);
  }

  @Test
  void aSecondAddOfOneContainerIsRefusedAndChangesNothing() {
    TestNamespace c = container();
    String id = containerId();
    String cfg = conf("");
    String out = invoke("ADD", id, c.path().toString(), "eth0", "", cfg).ok();
    String cali = CniTestbed.json(out).path("interfaces").path(0).path("name").asText();
    InetAddress addr = resultAddress(CniTestbed.json(out));
    JsonNode e = invoke("ADD", id, c.path().toString(), "eth1", "", cfg).error(103);
    assertThat(e.path("msg").asText())
        .isEqualTo(
            "Container "
                + id
                + " already has a Calico endpoint on this host ("
                + cali
                + ", ["
                + addr.getHostAddress()
                + "/32]): a container can be on one Calico network, through one interface");
    assertThat(IpOracle.link(c.name(), "eth1")).isEmpty();
    // Another network's ADD of it too.
    String otherNetwork =
        config("1.0.0", network + "-b", ETCD.endpoints(), hostNs.path(), NODE, "");
    invoke("ADD", id, c.path().toString(), "eth2", "", otherNetwork).error(103);
    invoke("CHECK", id, c.path().toString(), "eth0", "", withPrevResult(cfg, out)).ok();
    invoke("DEL", id, c.path().toString(), "eth0", "", withPrevResult(cfg, out)).ok();
  }

  @Test
  void withEtcdUnreachableAddFailsAndLeavesNothingAndDelFollows() throws Exception {
    TestNamespace c = container();
    String id = containerId();
    int port = URI.create(ETCD.endpoints().split(",")[0]).getPort();
    try (TcpProxy proxy = TcpProxy.to(port)) {
      String cfg =
          config("1.0.0", network, "http://127.0.0.1:" + proxy.port(), hostNs.path(), NODE, "")
              .replace("\"etcd_timeout\":5", "\"etcd_timeout\":2");
      List<String> caliBefore = IpOracle.linkNames(hostNs.name(), "cali");
      proxy.cut();
      JsonNode e = invoke("ADD", id, c.path().toString(), "eth0", "", cfg).error(11);
      assertThat(e.path("msg").asText())
          .startsWith("ADD of container " + id.substring(0, 12) + " failed: ")
          .contains("etcd http://127.0.0.1:" + proxy.port());
      assertThat(e.path("cniVersion").asText()).isEqualTo("1.0.0");
      assertThat(IpOracle.link(c.name(), "eth0")).isEmpty();
      assertThat(IpOracle.linkNames(hostNs.name(), "cali")).isEqualTo(caliBefore);
      assertThat(endpointKeys(ETCD.cluster(), NODE, id)).isEmpty();
      assertThat(ETCD.cluster().keys(CalicoKeys.handle(network + "." + id).path())).isEmpty();

      // The DEL a runtime sends after a failed ADD (no prevResult) succeeds with etcd still away;
      // one that follows a successful ADD (prevResult) must not, and says to try again.
      invoke("DEL", id, c.path().toString(), "eth0", "", cfg).ok();
      String fakePrev =
          "{\"cniVersion\":\"1.0.0\",\"interfaces\":[],\"ips\":[],\"routes\":[],\"dns\":{}}";
      JsonNode later =
          invoke("DEL", id, c.path().toString(), "eth0", "", withPrevResult(cfg, fakePrev))
              .error(11);
      assertThat(later.path("msg").asText()).contains("etcd did not answer");

      // Once etcd is back, the same ADD works.
      proxy.restore();
      String out = invoke("ADD", id, c.path().toString(), "eth0", "", cfg).ok();
      invoke("DEL", id, c.path().toString(), "eth0", "", withPrevResult(cfg, out)).ok();
      assertThat(endpointKeys(ETCD.cluster(), NODE, id)).isEmpty();
    }
  }

  @Test
  void mtuIsSetOnBothEnds() {
    TestNamespace c = container();
    String id = containerId();
    String cfg = conf(",\"mtu\":1400");
    String out = invoke("ADD", id, c.path().toString(), "eth0", "", cfg).ok();
    String cali = CniTestbed.json(out).path("interfaces").path(0).path("name").asText();
    assertThat(IpOracle.link(c.name(), "eth0").orElseThrow().path("mtu").asInt()).isEqualTo(1400);
    assertThat(IpOracle.link(hostNs.name(), cali).orElseThrow().path("mtu").asInt())
        .isEqualTo(1400);
    invoke("DEL", id, c.path().toString(), "eth0", "", withPrevResult(cfg, out)).ok();
  }

  @Test
  void logsAreAppendedToTheLogFile() throws Exception {
    Path dir = Files.createTempDirectory("cjt-cni-log-");
    try {
      Path log = dir.resolve("sub/cni.log");
      TestNamespace c = container();
      String id = containerId();
      String cfg = conf(",\"log_level\":\"info\",\"log_file_path\":\"" + log + "\"");
      CniTestbed.Invocation add = invoke("ADD", id, c.path().toString(), "eth0", "", cfg);
      add.ok();
      invoke("DEL", id, c.path().toString(), "eth0", "", cfg).ok();
      String text = Files.readString(log);
      assertThat(text).contains("[INFO] AddCommand - ADD " + id + ": endpoint ");
      assertThat(text).contains("[INFO] DelCommand - DEL " + id + ": removed 1 endpoint(s)");
      // stderr gets the same lines; stdout only the result.
      assertThat(add.stderr()).contains("ADD " + id + ": endpoint ");
      assertThat(add.stdout()).doesNotContain("INFO");
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void environmentErrorsComeAsTheErrorObjectOnStdout() {
    CniTestbed.Invocation i =
        CniTestbed.run(List.of("CNI_COMMAND=ADD", "CNI_CONTAINERID=x1"), conf(""));
    assertThat(i.error(4).toString())
        .isEqualTo("{\"cniVersion\":\"1.0.0\",\"code\":4,\"msg\":\"CNI_NETNS is not set\"}");
    CniTestbed.Invocation v = CniTestbed.run(List.of("CNI_COMMAND=VERSION"), "");
    assertThat(v.ok())
        .isEqualTo(
            "{\"cniVersion\":\"1.0.0\",\"supportedVersions\":[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\"]}\n");
    TestNamespace c = container();
    JsonNode unknown =
        invoke("ADD", containerId(), c.path() + "-missing", "eth0", "", conf("")).error(3);
    assertThat(unknown.path("msg").asText())
        .isEqualTo("CNI_NETNS " + c.path() + "-missing does not exist");
  }
}
