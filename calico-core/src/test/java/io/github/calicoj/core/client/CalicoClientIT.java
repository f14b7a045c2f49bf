package io.github.calicoj.core.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.net.InetAddresses;
import io.github.calicoj.core.AlreadyExistsException;
import io.github.calicoj.core.CalicoException;
import io.github.calicoj.core.CalicoException.Reason;
import io.github.calicoj.core.NodeNotConfiguredException;
import io.github.calicoj.core.NotFoundException;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.ipam.IpOwner;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.core.repository.WorkloadEndpoints;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.DatastoreUnavailableException;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.Transaction;
import io.github.calicoj.datastore.TxnResult;
import io.github.calicoj.netns.InterfaceName;
import io.github.calicoj.netns.InvalidNamespaceException;
import io.github.calicoj.netns.NetnsSupport;
import io.github.calicoj.testkit.EtcdExtension;
import io.github.calicoj.testkit.IpOracle;
import io.github.calicoj.testkit.Processes;
import io.github.calicoj.testkit.Race;
import io.github.calicoj.testkit.Requirements;
import io.github.calicoj.testkit.TestNamespace;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * CalicoClient end to end on real etcd and real netlink, as root, with network-namespace workloads
 * and a test host namespace (the real host's routes are never touched).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CalicoClientIT {
  private static final String HOST = "cjt-host-a";
  private static final String NEXT_HOP = "172.31.255.1";

  @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.single();

  private Datastore store;
  private TestNamespace hostNs;
  private final List<TestNamespace> workloads = new ArrayList<>();
  private CalicoClient calico;
  private String poolPrefix;

  @BeforeEach
  void setUp() {
    Requirements.requireRoot();
    Requirements.require(NetnsSupport.isAvailable(), "netns support");
    store = ClientFixture.freshStore(ETCD);
    hostNs = ClientFixture.hostNamespace(NEXT_HOP);
    calico = CalicoClient.builder(store, HOST).hostNamespace(hostNs.path()).build();
    calico.configureNode(NodeConfig.ipv4((Inet4Address) InetAddresses.forString(NEXT_HOP)));
    poolPrefix = "10.123.";
    calico.ipPools().add(IpPool.of(Cidr.parse("10.123.0.0/16")));
  }

  @AfterEach
  void tearDown() {
    if (calico != null) {
      calico.close();
    }
    workloads.forEach(TestNamespace::close);
    if (hostNs != null) {
      hostNs.close();
    }
    if (store != null) {
      store.close();
    }
  }

  private TestNamespace workload() {
    TestNamespace w = TestNamespace.create();
    workloads.add(w);
    return w;
  }

  @Test
  void addPingAndRemoveTwoNamespaceWorkloads() throws Exception {
    TestNamespace w1 = workload();
    TestNamespace w2 = workload();
    WorkloadEndpoint ep1 = calico.addContainer(w1.path().toString(), poolPrefix + "0.1");
    WorkloadEndpoint ep2 = calico.addContainer(w2.path().toString(), "ipv4");

    // The endpoint as stored, field for field (era A).
    String json =
        ETCD.cluster()
            .etcdctl(
                "get",
                "--print-value-only",
                CalicoKeys.endpoint(
                        HOST, "namespace", w1.path().toString().replace('/', '-'), ep1.endpointId())
                    .path())
            .trim();
    assertThat(json)
        .isEqualTo(
            "{\"state\": \"active\", \"name\": \""
                + ep1.name()
                + "\", \"mac\": \""
                + ep1.mac()
                + "\", \"profile_ids\": [], \"ipv4_nets\": [\""
                + poolPrefix
                + "0.1/32\"],"
                + " \"ipv6_nets\": [], \"ipv4_gateway\": \""
                + NEXT_HOP
                + "\", \"ipv6_gateway\": null}");
    assertThat(ep1.orchestratorId()).isEqualTo("namespace");

    // Inside the workload: interface, /32, both routes, MAC.
    JsonNode eth1 = IpOracle.link(w1.name(), "eth1").orElseThrow();
    assertThat(eth1.path("address").asText()).isEqualTo(ep1.mac());
    assertThat(eth1.path("flags").toString()).contains("\"UP\"");
    assertThat(IpOracle.addresses(w1.name(), "eth1"))
        .filteredOn(a -> !a.startsWith("fe80:"))
        .containsExactly(poolPrefix + "0.1/32");
    assertThat(IpOracle.routes(w1.name(), true))
        .extracting(
            r ->
                r.path("dst").asText()
                    + " "
                    + r.path("gateway").asText("-")
                    + " "
                    + r.path("dev").asText())
        .contains(NEXT_HOP + " - eth1", "default " + NEXT_HOP + " eth1");
    // Host side: the cali link, the /32 route and proxy ARP.
    JsonNode cali = IpOracle.link(hostNs.name(), ep1.name()).orElseThrow();
    assertThat(cali.path("address").asText()).isEqualTo("ee:ee:ee:ee:ee:ee");
    assertThat(IpOracle.routes(hostNs.name(), true))
        .anySatisfy(
            r -> {
              assertThat(r.path("dst").asText()).isEqualTo(poolPrefix + "0.1");
              assertThat(r.path("dev").asText()).isEqualTo(ep1.name());
            });
    assertThat(IpOracle.sysctl(hostNs.name(), "net.ipv4.conf." + ep1.name() + ".proxy_arp"))
        .isEqualTo("1");

    // One packet between our two workloads, through the host side.
    String ip2 = ep2.ipv4Nets().get(0).address().getHostAddress();
    Processes.Result ping =
        Processes.runForResult(
            List.of("ip", "netns", "exec", w1.name(), "ping", "-c", "1", "-W", "3", ip2),
            Duration.ofSeconds(15));
    assertThat(ping.exitCode()).as(ping.output()).isZero();

    assertThat(calico.removeContainer(w1.path().toString())).hasSize(1);
    ClientFixture.assertNothingLeft(
        store, HOST, "namespace", w1.path().toString().replace('/', '-'), hostNs, w1, ep2.name());
    assertThat(ClientFixture.allocated(store))
        .doesNotContain(InetAddresses.forString(poolPrefix + "0.1"));
    calico.removeContainer(w2.path().toString());
    ClientFixture.assertNothingLeft(
        store, HOST, "namespace", w2.path().toString().replace('/', '-'), hostNs, w2);
    assertThat(ClientFixture.allocated(store)).isEmpty();
    assertThatThrownBy(() -> calico.removeContainer(w2.path().toString()))
        .isInstanceOf(NotFoundException.class)
        .hasMessage("Failed find Calico data for " + w2.path());
  }

  @Test
  void anIpv4AddOnAHostWithoutAnIpv4NextHopClaimsNoBlock() {
    String v6Host = "cjt-client-v6only";
    try (CalicoClient v6 =
        CalicoClient.builder(store, v6Host).hostNamespace(hostNs.path()).build()) {
      v6.configureNode(NodeConfig.ipv6((Inet6Address) InetAddresses.forString("fd00:123::1")));
      TestNamespace w = workload();
      assertThatThrownBy(() -> v6.addContainer(w.path().toString(), "ipv4"))
          .isInstanceOf(NodeNotConfiguredException.class)
          .hasMessage("This node is not configured for IPv4.  Is calico-node running?");
      assertThat(ETCD.cluster().keys("/calico/ipam/v2/assignment/ipv4/"))
          .as("IPv4 blocks")
          .isEmpty();
      assertThat(ETCD.cluster().keys("/calico/ipam/v2/host/" + v6Host + "/"))
          .as("affinities of the host")
          .isEmpty();
      ClientFixture.assertNothingLeft(
          store, v6Host, "namespace", w.path().toString().replace('/', '-'), hostNs, w);
    }
  }

  @Test
  void errorCasesLeaveNothingBehind() {
    TestNamespace w = workload();
    String path = w.path().toString();
    String wid = path.replace('/', '-');
    assertThatThrownBy(() -> calico.addContainer(path, "172.20.0.1"))
        .isInstanceOf(NotFoundException.class)
        .hasMessage("172.20.0.1 is not in any configured pools");
    ClientFixture.assertNothingLeft(store, HOST, "namespace", wid, hostNs, w);

    calico.addContainer(workload().path().toString(), poolPrefix + "0.9");
    assertThatThrownBy(() -> calico.addContainer(path, poolPrefix + "0.9"))
        .isInstanceOf(AlreadyExistsException.class)
        .hasMessage("IP address is already assigned in pool 10.123.0.0/16.");
    assertThat(store.list(CalicoKeys.workload(HOST, "namespace", wid)).isEmpty()).isTrue();

    calico.ipPools().add(IpPool.of(Cidr.parse("fd00:123::/64")));
    assertThatThrownBy(() -> calico.addContainer(path, "ipv6"))
        .isInstanceOf(NodeNotConfiguredException.class)
        .hasMessage("This node is not configured for IPv6.  Is calico-node running?");
    // no next hop, no claim: no IPv6 block, and no IPv6 affinity of this host
    assertThat(ETCD.cluster().keys("/calico/ipam/v2/assignment/ipv6/")).as("IPv6 blocks").isEmpty();
    assertThat(ETCD.cluster().keys("/calico/ipam/v2/host/" + HOST + "/ipv6/"))
        .as("IPv6 affinities")
        .isEmpty();
    String otherCali = calico.endpoints().get(0).name();
    ClientFixture.assertNothingLeft(store, HOST, "namespace", wid, hostNs, w, otherCali);
    assertThat(ClientFixture.allocated(store))
        .containsExactly(InetAddresses.forString(poolPrefix + "0.9"));

    assertThatThrownBy(() -> calico.addContainer(path, "ipv4", "way-too-long-name0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("way-too-long-name0");
    assertThatThrownBy(() -> calico.addContainer("/var/run/netns/cjt-missing", "ipv4"))
        .isInstanceOf(InvalidNamespaceException.class);
    assertThat(ClientFixture.allocated(store)).hasSize(1);

    WorkloadEndpoint added = calico.addContainer(path, "ipv4");
    String own = InetAddresses.toAddrString(added.nets().get(0).address());
    // As in the reference, "already configured" comes first, whatever else is wrong with the
    // request: its own IP (already assigned), an IP outside every pool, an unconfigured family.
    for (String again : List.of("ipv4", own, "172.20.0.1", "ipv6")) {
      assertThatThrownBy(() -> calico.addContainer(path, again))
          .as(again)
          .isInstanceOf(AlreadyExistsException.class)
          .hasMessage(path + " has already been configured with Calico Networking.");
    }
    assertThat(ClientFixture.allocated(store)).hasSize(2);
    assertThat(calico.endpoints()).hasSize(2);
  }

  @Test
  void everyStepFailureRollsBackEverything() {
    for (AddStep failing : AddStep.values()) {
      TestNamespace w = workload();
      RuntimeException injected = new RuntimeException("injected at " + failing);
      try (CalicoClient faulty =
          CalicoClient.builder(store, HOST)
              .hostNamespace(hostNs.path())
              .stepListener(
                  step -> {
                    if (step == failing) {
                      throw injected;
                    }
                  })
              .build()) {
        assertThatThrownBy(() -> faulty.addContainer(w.path().toString(), "ipv4"))
            .as("failing at %s", failing)
            .isSameAs(injected);
      }
      ClientFixture.assertNothingLeft(
          store, HOST, "namespace", w.path().toString().replace('/', '-'), hostNs, w);
      assertThat(ClientFixture.allocated(store)).as("IPs after failing at %s", failing).isEmpty();
    }
  }

  @Test
  void aFailingRollbackIsAttachedAsSuppressedAndTheRestIsStillUndone() {
    TestNamespace w = workload();
    String path = w.path().toString();
    String wid = path.replace('/', '-');
    AtomicBoolean refuseWrites = new AtomicBoolean();
    RuntimeException injected = new RuntimeException("injected at " + AddStep.CONTAINER_ROUTES);
    try (CalicoClient faulty =
        CalicoClient.builder(new FaultyDatastore(store, refuseWrites, new AtomicBoolean()), HOST)
            .hostNamespace(hostNs.path())
            .stepListener(
                step -> {
                  if (step == AddStep.CONTAINER_ROUTES) {
                    // On the dataplane thread: wait until the commit has landed, so that undoing
                    // it needs writes, then fail.
                    long until = System.nanoTime() + 10_000_000_000L;
                    while (store.list(CalicoKeys.workload(HOST, "namespace", wid)).isEmpty()
                        && System.nanoTime() < until) {
                      Thread.onSpinWait();
                    }
                    refuseWrites.set(true);
                    throw injected;
                  }
                })
            .build()) {
      assertThatThrownBy(() -> faulty.addContainer(path, "ipv4")).isSameAs(injected);
    }
    assertThat(injected.getSuppressed()).hasSize(1);
    assertThat(injected.getSuppressed()[0])
        .isInstanceOf(DatastoreUnavailableException.class)
        .hasMessageContaining("refuses writes");
    // The undo that could not write left the endpoint; the veth's undo still ran.
    assertThat(store.list(CalicoKeys.workload(HOST, "namespace", wid)).entries()).hasSize(1);
    assertThat(IpOracle.linkNames(hostNs.name(), "cali")).isEmpty();
    assertThat(IpOracle.link(w.name(), "eth1")).isEmpty();

    calico.removeContainer(path); // what a user does next: it tolerates the missing veth
    ClientFixture.assertNothingLeft(store, HOST, "namespace", wid, hostNs, w);
    assertThat(ClientFixture.allocated(store)).isEmpty();
  }

  @Test
  void aCommitWhoseOutcomeIsUnknownIsUndoneIfItWasApplied() {
    TestNamespace w = workload();
    String path = w.path().toString();
    String wid = path.replace('/', '-');
    AtomicBoolean loseReply = new AtomicBoolean();
    try (CalicoClient faulty =
        CalicoClient.builder(new FaultyDatastore(store, new AtomicBoolean(), loseReply), HOST)
            .hostNamespace(hostNs.path())
            .stepListener(
                step -> {
                  if (step == AddStep.WRITE_ENDPOINT) { // the endpoint's own transaction
                    loseReply.set(true);
                  }
                })
            .build()) {
      assertThatThrownBy(() -> faulty.addContainer(path, "ipv4"))
          .isInstanceOfSatisfying(
              CalicoException.class,
              e -> {
                assertThat(e.reason()).isEqualTo(Reason.OUTCOME_UNKNOWN);
                assertThat(e.getCause())
                    .isInstanceOfSatisfying(
                        DatastoreUnavailableException.class,
                        c -> assertThat(c.outcomeUnknown()).isTrue());
              });
    }
    assertThat(loseReply)
        .as("the endpoint's transaction was the one whose reply was lost")
        .isFalse();
    // etcd did apply it; the rollback found that out and undid it.
    ClientFixture.assertNothingLeft(store, HOST, "namespace", wid, hostNs, w);
    assertThat(ClientFixture.allocated(store)).isEmpty();
  }

  @Test
  void aWorkloadResolvedByItsOrchestratorIsAddedWithItsProfilesAndOwnerAndRemovedIdempotently() {
    TestNamespace w = workload();
    calico.profiles().create("net1");
    String cid = "0123456789abcdef".repeat(4);
    WorkloadRef ref = new WorkloadRef("cni", cid, w.path());
    IpOwner owner = IpOwner.of("net1." + cid, Map.of("workload", cid));
    WorkloadEndpoint ep =
        calico.addWorkload(
            ref,
            IpRequest.parse("ipv4"),
            InterfaceName.of("eth0"),
            AddOptions.DEFAULT.withProfiles(List.of("net1")).withOwner(owner));
    assertThat(store.get(WorkloadEndpoints.keyOf(ep)).orElseThrow().key().path())
        .startsWith("/calico/v1/host/" + HOST + "/workload/cni/" + cid + "/endpoint/");
    assertThat(store.get(WorkloadEndpoints.keyOf(ep)).orElseThrow().value())
        .contains("\"profile_ids\": [\"net1\"]");
    assertThat(store.get(CalicoKeys.handle("net1." + cid)).orElseThrow().value())
        .contains("\"block\": {\"" + poolPrefix);
    assertThat(IpOracle.link(w.name(), "eth0")).isPresent();
    assertThat(calico.endpoint(ref)).map(WorkloadEndpoint::endpointId).contains(ep.endpointId());
    assertThatThrownBy(
            () ->
                calico.addWorkload(
                    new WorkloadRef("cni", "other", w.path()),
                    IpRequest.parse("ipv4"),
                    InterfaceName.of("eth9"),
                    AddOptions.DEFAULT.withProfiles(List.of("no-such-profile"))))
        .isInstanceOf(NotFoundException.class);

    assertThat(calico.removeWorkload(ref))
        .extracting(WorkloadEndpoint::endpointId)
        .containsExactly(ep.endpointId());
    assertThat(calico.removeWorkload(ref)).isEmpty(); // idempotent
    assertThat(calico.removeWorkload(new WorkloadRef("cni", "never-added", w.path()))).isEmpty();
    assertThat(store.get(CalicoKeys.handle("net1." + cid))).isEmpty();
    ClientFixture.assertNothingLeft(store, HOST, "cni", cid, hostNs, null);
    assertThat(IpOracle.link(w.name(), "eth0")).isEmpty();
    assertThat(ClientFixture.allocated(store)).isEmpty();
  }

  @Test
  void aWorkloadWhoseNamespaceIsGoneIsStillRemoved() {
    TestNamespace w = workload();
    String path = w.path().toString();
    WorkloadEndpoint ep = calico.addContainer(path, "ipv4");
    w.close(); // the container is gone, and with it both ends of its veth
    assertThat(calico.removeContainer(path))
        .extracting(WorkloadEndpoint::endpointId)
        .containsExactly(ep.endpointId());
    ClientFixture.assertNothingLeft(store, HOST, "namespace", path.replace('/', '-'), hostNs, null);
    assertThat(ClientFixture.allocated(store)).isEmpty();
  }

  /**
   * A datastore with two faults to inject: every write fails once {@code refuse} is set; and when
   * {@code loseReplies} is set, the next transaction is applied but its caller is told that the
   * datastore became unavailable with the outcome unknown (a reply lost on the way back), and the
   * flag is cleared. Reads pass through.
   */
  private static final class FaultyDatastore extends ForwardingDatastore {
    private final AtomicBoolean refuse;
    private final AtomicBoolean loseReplies;

    FaultyDatastore(Datastore d, AtomicBoolean refuse, AtomicBoolean loseReplies) {
      super(d);
      this.refuse = refuse;
      this.loseReplies = loseReplies;
    }

    @Override
    void beforeWrite(@Nullable Key key) {
      if (refuse.get()) {
        throw new DatastoreUnavailableException(
            "test: the datastore refuses writes", key, false, null);
      }
    }

    @Override
    public TxnResult commit(Transaction transaction) {
      beforeWrite(null);
      TxnResult r = super.commit(transaction);
      if (loseReplies.getAndSet(false)) {
        throw new DatastoreUnavailableException("test: the reply was lost", null, true, null);
      }
      return r;
    }
  }

  @Test
  void sixteenConcurrentAddsOfOneWorkloadLeaveOneEndpoint() throws Exception {
    TestNamespace w = workload();
    List<CalicoClient> same = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      same.add(calico);
    }
    List<String> outcomes = raceToAdd(same, w.path().toString());
    assertThat(outcomes).filteredOn("added"::equals).hasSize(1);
    assertThat(outcomes).filteredOn("already"::equals).hasSize(15);
    assertThat(
            store
                .list(CalicoKeys.workload(HOST, "namespace", w.path().toString().replace('/', '-')))
                .size())
        .isEqualTo(1);
    assertThat(ClientFixture.allocated(store)).hasSize(1);
  }

  /** Starts one add of {@code workload} per client at once; "added" or "already" for each. */
  private static List<String> raceToAdd(List<CalicoClient> clients, String workload)
      throws Exception {
    return Race.run(
        clients.size(),
        i ->
            () -> {
              try {
                clients.get(i).addContainer(workload, "ipv4");
                return "added";
              } catch (AlreadyExistsException e) {
                return "already";
              }
            },
        Duration.ofMinutes(2));
  }

  @Test
  void sixteenClientsAddingOneWorkloadAtOnceLeaveOneEndpoint() throws Exception {
    // Separate clients, as separate processes would be: nothing in memory is shared, so the
    // datastore transaction and the kernel's interface names decide.
    TestNamespace w = workload();
    List<CalicoClient> clients = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      clients.add(CalicoClient.builder(store, HOST).hostNamespace(hostNs.path()).build());
    }
    try {
      List<String> outcomes = raceToAdd(clients, w.path().toString());
      assertThat(outcomes).filteredOn("added"::equals).hasSize(1);
      assertThat(outcomes).filteredOn("already"::equals).hasSize(15);
    } finally {
      clients.forEach(CalicoClient::close);
    }
    String workloadId = w.path().toString().replace('/', '-');
    assertThat(store.list(CalicoKeys.workload(HOST, "namespace", workloadId)).size()).isEqualTo(1);
    assertThat(ClientFixture.allocated(store)).hasSize(1);
    WorkloadEndpoint ep = calico.endpoint(w.path().toString()).orElseThrow();
    assertThat(IpOracle.linkNames(hostNs.name(), "cali")).containsExactly(ep.name());
    assertThat(IpOracle.addresses(w.name(), "eth1"))
        .filteredOn(a -> !a.startsWith("fe80:"))
        .containsExactly(text(ep.nets().get(0).address()) + "/32");
  }

  @Test
  void anEndpointStoredByAnotherToolIsFoundAndNothingOfOursIsLeft() {
    TestNamespace w = workload();
    String workloadId = w.path().toString().replace('/', '-');
    // What the reference calicoctl writes: the endpoint, and no calicoj marker.
    Key foreign =
        CalicoKeys.endpoint(HOST, "namespace", workloadId, "0123456789abcdef0123456789abcdef");
    String json =
        "{\"state\": \"active\", \"name\": \"cali01234567890\", \"mac\": \"02:00:00:00:00:01\","
            + " \"profile_ids\": [], \"ipv4_nets\": [\"10.99.0.1/32\"], \"ipv6_nets\": [],"
            + " \"ipv4_gateway\": null, \"ipv6_gateway\": null}";
    store.put(foreign, json);
    assertThatThrownBy(() -> calico.addContainer(w.path().toString(), "ipv4", "eth2"))
        .isInstanceOf(AlreadyExistsException.class)
        .hasMessage(w.path() + " has already been configured with Calico Networking.");
    assertThat(store.list(CalicoKeys.workload(HOST, "namespace", workloadId)).entries())
        .extracting(e -> e.key())
        .containsExactly(foreign);
    assertThat(store.get(CalicoKeys.workloadMarker(HOST, "namespace", workloadId))).isEmpty();
    assertThat(ClientFixture.allocated(store)).isEmpty();
    assertThat(IpOracle.link(w.name(), "eth2")).isEmpty();
    assertThat(IpOracle.linkNames(hostNs.name(), "cali")).isEmpty();
  }

  @Test
  void anIpTakenByAnotherClientSinceItWasChosenIsChosenAgainAndTheContainerReaddressed() {
    TestNamespace w1 = workload();
    TestNamespace w2 = workload();
    TestNamespace w3 = workload();
    // calico caches the block when it adds w1; another client (another process) then takes the
    // next IP, so calico's cache shows that IP as free.
    WorkloadEndpoint ep1 = calico.addContainer(w1.path().toString(), "ipv4");
    WorkloadEndpoint ep2;
    try (CalicoClient other =
        CalicoClient.builder(store, HOST).hostNamespace(hostNs.path()).build()) {
      ep2 = other.addContainer(w2.path().toString(), "ipv4");
    }
    InetAddress taken = ep2.nets().get(0).address();
    assertThat(taken).isNotEqualTo(ep1.nets().get(0).address());
    // calico plans `taken`, the block guard fails, and it chooses again and readdresses w3.
    WorkloadEndpoint ep3 = calico.addContainer(w3.path().toString(), "ipv4");
    InetAddress got = ep3.nets().get(0).address();
    assertThat(got).isNotIn(taken, ep1.nets().get(0).address());
    assertThat(ClientFixture.allocated(store))
        .containsExactlyInAnyOrder(ep1.nets().get(0).address(), taken, got);
    assertThat(IpOracle.addresses(w3.name(), "eth1"))
        .filteredOn(a -> !a.startsWith("fe80:"))
        .containsExactly(text(got) + "/32");
    assertThat(IpOracle.routes(w3.name(), true))
        .extracting(r -> r.path("dst").asText() + " " + r.path("gateway").asText("-"))
        .contains(NEXT_HOP + " -", "default " + NEXT_HOP);
    assertThat(IpOracle.routes(hostNs.name(), true))
        .filteredOn(r -> r.path("dev").asText().equals(ep3.name()))
        .extracting(r -> r.path("dst").asText())
        .containsExactly(text(got));
    assertThat(IpOracle.routes(hostNs.name(), true))
        .filteredOn(r -> r.path("dst").asText().equals(text(taken)))
        .extracting(r -> r.path("dev").asText())
        .containsExactly(ep2.name());
  }

  @Test
  void bulkRemoveLeavesNothing() {
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      TestNamespace w = workload();
      paths.add(w.path().toString());
      calico.addContainer(w.path().toString(), "ipv4");
    }
    // One more whose addresses have their own owner: the bulk release must use the handle its
    // marker records.
    TestNamespace owned = workload();
    String ownedPath = owned.path().toString();
    calico.addWorkload(
        new WorkloadRef("namespace", ownedPath.replace('/', '-'), owned.path()),
        IpRequest.parse("ipv4"),
        InterfaceName.of("eth1"),
        AddOptions.DEFAULT.withOwner(IpOwner.of("bulk-owner", Map.of())));
    assertThat(store.get(CalicoKeys.handle("bulk-owner"))).isPresent();
    paths.add(ownedPath);
    assertThat(calico.removeContainers(paths)).hasSize(4);
    for (TestNamespace w : workloads) {
      ClientFixture.assertNothingLeft(
          store, HOST, "namespace", w.path().toString().replace('/', '-'), hostNs, w);
    }
    assertThat(store.get(CalicoKeys.handle("bulk-owner"))).isEmpty();
    assertThat(ClientFixture.allocated(store)).isEmpty();
  }

  @Test
  void ipAddAndRemoveAndProfiles() {
    TestNamespace w = workload();
    String path = w.path().toString();
    calico.addContainer(path, poolPrefix + "0.20");
    assertThatThrownBy(() -> calico.addIp(path, poolPrefix + "0.21", "eth9"))
        .isInstanceOf(NotFoundException.class)
        .hasMessage("Interface provided does not exist in container. Aborting.");
    assertThat(ClientFixture.allocated(store)).hasSize(1); // nothing leaked (calicoctl#565)
    WorkloadEndpoint ep = calico.addIp(path, poolPrefix + "0.21", "eth1");
    assertThat(ep.ipv4Nets())
        .extracting(Cidr::toString)
        .containsExactly(poolPrefix + "0.20/32", poolPrefix + "0.21/32");
    assertThat(IpOracle.addresses(w.name(), "eth1")).contains(poolPrefix + "0.21/32");
    ep = calico.removeIp(path, InetAddresses.forString(poolPrefix + "0.21"), "eth1");
    assertThat(ep.ipv4Nets()).hasSize(1);
    assertThat(IpOracle.addresses(w.name(), "eth1")).doesNotContain(poolPrefix + "0.21/32");
    assertThat(ClientFixture.allocated(store))
        .containsExactly(InetAddresses.forString(poolPrefix + "0.20"));
    assertThatThrownBy(
            () -> calico.removeIp(path, InetAddresses.forString(poolPrefix + "0.21"), "eth1"))
        .hasMessage("IP address is not assigned to container. Aborting.");

    calico.profiles().create("PROF_A");
    assertThatThrownBy(() -> calico.appendProfiles(path, List.of("MISSING")))
        .hasMessage("Profile with name MISSING was not found.");
    assertThatThrownBy(() -> calico.appendProfiles(path, List.of("PROF_A", "PROF_A")))
        .hasMessage("Profile with name PROF_A was specified more than once.");
    assertThat(calico.appendProfiles(path, List.of("PROF_A")).profileIds())
        .containsExactly("PROF_A");
    assertThatThrownBy(() -> calico.appendProfiles(path, List.of("PROF_A")))
        .hasMessage("Profile PROF_A is already in endpoint profile list");
    assertThat(calico.setProfiles(path, List.of()).profileIds()).isEmpty();
  }

  @Test
  void twoSimulatedHostsRouteBetweenTheirWorkloads() throws Exception {
    TestNamespace hostB = ClientFixture.hostNamespace("172.31.255.2");
    try (CalicoClient calicoB =
        CalicoClient.builder(store, "cjt-host-b").hostNamespace(hostB.path()).build()) {
      calicoB.configureNode(
          NodeConfig.ipv4((Inet4Address) InetAddresses.forString("172.31.255.2")));
      // A link between the two hosts, and the block routes BGP would install.
      hostNs.ip(
          "link", "add", "cjtxa", "type", "veth", "peer", "name", "cjtxb", "netns", hostB.name());
      hostNs.ip("addr", "add", "172.31.0.1/30", "dev", "cjtxa");
      hostNs.ip("link", "set", "cjtxa", "up");
      hostB.ip("addr", "add", "172.31.0.2/30", "dev", "cjtxb");
      hostB.ip("link", "set", "cjtxb", "up");
      hostNs.ip("route", "add", poolPrefix + "1.0/26", "via", "172.31.0.2");
      hostB.ip("route", "add", poolPrefix + "0.0/26", "via", "172.31.0.1");
      TestNamespace wa = workload();
      TestNamespace wb = workload();
      calico.addContainer(wa.path().toString(), poolPrefix + "0.5");
      calicoB.addContainer(wb.path().toString(), poolPrefix + "1.5");
      Processes.Result ping =
          Processes.runForResult(
              List.of(
                  "ip",
                  "netns",
                  "exec",
                  wa.name(),
                  "ping",
                  "-c",
                  "1",
                  "-W",
                  "3",
                  poolPrefix + "1.5"),
              Duration.ofSeconds(15));
      assertThat(ping.exitCode()).as(ping.output()).isZero();
      calicoB.removeContainer(wb.path().toString());
    } finally {
      hostB.close();
    }
  }

  private static String text(InetAddress ip) {
    return InetAddresses.toAddrString(ip);
  }
}
