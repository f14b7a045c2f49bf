package io.github.calicoj.cni;

import static io.github.calicoj.cni.CniTestbed.allocated;
import static io.github.calicoj.cni.CniTestbed.assertNothingLeft;
import static io.github.calicoj.cni.CniTestbed.config;
import static io.github.calicoj.cni.CniTestbed.containerId;
import static io.github.calicoj.cni.CniTestbed.endpointKeys;
import static io.github.calicoj.cni.CniTestbed.json;
import static io.github.calicoj.cni.CniTestbed.resultAddress;
import static io.github.calicoj.cni.CniTestbed.withPrevResult;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.net.InetAddresses;
import io.github.calicoj.cni.CniTestbed.Invocation;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.ipam.AllocationBlock;
import io.github.calicoj.core.ipam.BlockJson;
import io.github.calicoj.core.ipam.IpOwner;
import io.github.calicoj.core.ipam.Ipam;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.etcd.EtcdClientKind;
import io.github.calicoj.datastore.etcd.EtcdTestClients;
import io.github.calicoj.testkit.EtcdExtension;
import io.github.calicoj.testkit.IpOracle;
import io.github.calicoj.testkit.TcpProxy;
import io.github.calicoj.testkit.TestNamespace;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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

  private final List<TestNamespace> namespaces = new ArrayList<>();
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
    namespaces.forEach(TestNamespace::close);
  }

  /** One container of a test: a namespace of its own, an id, an interface name. */
  private final class Sandbox {
    final TestNamespace ns = TestNamespace.create();
    final String id = containerId();
    final String ifname;

    Sandbox(String ifname) {
      this.ifname = ifname;
      namespaces.add(ns);
    }

    Sandbox() {
      this("eth0");
    }

    Invocation call(String command, String args, String config) {
      return CniTestbed.invoke(command, id, ns.path().toString(), ifname, args, config);
    }

    /** ADD, which must succeed; returns the result as written. */
    String add(String config) {
      return call("ADD", "", config).ok();
    }

    Invocation check(String config, String result) {
      return call("CHECK", "", withPrevResult(config, result));
    }

    /** DEL after a successful ADD (with its result), which must succeed and print nothing. */
    void del(String config, String result) {
      assertThat(call("DEL", "", withPrevResult(config, result)).ok()).isEmpty();
    }
  }

  private String conf(String version, String extra) {
    return config(version, network, ETCD.endpoints(), hostNs.path(), NODE, extra);
  }

  private String conf(String extra) {
    return conf("1.0.0", extra);
  }

  /** The configuration with {@code members} (comma-led JSON) added to its {@code ipam} object. */
  private String withIpam(String members) {
    return conf("")
        .replace(
            "\"ipam\":{\"type\":\"calico-ipam\"}",
            "\"ipam\":{\"type\":\"calico-ipam\"" + members + "}");
  }

  private static String hostEnd(String result) {
    return json(result).path("interfaces").path(0).path("name").asText();
  }

  @Test
  void addReportsTheInterfacesAddressAndRoutesItMade() {
    Sandbox c = new Sandbox();
    String cfg = conf(",\"dns\":{\"nameservers\":[\"10.126.0.53\"],\"search\":[\"cjt.test\"]}");
    String out = c.add(cfg);
    JsonNode r = json(out);

    // The result, in 1.0.0's shape.
    assertThat(r.path("cniVersion").asText()).isEqualTo("1.0.0");
    JsonNode host = r.path("interfaces").path(0);
    JsonNode sandbox = r.path("interfaces").path(1);
    String cali = host.path("name").asText();
    assertThat(cali).startsWith("cali").hasSize(15);
    assertThat(host.path("mac").asText()).isEqualTo("ee:ee:ee:ee:ee:ee");
    assertThat(host.has("sandbox")).isFalse();
    assertThat(sandbox.path("name").asText()).isEqualTo("eth0");
    assertThat(sandbox.path("sandbox").asText()).isEqualTo(c.ns.path().toString());
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
    JsonNode eth0 = IpOracle.link(c.ns.name(), "eth0").orElseThrow();
    assertThat(eth0.path("address").asText()).isEqualTo(sandbox.path("mac").asText());
    assertThat(IpOracle.addresses(c.ns.name(), "eth0")).contains(addr.getHostAddress() + "/32");
    assertThat(IpOracle.routes(c.ns.name(), true))
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
    List<String> keys = endpointKeys(ETCD.cluster(), NODE, c.id);
    assertThat(keys).hasSize(1);
    assertThat(keys.get(0))
        .startsWith("/calico/v1/host/" + NODE + "/workload/cni/" + c.id + "/endpoint/");
    assertThat(ETCD.cluster().value(keys.get(0)))
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
    assertThat(ETCD.cluster().value(CalicoKeys.handle(network + "." + c.id).path()))
        .contains("\"id\": \"" + network + "." + c.id + "\"");
    assertThat(allocated(ETCD.cluster(), addr)).isTrue();

    // CHECK agrees; DEL removes everything; a second DEL is fine.
    c.check(cfg, out).ok();
    c.del(cfg, out);
    assertNothingLeft(ETCD.cluster(), NODE, network, c.id, addr, hostNs, cali);
    assertThat(IpOracle.link(c.ns.name(), "eth0")).isEmpty();
    c.del(cfg, out);
  }

  @Test
  void version040ResultsNameTheIpVersion() {
    Sandbox c = new Sandbox("eth1");
    String cfg = conf("0.4.0", "");
    String out = c.add(cfg);
    JsonNode r = json(out);
    assertThat(r.path("cniVersion").asText()).isEqualTo("0.4.0");
    assertThat(r.path("ips").path(0).path("version").asText()).isEqualTo("4");
    assertThat(r.path("interfaces").path(1).path("name").asText()).isEqualTo("eth1");
    c.check(cfg, out).ok();
    c.del(cfg, out);
    assertThat(endpointKeys(ETCD.cluster(), NODE, c.id)).isEmpty();
  }

  @Test
  void checkReportsWhatDiffersFromThePreviousResult() {
    Sandbox c = new Sandbox();
    String cfg = conf("");
    String out = c.add(cfg);
    InetAddress addr = resultAddress(json(out));
    String cali = hostEnd(out);

    c.ns.ip("addr", "del", addr.getHostAddress() + "/32", "dev", "eth0");
    JsonNode e = c.check(cfg, out).error(104);
    assertThat(e.path("msg").asText())
        .startsWith("CHECK of container " + c.id + " found ")
        .contains("eth0 lacks address " + addr.getHostAddress());

    // A result whose address is not the endpoint's: the datastore check names both.
    String other = out.replace(addr.getHostAddress() + "/32", "10.126.255.254/32");
    c.ns.ip("addr", "add", "10.126.255.254/32", "dev", "eth0");
    e = c.check(cfg, other).error(104);
    assertThat(e.path("msg").asText())
        .contains(
            "the endpoint has addresses [" + addr.getHostAddress() + "], not [10.126.255.254]")
        .contains("IPAM does not hold 10.126.255.254");

    // The host end gone (and the container's end with it).
    hostNs.ip("link", "del", cali);
    e = c.check(cfg, out).error(104);
    assertThat(e.path("msg").asText())
        .contains("interface eth0 does not exist in " + c.ns.path())
        .contains("host interface " + cali + " does not exist");

    c.del(cfg, out);
    assertNothingLeft(ETCD.cluster(), NODE, network, c.id, addr, hostNs, cali);
  }

  @Test
  void requestedAddressesAreAssignedOrRefused() {
    Sandbox c1 = new Sandbox();
    Sandbox c2 = new Sandbox();
    Sandbox c3 = new Sandbox();
    String cfg = conf("");
    String out1 = c1.call("ADD", "IgnoreUnknown=1;IP=10.126.9.9", cfg).ok();
    assertThat(resultAddress(json(out1))).isEqualTo(InetAddresses.forString("10.126.9.9"));
    assertThat(IpOracle.addresses(c1.ns.name(), "eth0")).contains("10.126.9.9/32");

    String cfgIps = conf(",\"runtimeConfig\":{\"ips\":[\"10.126.9.10/16\"]}");
    String out2 = c2.add(cfgIps);
    assertThat(resultAddress(json(out2))).isEqualTo(InetAddresses.forString("10.126.9.10"));

    // Taken, and outside every pool: errors that name the address; nothing is left.
    String prefix = "ADD of container " + c3.id.substring(0, 12) + " failed: ";
    assertThat(c3.call("ADD", "IP=10.126.9.9", cfg).error(101).path("msg").asText())
        .isEqualTo(prefix + "IP address is already assigned in pool " + POOL + ".");
    assertThat(c3.call("ADD", "IP=10.127.0.1", cfg).error(101).path("msg").asText())
        .isEqualTo(prefix + "10.127.0.1 is not in any configured pools");
    assertThat(endpointKeys(ETCD.cluster(), NODE, c3.id)).isEmpty();
    assertThat(IpOracle.link(c3.ns.name(), "eth0")).isEmpty();
    assertThat(IpOracle.linkNames(hostNs.name(), "cali"))
        .containsExactlyInAnyOrder(hostEnd(out1), hostEnd(out2));

    c1.del(cfg, out1);
    c2.del(cfgIps, out2);
    c3.call("DEL", "", cfg).ok();
    assertThat(allocated(ETCD.cluster(), InetAddresses.forString("10.126.9.9"))).isFalse();
    assertThat(allocated(ETCD.cluster(), InetAddresses.forString("10.126.9.10"))).isFalse();
  }

  @Test
  void delSucceedsForWhatIsNotThere() {
    String cfg = conf("");
    // Never added: with a namespace, without one, without an interface name.
    new Sandbox().call("DEL", "", cfg).ok();
    CniTestbed.invoke("DEL", containerId(), "", "", "", cfg).ok();

    // What a killed ADD can leave: a cali pair into the container, and an address held by the
    // container's handle without an endpoint. DEL removes both.
    Sandbox killed = new Sandbox();
    hostNs.ip(
        "link",
        "add",
        "calicjt0killed",
        "type",
        "veth",
        "peer",
        "name",
        "eth0",
        "netns",
        killed.ns.name());
    InetAddress held = InetAddresses.forString("10.126.77.7");
    // The plugin's own client: calico-cni does not carry jetcd.
    try (Datastore store = EtcdTestClients.connect(EtcdClientKind.GATEWAY, ETCD.endpoints())) {
      Ipam.on(store).assign(held, NODE, IpOwner.of(network + "." + killed.id, Map.of()));
    }
    assertThat(allocated(ETCD.cluster(), held)).isTrue();
    killed.call("DEL", "", cfg).ok();
    assertThat(IpOracle.link(hostNs.name(), "calicjt0killed")).isEmpty();
    assertThat(IpOracle.link(killed.ns.name(), "eth0")).isEmpty();
    assertThat(allocated(ETCD.cluster(), held)).isFalse();
    assertThat(ETCD.cluster().keys(CalicoKeys.handle(network + "." + killed.id).path())).isEmpty();

    // Added, then its namespace deleted (the veth went with it): DEL clears the data.
    Sandbox gone = new Sandbox();
    String out = gone.add(cfg);
    InetAddress addr = resultAddress(json(out));
    gone.ns.close();
    assertThat(Files.exists(gone.ns.path())).isFalse();
    gone.del(cfg, out);
    assertNothingLeft(ETCD.cluster(), NODE, network, gone.id, addr, hostNs, hostEnd(out));
  }

  @Test
  void aSecondAddOfOneContainerIsRefusedAndChangesNothing() {
    Sandbox c = new Sandbox();
    String cfg = conf("");
    String out = c.add(cfg);
    InetAddress addr = resultAddress(json(out));
    // The same container again through another interface, and on another network.
    JsonNode e = CniTestbed.invoke("ADD", c.id, c.ns.path().toString(), "eth1", "", cfg).error(103);
    assertThat(e.path("msg").asText())
        .isEqualTo(
            "Container "
                + c.id
                + " already has a Calico endpoint on this host ("
                + hostEnd(out)
                + ", ["
                + addr.getHostAddress()
                + "/32]): a container can be on one Calico network, through one interface");
    String otherNetwork =
        config("1.0.0", network + "-b", ETCD.endpoints(), hostNs.path(), NODE, "");
    CniTestbed.invoke("ADD", c.id, c.ns.path().toString(), "eth2", "", otherNetwork).error(103);
    assertThat(IpOracle.link(c.ns.name(), "eth1")).isEmpty();
    assertThat(IpOracle.link(c.ns.name(), "eth2")).isEmpty();
    c.check(cfg, out).ok();
    c.del(cfg, out);
  }

  @Test
  void withEtcdUnreachableAddFailsAndLeavesNothingAndDelFollows() {
    Sandbox c = new Sandbox();
    int port = URI.create(ETCD.endpoints().split(",")[0]).getPort();
    try (TcpProxy proxy = TcpProxy.to(port)) {
      String cfg =
          config("1.0.0", network, "http://127.0.0.1:" + proxy.port(), hostNs.path(), NODE, "")
              .replace("\"etcd_timeout\":5", "\"etcd_timeout\":2");
      List<String> caliBefore = IpOracle.linkNames(hostNs.name(), "cali");
      proxy.cut();
      JsonNode e = c.call("ADD", "", cfg).error(11);
      assertThat(e.path("msg").asText())
          .startsWith("ADD of container " + c.id.substring(0, 12) + " failed: ")
          .contains("etcd http://127.0.0.1:" + proxy.port());
      assertThat(e.path("cniVersion").asText()).isEqualTo("1.0.0");
      assertThat(IpOracle.link(c.ns.name(), "eth0")).isEmpty();
      assertThat(IpOracle.linkNames(hostNs.name(), "cali")).isEqualTo(caliBefore);
      assertThat(endpointKeys(ETCD.cluster(), NODE, c.id)).isEmpty();
      assertThat(ETCD.cluster().keys(CalicoKeys.handle(network + "." + c.id).path())).isEmpty();

      // The DEL a runtime sends after a failed ADD (no prevResult) succeeds with etcd still away;
      // one that follows a successful ADD (prevResult) must not, and says to try again.
      c.call("DEL", "", cfg).ok();
      String prev = "{\"cniVersion\":\"1.0.0\",\"interfaces\":[],\"ips\":[],\"dns\":{}}";
      assertThat(c.call("DEL", "", withPrevResult(cfg, prev)).error(11).path("msg").asText())
          .contains("etcd did not answer");

      // Once etcd is back, the same ADD works.
      proxy.restore();
      String out = c.add(cfg);
      c.del(cfg, out);
      assertThat(endpointKeys(ETCD.cluster(), NODE, c.id)).isEmpty();
    }
  }

  @Test
  void configuredPoolsAreUsedAndNamedWhenWrong() {
    CniTestbed.addPool(ETCD.cluster(), "10.129.0.0/16");
    Sandbox c = new Sandbox();
    String cfg = withIpam(",\"ipv4_pools\":[\"10.129.0.0/16\"]");
    String out = c.add(cfg);
    assertThat(Cidr.parse("10.129.0.0/16").contains(resultAddress(json(out)))).isTrue();
    c.del(cfg, out);

    String unknown = cfg.replace("10.129.0.0/16", "10.130.0.0/16");
    assertThat(c.call("ADD", "", unknown).error(7).path("msg").asText())
        .isEqualTo("ipam.ipv4_pools names 10.130.0.0/16, which is not a Calico pool");
    assertThat(IpOracle.link(c.ns.name(), "eth0")).isEmpty();
    ETCD.cluster().etcdctl("del", CalicoKeys.pool(Cidr.parse("10.129.0.0/16")).path());
  }

  @Test
  void anIpv6OnlyNetwork() {
    ETCD.cluster()
        .etcdctl(
            "put",
            CalicoKeys.pool(Cidr.parse("fd00:126::/64")).path(),
            "{\"cidr\": \"fd00:126::/64\"}");
    Sandbox c = new Sandbox();
    String cfg = withIpam(",\"assign_ipv4\":\"false\",\"assign_ipv6\":\"true\"");
    String out = c.add(cfg);
    JsonNode r = json(out);
    InetAddress addr = resultAddress(r);
    assertThat(Cidr.parse("fd00:126::/64").contains(addr)).isTrue();
    assertThat(r.path("ips").path(0).path("gateway").asText())
        .isEqualTo("fe80::ecee:eeff:feee:eeee");
    assertThat(r.path("routes").toString())
        .isEqualTo("[{\"dst\":\"::/0\",\"gw\":\"fe80::ecee:eeff:feee:eeee\"}]");
    assertThat(IpOracle.addresses(c.ns.name(), "eth0"))
        .contains(InetAddresses.toAddrString(addr) + "/128");
    c.check(cfg, out).ok();
    c.ns.ip("-6", "route", "del", "default");
    assertThat(c.check(cfg, out).error(104).path("msg").asText())
        .contains("the container has no route to ::/0 via fe80::ecee:eeff:feee:eeee");
    c.del(cfg, out);
    assertThat(allocated(ETCD.cluster(), addr)).isFalse();
    ETCD.cluster().etcdctl("del", CalicoKeys.pool(Cidr.parse("fd00:126::/64")).path());
  }

  @Test
  void aDualStackNetworkGivesBothFamiliesAndDelReleasesBoth() {
    Cidr v6Pool = Cidr.parse("fd00:127::/64");
    ETCD.cluster().etcdctl("put", CalicoKeys.pool(v6Pool).path(), "{\"cidr\": \"" + v6Pool + "\"}");
    try {
      Sandbox c = new Sandbox();
      String cfg = withIpam(",\"assign_ipv6\":true,\"ipv6_pools\":[\"" + v6Pool + "\"]");
      String out = c.add(cfg);
      JsonNode r = json(out);
      String cali = hostEnd(out);

      // The result: both addresses on the container's interface, each family's default route.
      assertThat(r.path("ips")).hasSize(2);
      InetAddress v4 = resultAddress(r);
      String v6Cidr = r.path("ips").path(1).path("address").asText();
      InetAddress v6 = InetAddresses.forString(v6Cidr.substring(0, v6Cidr.indexOf('/')));
      assertThat(Cidr.parse(POOL).contains(v4)).isTrue();
      assertThat(v6Pool.contains(v6)).isTrue();
      assertThat(v6Cidr).endsWith("/128");
      assertThat(r.path("ips").path(1).path("interface").asInt()).isEqualTo(1);
      assertThat(r.path("ips").path(1).path("gateway").asText())
          .isEqualTo("fe80::ecee:eeff:feee:eeee");
      assertThat(r.path("routes").toString())
          .isEqualTo(
              "[{\"dst\":\"0.0.0.0/0\",\"gw\":\"169.254.1.1\"},"
                  + "{\"dst\":\"::/0\",\"gw\":\"fe80::ecee:eeff:feee:eeee\"}]");

      // The container and the host side, per ip -j.
      assertThat(IpOracle.addresses(c.ns.name(), "eth0"))
          .contains(v4.getHostAddress() + "/32", InetAddresses.toAddrString(v6) + "/128");
      assertThat(IpOracle.routes(c.ns.name(), false))
          .anyMatch(
              rt ->
                  rt.path("dst").asText().equals("default")
                      && rt.path("gateway").asText().equals("fe80::ecee:eeff:feee:eeee"));
      assertThat(IpOracle.routes(hostNs.name(), false))
          .anyMatch(
              rt ->
                  rt.path("dst").asText().equals(InetAddresses.toAddrString(v6))
                      && rt.path("dev").asText().equals(cali));

      // etcd: one endpoint with both nets, both addresses held by the container's handle.
      List<String> keys = endpointKeys(ETCD.cluster(), NODE, c.id);
      assertThat(keys).hasSize(1);
      assertThat(ETCD.cluster().value(keys.get(0)))
          .contains("\"ipv4_nets\": [\"" + v4.getHostAddress() + "/32\"]")
          .contains("\"ipv6_nets\": [\"" + InetAddresses.toAddrString(v6) + "/128\"]");
      assertThat(allocated(ETCD.cluster(), v4)).isTrue();
      assertThat(allocated(ETCD.cluster(), v6)).isTrue();
      for (InetAddress ip : List.of(v4, v6)) {
        String block = ETCD.cluster().value(CalicoKeys.block(AllocationBlock.blockFor(ip)).path());
        assertThat(BlockJson.read(block).attributesOf(ip).orElseThrow().handleId())
            .as("the handle of %s", ip)
            .isEqualTo(network + "." + c.id);
      }

      c.check(cfg, out).ok();
      c.del(cfg, out);
      assertNothingLeft(ETCD.cluster(), NODE, network, c.id, v4, hostNs, cali);
      assertThat(allocated(ETCD.cluster(), v6)).isFalse();
      assertThat(IpOracle.routes(hostNs.name(), false))
          .noneMatch(rt -> rt.path("dst").asText().equals(InetAddresses.toAddrString(v6)));

      // One requested address of each family.
      Sandbox d = new Sandbox();
      String both = conf(",\"runtimeConfig\":{\"ips\":[\"10.126.77.7/32\",\"fd00:127::77/128\"]}");
      String outD = d.add(both);
      assertThat(IpOracle.addresses(d.ns.name(), "eth0"))
          .contains("10.126.77.7/32", "fd00:127::77/128");
      d.del(both, outD);
      assertThat(allocated(ETCD.cluster(), InetAddresses.forString("fd00:127::77"))).isFalse();
    } finally {
      ETCD.cluster().etcdctl("del", CalicoKeys.pool(v6Pool).path());
    }
  }

  @Test
  void aSecondFamilyThatFailsUndoesTheFirst() {
    Sandbox c = new Sandbox();
    String cfg = withIpam(",\"assign_ipv6\":true,\"ipv6_pools\":[\"fd00:128::/64\"]");
    List<String> caliBefore = IpOracle.linkNames(hostNs.name(), "cali");
    JsonNode e = c.call("ADD", "", cfg).error(7);
    assertThat(e.path("msg").asText())
        .isEqualTo("ipam.ipv6_pools names fd00:128::/64, which is not a Calico pool");
    // The IPv4 half was made, then undone: no endpoint, marker, handle, link or route.
    assertThat(endpointKeys(ETCD.cluster(), NODE, c.id)).isEmpty();
    assertThat(ETCD.cluster().keys(CalicoKeys.workloadMarker(NODE, "cni", c.id).path())).isEmpty();
    assertThat(ETCD.cluster().keys(CalicoKeys.handle(network + "." + c.id).path())).isEmpty();
    assertThat(IpOracle.link(c.ns.name(), "eth0")).isEmpty();
    assertThat(IpOracle.linkNames(hostNs.name(), "cali")).isEqualTo(caliBefore);
    c.call("DEL", "", cfg).ok();
  }

  @Test
  void mtuIsSetOnBothEnds() {
    Sandbox c = new Sandbox();
    String cfg = conf(",\"mtu\":1400");
    String out = c.add(cfg);
    assertThat(IpOracle.link(c.ns.name(), "eth0").orElseThrow().path("mtu").asInt())
        .isEqualTo(1400);
    assertThat(IpOracle.link(hostNs.name(), hostEnd(out)).orElseThrow().path("mtu").asInt())
        .isEqualTo(1400);
    c.del(cfg, out);
  }

  @Test
  void logsAreAppendedToTheLogFile() throws Exception {
    Path dir = Files.createTempDirectory("cjt-cni-log-");
    try {
      Path log = dir.resolve("sub/cni.log");
      Sandbox c = new Sandbox();
      String cfg = conf(",\"log_level\":\"info\",\"log_file_path\":\"" + log + "\"");
      Invocation add = c.call("ADD", "", cfg);
      c.del(cfg, add.ok());
      String text = Files.readString(log);
      assertThat(text).contains("[INFO] AddCommand - ADD " + c.id + ": endpoint ");
      assertThat(text).contains("[INFO] DelCommand - DEL " + c.id + ": removed 1 endpoint(s)");
      // stderr gets the same lines; stdout only the result.
      assertThat(add.stderr()).contains("ADD " + c.id + ": endpoint ");
      assertThat(add.stdout()).doesNotContain("INFO");
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void environmentErrorsComeAsTheErrorObjectOnStdout() {
    Invocation i =
        CniTestbed.exec(
            CniTestbed.PLUGIN, Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "x1"), conf(""));
    assertThat(i.error(4).toString())
        .isEqualTo("{\"cniVersion\":\"1.0.0\",\"code\":4,\"msg\":\"CNI_NETNS is not set\"}");
    Invocation v = CniTestbed.exec(CniTestbed.PLUGIN, Map.of("CNI_COMMAND", "VERSION"), "");
    assertThat(v.ok())
        .isEqualTo(
            "{\"cniVersion\":\"1.0.0\",\"supportedVersions\":[\"0.3.0\",\"0.3.1\",\"0.4.0\","
                + "\"1.0.0\"]}\n");
    Sandbox c = new Sandbox();
    JsonNode unknown =
        CniTestbed.invoke("ADD", c.id, c.ns.path() + "-missing", "eth0", "", conf("")).error(3);
    assertThat(unknown.path("msg").asText())
        .isEqualTo("CNI_NETNS " + c.ns.path() + "-missing does not exist");
  }
}
