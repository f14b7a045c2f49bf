package io.github.calicoj.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.testkit.EtcdExtension;
import io.github.calicoj.testkit.IpOracle;
import io.github.calicoj.testkit.Requirements;
import io.github.calicoj.testkit.TestNamespace;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every calicoctl command besides the container add/remove path (which {@code CalicoctlIT} runs
 * through real processes): pools, profiles, tags, rules, {@code ip add|remove}, profile membership,
 * the tables, IPAM. Each runs in this JVM through {@link Calicoctl#run} against a real etcd member,
 * exactly as {@code main} runs it; its output and exit code are compared with what the reference
 * calicoctl (Python) prints and returns, and what it stored is read back from etcd with etcdctl and
 * from the kernel with {@code ip -j}.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CalicoctlCommandsIT {
  private static final String HOST = "cjt-cmd-host";
  private static final String NEXT_HOP = "172.31.252.1";

  @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.single();

  private final List<TestNamespace> namespaces = new ArrayList<>();
  private TestNamespace hostNs;

  /** A finished command: its exit code and its stdout and stderr together, trimmed. */
  record Run(int exit, String out) {}

  @BeforeEach
  void setUp() {
    Requirements.requireRoot();
    hostNs = TestNamespace.createHost(NEXT_HOP);
    namespaces.add(hostNs);
    ETCD.cluster().etcdctl("del", "--prefix", "/calico");
    ETCD.cluster().etcdctl("del", "--prefix", "/calicoj");
    ok(
        "Calico node configured for host " + HOST + " (IPv4 " + NEXT_HOP + ", IPv6 none)",
        "node",
        "--ip=" + NEXT_HOP);
  }

  @AfterEach
  void tearDown() {
    namespaces.forEach(TestNamespace::close);
  }

  private Run run(String stdin, String... args) {
    ByteArrayOutputStream both = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(both, true, StandardCharsets.UTF_8);
    int exit =
        Calicoctl.run(
            args,
            ps,
            ps,
            new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
            Map.of(
                "ETCD_ENDPOINTS", ETCD.endpoints(),
                "HOSTNAME", HOST,
                "CALICO_HOST_NETNS", hostNs.path().toString()));
    return new Run(exit, both.toString(StandardCharsets.UTF_8).trim());
  }

  /** Runs {@code args}; expects exit 0 and exactly {@code out}. */
  private void ok(String out, String... args) {
    expect(0, out, args);
  }

  private void expect(int exit, String out, String... args) {
    Run r = run("", args);
    assertThat(r.out()).as("calicoctl %s", String.join(" ", args)).isEqualTo(out);
    assertThat(r.exit()).as("exit of calicoctl %s", String.join(" ", args)).isEqualTo(exit);
  }

  private String etcd(String key) {
    return ETCD.cluster().value(key);
  }

  private List<String> keys(String prefix) {
    return ETCD.cluster().keys(prefix);
  }

  @Test
  void pools() {
    ok("", "pool", "add", "10.50.0.0/16", "--ipip", "--nat-outgoing");
    assertThat(etcd("/calico/v1/ipam/v4/pool/10.50.0.0-16"))
        .isEqualTo("{\"cidr\": \"10.50.0.0/16\", \"ipip\": \"tunl0\", \"masquerade\": true}");
    assertThat(etcd("/calico/v1/config/IpInIpEnabled")).isEqualTo("true");
    ok("", "pool", "add", "fd00:50::/64");
    assertThat(etcd("/calico/v1/ipam/v6/pool/fd00:50::-64"))
        .isEqualTo("{\"cidr\": \"fd00:50::/64\"}");

    expect(
        1,
        "An IPv4 pool must have a prefix length of 26 or lower.\nGiven: 10.0.0.0/27.\nNo pools added.",
        "pool",
        "add",
        "10.0.0.0/27");
    expect(1, "Invalid CIDR specified bogus", "pool", "add", "bogus");
    expect(1, "IP in IP not supported for IPv6 pools", "pool", "add", "fd00:51::/64", "--ipip");
    expect(
        1,
        "Cannot add IP pool 10.50.1.0/24 - pool overlaps with an existing pool 10.50.0.0/16",
        "pool",
        "add",
        "10.50.1.0/24");

    String v4 =
        "+--------------+-------------------+\n"
            + "| IPv4 CIDR    | Options           |\n"
            + "+--------------+-------------------+\n"
            + "| 10.50.0.0/16 | ipip,nat-outgoing |\n"
            + "+--------------+-------------------+";
    String v6 =
        "+--------------+---------+\n"
            + "| IPv6 CIDR    | Options |\n"
            + "+--------------+---------+\n"
            + "| fd00:50::/64 |         |\n"
            + "+--------------+---------+";
    ok(v4 + "\n" + v6, "pool", "show");
    ok(v4, "pool", "show", "--ipv4");
    ok(v6, "pool", "show", "--ipv6");

    ok("", "pool", "range", "add", "10.60.0.0", "10.60.1.255");
    assertThat(keys("/calico/v1/ipam/v4/pool/10.60."))
        .containsExactly("/calico/v1/ipam/v4/pool/10.60.0.0-23");
    expect(
        1,
        "Cannot add range - range conflicts with pool 10.60.0.0/23",
        "pool",
        "range",
        "add",
        "10.60.1.0",
        "10.60.3.0");
    expect(1, "Invalid START_IP specified.", "pool", "range", "add", "x", "10.0.0.1");
    expect(1, "Invalid END_IP specified.", "pool", "range", "add", "10.70.0.0", "y");
    expect(
        1,
        "START_IP must be a smaller ip address than END_IP",
        "pool",
        "range",
        "add",
        "10.70.0.9",
        "10.70.0.1");
    expect(
        1,
        "START_IP and END_IP must be the same ip version",
        "pool",
        "range",
        "add",
        "10.70.0.0",
        "fd00::1");
    assertThat(keys("/calico/v1/ipam/v4/pool/10.70.")).isEmpty();

    ok("", "pool", "remove", "10.60.0.0/23");
    assertThat(keys("/calico/v1/ipam/v4/pool/10.60.")).isEmpty();
    expect(1, "10.99.0.0/16 is not a configured pool.", "pool", "remove", "10.99.0.0/16");
  }

  @Test
  void profilesTagsAndRules() {
    ok("Created profile P1", "profile", "add", "P1");
    ok("Profile P1 already exists.", "profile", "add", "P1");
    expect(
        1,
        "Profile names must be < 40 character long and can only contain numbers, letters, dots,"
            + " dashes and underscores.",
        "profile",
        "add",
        "bad!name");
    ok("Created profile P2", "profile", "add", "P2");
    ok("+------+\n| Name |\n+------+\n| P1   |\n| P2   |\n+------+", "profile", "show");

    // Tags: the whole list is written; a bad tag is refused (the reference wrote it).
    ok("P1", "profile", "P1", "tag", "show");
    ok("Tag T2 added to profile P1", "profile", "P1", "tag", "add", "T2");
    assertThat(etcd("/calico/v1/policy/profile/P1/tags")).isEqualTo("[\"P1\", \"T2\"]");
    ok("P1\nT2", "profile", "P1", "tag", "show");
    expect(
        1,
        "Tags names can only contain numbers, letters, dots, dashes and underscores.",
        "profile",
        "P1",
        "tag",
        "add",
        "bad!tag");
    expect(1, "Tag NOPE is not on profile P1", "profile", "P1", "tag", "remove", "NOPE");
    ok("Tag T2 removed from profile P1", "profile", "P1", "tag", "remove", "T2");
    assertThat(etcd("/calico/v1/policy/profile/P1/tags")).isEqualTo("[\"P1\"]");
    expect(1, "Profile NOPE not found.", "profile", "NOPE", "tag", "show");
    expect(1, "Profile NOPE not found.", "profile", "NOPE", "rule", "show");

    // Rules: add (with ports and a range, tag, CIDR; ICMP type and code), duplicates, positions.
    String[] tcp = {
      "allow", "tcp", "from", "ports", "80,8080-8090", "tag", "T2", "to", "cidr", "10.0.0.0/8"
    };
    ok("", concat(new String[] {"profile", "P1", "rule", "add", "inbound"}, tcp));
    ok(
        "Rule already present, skipping.",
        concat(new String[] {"profile", "P1", "rule", "add", "inbound"}, tcp));
    String[] icmp = {"deny", "icmp", "type", "8", "code", "0", "to", "cidr", "10.1.0.0/16"};
    ok("", concat(new String[] {"profile", "P1", "rule", "add", "outbound", "--at=1"}, icmp));
    String rules =
        "{\"id\": \"P1\", \"inbound_rules\": [{\"action\": \"allow\", \"src_tag\": \"P1\"},"
            + " {\"action\": \"allow\", \"protocol\": \"tcp\", \"src_tag\": \"T2\", \"src_ports\":"
            + " [80, \"8080:8090\"], \"dst_net\": \"10.0.0.0/8\"}], \"outbound_rules\":"
            + " [{\"action\": \"deny\", \"protocol\": \"icmp\", \"dst_net\": \"10.1.0.0/16\","
            + " \"icmp_type\": 8, \"icmp_code\": 0}, {\"action\": \"allow\"}]}";
    assertThat(etcd("/calico/v1/policy/profile/P1/rules")).isEqualTo(rules);
    ok(rules, "profile", "P1", "rule", "json");
    ok(
        "Inbound rules:\n"
            + "   1 allow from tag P1\n"
            + "   2 allow tcp from ports 80,8080:8090 tag T2 to cidr 10.0.0.0/8\n"
            + "Outbound rules:\n"
            + "   1 deny icmp type 8 code 0 to cidr 10.1.0.0/16\n"
            + "   2 allow",
        "profile",
        "P1",
        "rule",
        "show");

    // Refused rules change nothing. An out-of-range --at is refused (the reference printed the
    // message and inserted anyway).
    expect(
        1,
        "Position 9 is out-of-range.",
        "profile",
        "P1",
        "rule",
        "add",
        "inbound",
        "--at=9",
        "deny");
    expect(
        1, "Invalid --at position: x", "profile", "P1", "rule", "add", "inbound", "--at=x", "deny");
    expect(
        1,
        "Ports are not valid with protocol 'icmp'",
        "profile",
        "P1",
        "rule",
        "add",
        "inbound",
        "allow",
        "icmp",
        "from",
        "ports",
        "80");
    expect(
        1,
        "Invalid ICMP type or ICMP code specified.",
        "profile",
        "P1",
        "rule",
        "add",
        "inbound",
        "allow",
        "icmp",
        "type",
        "300");
    expect(
        1,
        "Port range minimum (9) > maximum (1).",
        "profile",
        "P1",
        "rule",
        "add",
        "inbound",
        "allow",
        "udp",
        "from",
        "ports",
        "9-1");
    expect(
        1,
        "Invalid CIDR specified.",
        "profile",
        "P1",
        "rule",
        "add",
        "inbound",
        "allow",
        "from",
        "cidr",
        "nonsense");
    assertThat(etcd("/calico/v1/policy/profile/P1/rules")).isEqualTo(rules);

    // Remove by position and by rule.
    for (String at : List.of("--at=7", "--at=0", "--at=-1")) {
      expect(1, "Rule position out-of-range.", "profile", "P1", "rule", "remove", "inbound", at);
    }
    ok("", concat(new String[] {"profile", "P1", "rule", "remove", "outbound"}, icmp));
    expect(
        1,
        "Rule not found.",
        concat(new String[] {"profile", "P1", "rule", "remove", "outbound"}, icmp));
    ok("", "profile", "P1", "rule", "remove", "inbound", "--at=2");
    assertThat(etcd("/calico/v1/policy/profile/P1/rules"))
        .isEqualTo(
            "{\"id\": \"P1\", \"inbound_rules\": [{\"action\": \"allow\", \"src_tag\": \"P1\"}],"
                + " \"outbound_rules\": [{\"action\": \"allow\"}]}");

    // Update from stdin: the id must match; malformed JSON changes nothing.
    String update =
        "{\"id\": \"P2\", \"inbound_rules\": [{\"action\": \"deny\", \"src_net\": \"10.9.0.0/16\"}],"
            + " \"outbound_rules\": []}";
    Run r = run(update, "profile", "P2", "rule", "update");
    assertThat(r).isEqualTo(new Run(0, "Successfully updated rules on profile P2"));
    assertThat(etcd("/calico/v1/policy/profile/P2/rules")).isEqualTo(update);
    r =
        run(
            "{\"id\": \"OTHER\", \"inbound_rules\": [], \"outbound_rules\": []}",
            "profile",
            "P2",
            "rule",
            "update");
    assertThat(r).isEqualTo(new Run(1, "Rules JSON \"id\"=OTHER doesn't match profile name P2."));
    assertThat(run("not json", "profile", "P2", "rule", "update").exit()).isEqualTo(1);
    assertThat(etcd("/calico/v1/policy/profile/P2/rules")).isEqualTo(update);

    ok("Deleted profile P2", "profile", "remove", "P2");
    assertThat(keys("/calico/v1/policy/profile/P2/")).isEmpty();
    ok("Profile P2 not found.", "profile", "remove", "P2");
  }

  @Test
  void containerIpsProfilesTablesAndIpam() {
    TestNamespace w = TestNamespace.create();
    namespaces.add(w);
    String path = w.path().toString();
    String wid = path.replace('/', '-');
    ok("", "pool", "add", "10.50.0.0/16");
    ok("Created profile P1", "profile", "add", "P1");
    ok("Created profile P2", "profile", "add", "P2");
    ok("IP 10.50.0.7 added to " + path, "container", "add", path, "10.50.0.7");

    // ip add: the address in the container, the /32 route on the host side, both in the endpoint.
    ok("IP 10.50.0.8 added to " + path, "container", path, "ip", "add", "10.50.0.8");
    assertThat(IpOracle.addresses(w.name(), "eth1")).contains("10.50.0.7/32", "10.50.0.8/32");
    assertThat(IpOracle.routes(hostNs.name(), true))
        .extracting(rt -> rt.path("dst").asText())
        .contains("10.50.0.7", "10.50.0.8");
    List<String> epKeys = keys("/calico/v1/host/" + HOST + "/workload/namespace/" + wid + "/");
    assertThat(epKeys).hasSize(1);
    assertThat(etcd(epKeys.get(0))).contains("\"ipv4_nets\": [\"10.50.0.7/32\", \"10.50.0.8/32\"]");

    // ip add ipv4 names the address it assigned.
    Run auto = run("", "container", path, "ip", "add", "ipv4");
    assertThat(auto.exit()).as(auto.out()).isZero();
    assertThat(auto.out()).matches("IP 10\\.50\\.\\d+\\.\\d+ added to " + path);
    String assigned = auto.out().split(" ")[1];
    assertThat(assigned).isNotIn("10.50.0.7", "10.50.0.8");
    assertThat(IpOracle.addresses(w.name(), "eth1")).contains(assigned + "/32");
    assertThat(etcd(epKeys.get(0))).contains("\"" + assigned + "/32\"");
    ok("IP " + assigned + " removed from " + path, "container", path, "ip", "remove", assigned);

    // ip add that is refused allocates nothing (calicoctl#565: the reference leaked the IP).
    expect(
        1,
        "Interface provided does not exist in container. Aborting.",
        "container",
        path,
        "ip",
        "add",
        "10.50.0.9",
        "--interface=eth9");
    expect(
        1, "10.99.0.1 is not in any configured pools", "container", path, "ip", "add", "10.99.0.1");
    ok("IP 10.50.0.9 is not currently assigned", "ipam", "info", "10.50.0.9");
    expect(
        1,
        "Failed to add IP address to container.\nContainer "
            + hostNs.path()
            + " is unknown to Calico.\nUse `calicoctl container add` to add the container to the"
            + " Calico network.",
        "container",
        hostNs.path().toString(),
        "ip",
        "add",
        "10.50.0.10");
    expect(
        1,
        "IP address is not assigned to container. Aborting.",
        "container",
        path,
        "ip",
        "remove",
        "10.50.0.77");
    expect(
        1,
        "Container is unknown to Calico.",
        "container",
        hostNs.path().toString(),
        "ip",
        "remove",
        "10.50.0.8");

    // Profile membership.
    ok("No profile specified.", "container", path, "profile", "append");
    ok("No profile specified.", "container", path, "profile", "remove");
    ok("Profile(s) set to P1, P2.", "container", path, "profile", "set", "P1", "P2");
    assertThat(etcd(epKeys.get(0))).contains("\"profile_ids\": [\"P1\", \"P2\"]");
    ok("Profile(s) P2 removed.", "container", path, "profile", "remove", "P2");
    ok("Profile P2 is not in endpoint profile list.", "container", path, "profile", "remove", "P2");
    ok("Removed all profiles from endpoint.", "container", path, "profile", "set");
    assertThat(etcd(epKeys.get(0))).contains("\"profile_ids\": []");
    ok("Profile(s) P1 appended.", "container", path, "profile", "append", "P1");
    expect(
        1,
        "Failed to set profiles for endpoint.\nEndpoint could not be found.",
        "container",
        hostNs.path().toString(),
        "profile",
        "set",
        "P1");
    expect(
        1,
        "Failed to remove profiles from endpoint.\nEndpoint could not be found.",
        "container",
        hostNs.path().toString(),
        "profile",
        "remove",
        "P1");

    // The tables.
    String endpointId = epKeys.get(0).substring(epKeys.get(0).lastIndexOf('/') + 1);
    String mac = IpOracle.link(w.name(), "eth1").orElseThrow().path("address").asText();
    Table summary =
        new Table("Hostname", "Orchestrator ID", "Number of Workloads", "Number of Endpoints");
    summary.add(HOST, "namespace", 1, 1);
    ok(summary.toString(), "endpoint", "show");
    Table detailed =
        new Table(
            "Hostname",
            "Orchestrator ID",
            "Workload ID",
            "Endpoint ID",
            "Addresses",
            "MAC",
            "Profiles",
            "State");
    detailed.add(
        HOST, "namespace", wid, endpointId, "10.50.0.7/32\n10.50.0.8/32", mac, "P1", "active");
    ok(detailed.toString(), "endpoint", "show", "--detailed");
    ok(detailed.toString(), "container", path, "endpoint", "show");
    assertThat(detailed.toString())
        .contains("| 10.50.0.7/32 |")
        .contains("|              |") // the second address on a line of its own
        .contains("| 10.50.0.8/32 |");
    Table byProfile =
        new Table("Name", "Host", "Orchestrator ID", "Workload ID", "Endpoint ID", "State");
    byProfile.add("P1", HOST, "namespace", wid, endpointId, "active");
    byProfile.add("P2", "None", "None", "None", "None", "None"); // a profile without members
    ok(byProfile.toString(), "profile", "show", "--detailed");

    // A profile in use is kept unless --no-check; the endpoint then keeps the dangling id.
    expect(
        1,
        "Cannot remove profile - profile in use by endpoint(s).\nUse the '--no-check' flag to"
            + " remove the profile anyway.",
        "profile",
        "remove",
        "P1");
    ok("Deleted profile P1", "profile", "remove", "--no-check", "P1");
    assertThat(keys("/calico/v1/policy/profile/P1/")).isEmpty();
    assertThat(etcd(epKeys.get(0))).contains("\"profile_ids\": [\"P1\"]");

    // ip remove: gone from the container, the host routes and the endpoint, and released.
    Run info = run("", "ipam", "info", "10.50.0.8");
    assertThat(info.exit()).isZero();
    assertThat(info.out())
        .matches(
            Pattern.quote("IP: 10.50.0.8\nHandle: calicoj." + HOST + ".namespace." + wid)
                + "\ncreated: \\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z\n"
                + Pattern.quote("host: " + HOST + "\norchestrator: namespace\nworkload: " + wid));
    ok("IP 10.50.0.8 removed from " + path, "container", path, "ip", "remove", "10.50.0.8");
    assertThat(IpOracle.addresses(w.name(), "eth1"))
        .contains("10.50.0.7/32")
        .doesNotContain("10.50.0.8/32");
    assertThat(IpOracle.routes(hostNs.name(), true))
        .extracting(rt -> rt.path("dst").asText())
        .contains("10.50.0.7")
        .doesNotContain("10.50.0.8");
    assertThat(etcd(epKeys.get(0))).contains("\"ipv4_nets\": [\"10.50.0.7/32\"]");
    ok("IP 10.50.0.8 is not currently assigned", "ipam", "info", "10.50.0.8");

    // ipam release and info.
    expect(1, "Invalid IP address specified.", "ipam", "info", "nonsense");
    expect(1, "Failed to release address", "ipam", "release", "10.50.0.100");
    ok("", "pool", "add", "10.51.0.0/16");
    ok("IP 10.51.0.1 added to " + path, "container", path, "ip", "add", "10.51.0.1");
    ok("Address successfully released", "ipam", "release", "10.51.0.1");
    ok("IP 10.51.0.1 is not currently assigned", "ipam", "info", "10.51.0.1");
    expect(1, "Failed to release address", "ipam", "release", "10.51.0.1");

    // Removal leaves no endpoint key, marker, allocation, route or veth.
    ok("Removed Calico from " + path, "container", "remove", path);
    assertThat(keys("/calico/v1/host/" + HOST + "/workload/")).isEmpty();
    assertThat(keys("/calicoj/")).isEmpty();
    for (String block : keys("/calico/ipam/v2/assignment/ipv4/block/")) {
      assertThat(etcd(block)).as(block).contains("\"attributes\": []");
    }
    assertThat(IpOracle.linkNames(hostNs.name(), "cali")).isEmpty();
    assertThat(IpOracle.link(w.name(), "eth1")).isEmpty();
  }

  @Test
  void ipamCheckFindsRepairsAfterTheGraceReplumbsALiveWorkloadAndThenFindsNothing() {
    TestNamespace w = TestNamespace.create();
    TestNamespace leftover = TestNamespace.create();
    namespaces.add(w);
    namespaces.add(leftover);
    String path = w.path().toString();
    String wid = path.replace('/', '-');
    ok("", "pool", "add", "10.52.0.0/16");
    ok("IP 10.52.0.7 added to " + path, "container", "add", path, "10.52.0.7");
    ok("No IPAM problems found on host " + HOST + ".", "ipam", "check");
    // w's cali link deleted by hand (no endpoint change), and a cali pair that no endpoint claims,
    // as a killed add leaves it
    List<String> links = IpOracle.linkNames(hostNs.name(), "cali");
    assertThat(links).hasSize(1);
    hostNs.ip("link", "del", links.get(0));
    hostNs.ip(
        "link",
        "add",
        "cali0123456789b",
        "type",
        "veth",
        "peer",
        "name",
        "eth1",
        "netns",
        leftover.name());

    Run found = run("", "ipam", "check");
    assertThat(found.exit()).as(found.out()).isEqualTo(3);
    assertThat(found.out())
        .contains("endpoint-without-link", "link-without-endpoint", "cali0123456789b")
        .doesNotContain("Exception");
    // the default grace (15 minutes) leaves everything this young alone
    Run young = run("", "ipam", "check", "--repair");
    assertThat(young.exit()).as(young.out()).isEqualTo(3);
    assertThat(keys("/calico/v1/host/" + HOST + "/workload/namespace/" + wid + "/")).hasSize(1);
    assertThat(IpOracle.linkNames(hostNs.name(), "cali")).containsExactly("cali0123456789b");

    Run repaired = run("", "ipam", "check", "--repair", "--grace=0");
    assertThat(repaired.exit()).as(repaired.out()).isZero();
    assertThat(repaired.out()).contains("re-plumbed " + path, "deleted link cali0123456789b");
    ok("No IPAM problems found on host " + HOST + ".", "ipam", "check");
    // w, whose namespace is alive, has its interface back with its address and its endpoint the
    // new MAC; the unclaimed pair is gone
    assertThat(IpOracle.linkNames(hostNs.name(), "cali")).containsExactlyElementsOf(links);
    assertThat(IpOracle.addresses(w.name(), "eth1")).contains("10.52.0.7/32");
    String mac = IpOracle.link(w.name(), "eth1").orElseThrow().path("address").asText();
    List<String> epKeys = keys("/calico/v1/host/" + HOST + "/workload/namespace/" + wid + "/");
    assertThat(epKeys).hasSize(1);
    assertThat(etcd(epKeys.get(0))).contains("\"mac\": \"" + mac + "\"");
    assertThat(IpOracle.link(leftover.name(), "eth1")).isEmpty();
    ok("Removed Calico from " + path, "container", "remove", path);
    assertThat(keys("/calico/v1/host/" + HOST + "/workload/")).isEmpty();
    ok("IP 10.52.0.7 is not currently assigned", "ipam", "info", "10.52.0.7");
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
