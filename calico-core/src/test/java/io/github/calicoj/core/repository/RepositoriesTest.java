package io.github.calicoj.core.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.AlreadyExistsException;
import io.github.calicoj.core.CalicoException.Reason;
import io.github.calicoj.core.ConflictException;
import io.github.calicoj.core.NotFoundException;
import io.github.calicoj.core.ProfileAlreadyInEndpointException;
import io.github.calicoj.core.ProfileNotInEndpointException;
import io.github.calicoj.core.WireFormat;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.codec.EndpointJson;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.HostConfig;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.model.PortRange;
import io.github.calicoj.core.model.Rule;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.memory.InMemoryDatastore;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Endpoints, profiles, pools and hosts over the in-memory datastore, read back key by key. */
class RepositoriesTest {
  private final InMemoryDatastore store = InMemoryDatastore.create();
  private final WorkloadEndpoints endpoints = new WorkloadEndpoints(store, WireFormat.ERA_A);
  private final Profiles profiles = new Profiles(store, WireFormat.ERA_A, endpoints);
  private final IpPools pools = new IpPools(store);
  private final Hosts hosts = new Hosts(store, WireFormat.ERA_A);

  @AfterEach
  void close() {
    store.close();
  }

  static WorkloadEndpoint endpoint(String host, String workload) {
    return WorkloadEndpoint.builder()
        .hostname(host)
        .orchestratorId("docker")
        .workloadId(workload)
        .endpointId(UUID.randomUUID().toString().replace("-", ""))
        .mac("72:ef:5a:87:35:bd")
        .addNet(Cidr.parse("192.168.0.1/32"))
        .build();
  }

  private WorkloadEndpoint create(WorkloadEndpoint ep) {
    return endpoints.create(ep, marker(ep));
  }

  static WorkloadMarker marker(WorkloadEndpoint ep) {
    return new WorkloadMarker(ep.endpointId(), System.currentTimeMillis(), null);
  }

  @Test
  void createGetAndRemoveWorkload() {
    WorkloadEndpoint ep = create(endpoint("h1", "w1"));
    assertThat(ep.revision()).isNotNull();
    assertThat(store.get(WorkloadEndpoints.keyOf(ep))).isPresent();
    assertThat(endpoints.get(EndpointQuery.workload("h1", "docker", "w1")).sameContent(ep))
        .isTrue();
    assertThat(endpoints.get(EndpointQuery.id(ep.endpointId())).endpointId())
        .isEqualTo(ep.endpointId());
    assertThatThrownBy(() -> create(endpoint("h1", "w1")))
        .isInstanceOf(AlreadyExistsException.class)
        .hasMessage("w1 has already been configured with Calico Networking.");
    endpoints.removeWorkload("h1", "docker", "w1");
    assertThat(store.list(CalicoKeys.workload("h1", "docker", "w1")).isEmpty()).isTrue();
    assertThat(store.get(CalicoKeys.workloadMarker("h1", "docker", "w1"))).isEmpty();
    assertThatThrownBy(() -> endpoints.removeWorkload("h1", "docker", "w1"))
        .isInstanceOf(NotFoundException.class)
        .hasMessage("w1 is not a configured workload on host h1");
    assertThatThrownBy(() -> endpoints.get(EndpointQuery.workload("h1", "docker", "w1")))
        .isInstanceOf(NotFoundException.class)
        .hasMessage(
            "No endpoint found matching specified criteria.hostname=h1orchestrator_id=docker"
                + "workload_id=w1endpoint_id=null");
  }

  @Test
  void aMarkerWithoutAnEndpointIsClearedWhateverItHoldsAndTheCreateGoesOn() {
    // Markers are written and deleted only together with endpoints, so one without an endpoint
    // was left by an older writer or a tool that removed the endpoint alone, whatever its age.
    store.put(CalicoKeys.workloadMarker("h1", "docker", "w2"), "leftover");
    store.put(
        CalicoKeys.workloadMarker("h1", "docker", "w3"),
        "0123456789abcdef0123456789abcdef " + System.currentTimeMillis());
    for (String w : List.of("w2", "w3")) {
      WorkloadEndpoint ep = create(endpoint("h1", w));
      assertThat(
              WorkloadMarker.parse(
                  store.get(CalicoKeys.workloadMarker("h1", "docker", w)).orElseThrow().value()))
          .hasValueSatisfying(m -> assertThat(m.endpointId()).isEqualTo(ep.endpointId()));
    }
  }

  @Test
  void anEndpointWrittenByAnotherToolWithoutAMarkerIsFoundAndOursIsTakenBack() {
    WorkloadEndpoint theirs = endpoint("h1", "w4");
    store.put(WorkloadEndpoints.keyOf(theirs), EndpointJson.write(theirs, WireFormat.ERA_A));
    assertThatThrownBy(() -> create(endpoint("h1", "w4")))
        .isInstanceOf(AlreadyExistsException.class)
        .hasMessage("w4 has already been configured with Calico Networking.");
    assertThat(endpoints.find(EndpointQuery.workload("h1", "docker", "w4")))
        .extracting(WorkloadEndpoint::endpointId)
        .containsExactly(theirs.endpointId());
    assertThat(store.get(CalicoKeys.workloadMarker("h1", "docker", "w4"))).isEmpty();
  }

  @Test
  void multipleMatchesAreReported() {
    create(endpoint("h1", "a"));
    create(endpoint("h1", "b"));
    assertThatThrownBy(() -> endpoints.get(EndpointQuery.onHost("h1")))
        .isInstanceOf(ConflictException.class)
        .hasFieldOrPropertyWithValue("reason", Reason.MULTIPLE_ENDPOINTS)
        .hasMessageContaining("More than 1 endpoint matches");
    assertThat(endpoints.list()).hasSize(2);
  }

  @Test
  void profileMembershipKeepsReferenceSemantics() {
    profiles.create("A");
    profiles.create("B");
    WorkloadEndpoint ep = create(endpoint("h1", "w"));
    ep = endpoints.appendProfiles(ep, List.of("A"));
    assertThat(ep.profileIds()).containsExactly("A");
    WorkloadEndpoint before = ep;
    assertThatThrownBy(() -> endpoints.appendProfiles(before, List.of("B", "A")))
        .isInstanceOf(ProfileAlreadyInEndpointException.class)
        .hasMessage("Profile A is already in endpoint profile list");
    assertThat(endpoints.get(EndpointQuery.workload("h1", "docker", "w")).profileIds())
        .containsExactly("A");
    assertThatThrownBy(() -> endpoints.removeProfiles(before, List.of("A", "B")))
        .isInstanceOf(ProfileNotInEndpointException.class)
        .hasMessage("Profile B is not in endpoint profile list.");
    assertThat(endpoints.get(EndpointQuery.workload("h1", "docker", "w")).profileIds())
        .containsExactly("A");
    assertThatThrownBy(() -> endpoints.appendProfiles(before, List.of("B", "B")))
        .hasMessage("Profile with name B was specified more than once.");
    assertThat(endpoints.setProfiles(ep, List.of("B", "A")).profileIds()).containsExactly("B", "A");
    assertThat(endpoints.setProfiles(ep, List.of()).profileIds()).isEmpty();
    assertThat(store.get(WorkloadEndpoints.keyOf(ep)).orElseThrow().value())
        .contains("\"profile_ids\": []");
  }

  @Test
  void modifyRetriesOnConflict() {
    WorkloadEndpoint ep = create(endpoint("h1", "w"));
    int[] calls = {0};
    WorkloadEndpoint out =
        endpoints.modify(
            ep,
            e -> {
              if (calls[0]++ == 0) {
                endpoints.put(e.withProfileIds(List.of("X"))); // a concurrent writer
              }
              List<String> p = new ArrayList<>(e.profileIds());
              p.add("Y");
              return e.withProfileIds(p);
            });
    assertThat(calls[0]).isEqualTo(2);
    assertThat(out.profileIds()).containsExactly("X", "Y");
  }

  @Test
  void profilesTagsRulesAndRemoval() {
    assertThat(profiles.create("web").tags()).containsExactly("web");
    assertThatThrownBy(() -> profiles.create("web"))
        .isInstanceOf(AlreadyExistsException.class)
        .hasMessage("Profile web already exists.");
    assertThat(store.get(CalicoKeys.profileTags("web")).orElseThrow().value())
        .isEqualTo("[\"web\"]");
    assertThat(profiles.addTag("web", "db")).isTrue();
    assertThat(profiles.addTag("web", "db")).isFalse();
    assertThat(store.get(CalicoKeys.profileTags("web")).orElseThrow().value())
        .isEqualTo("[\"web\", \"db\"]");
    assertThatThrownBy(() -> profiles.addTag("web", "bad tag"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> profiles.removeTag("web", "nope"))
        .hasMessage("Tag nope is not on profile web");
    profiles.removeTag("web", "db");

    Rule http = Rule.builder("allow").protocol("tcp").dstPorts(List.of(PortRange.of(80))).build();
    assertThat(profiles.addRule("web", true, http, 1)).isTrue();
    assertThat(profiles.addRule("web", true, http)).isFalse();
    assertThat(profiles.addRule("web", true, http, (Integer) null))
        .isFalse(); // the deprecated form
    assertThatThrownBy(() -> profiles.addRule("web", true, Rule.allow(), 9))
        .hasMessage("Position 9 is out-of-range.");
    assertThat(profiles.addRule("web", true, Rule.allow())).isTrue(); // appended
    assertThat(profiles.require("web").rules().inbound()).last().isEqualTo(Rule.allow());
    assertThat(profiles.require("web").rules().inbound()).first().isEqualTo(http);
    assertThat(profiles.removeRule("web", true, 1)).isEqualTo(http);
    assertThatThrownBy(() -> profiles.removeRule("web", true, 5))
        .hasMessage("Rule position out-of-range.");
    assertThatThrownBy(() -> profiles.removeRule("web", false, http)).hasMessage("Rule not found.");
    assertThat(profiles.names()).containsExactly("web");

    WorkloadEndpoint ep = create(endpoint("h1", "w"));
    endpoints.appendProfiles(ep, List.of("web"));
    assertThatThrownBy(() -> profiles.remove("web", false))
        .isInstanceOf(ConflictException.class)
        .hasFieldOrPropertyWithValue("reason", Reason.PROFILE_IN_USE)
        .hasMessageContaining("Cannot remove profile - profile in use by endpoint(s).");
    profiles.remove("web", true);
    assertThat(store.list(CalicoKeys.profile("web")).isEmpty()).isTrue();
    assertThatThrownBy(() -> profiles.remove("web", true)).hasMessage("Profile web not found.");
    assertThatThrownBy(() -> profiles.addTag("web", "x")).hasMessage("Profile web not found.");
  }

  @Test
  void poolsAddRemoveOverlapAndRange() {
    pools.add(IpPool.of(Cidr.parse("192.168.0.0/16")));
    pools.add(
        IpPool.of(Cidr.parse("192.168.0.0/16")).withOptions(true, true)); // identical = update
    assertThat(store.get(Key.of("/calico/v1/ipam/v4/pool/192.168.0.0-16")).orElseThrow().value())
        .isEqualTo("{\"cidr\": \"192.168.0.0/16\", \"ipip\": \"tunl0\", \"masquerade\": true}");
    assertThat(store.get(Key.of("/calico/v1/config/IpInIpEnabled")).orElseThrow().value())
        .isEqualTo("true");
    assertThatThrownBy(() -> pools.add(IpPool.of(Cidr.parse("192.168.5.0/24"))))
        .isInstanceOf(ConflictException.class)
        .hasFieldOrPropertyWithValue("reason", Reason.POOL_OVERLAP)
        .hasMessage(
            "Cannot add IP pool 192.168.5.0/24 - pool overlaps with an existing pool 192.168.0.0/16");
    assertThatThrownBy(
            () ->
                pools.addAll(
                    List.of(
                        IpPool.of(Cidr.parse("10.0.0.0/16")),
                        IpPool.of(Cidr.parse("10.0.1.0/24")))))
        .hasMessageContaining("with another new pool 10.0.0.0/16");
    assertThat(pools.poolFor(InetAddresses.forString("192.168.3.4"), true)).isPresent();
    assertThat(pools.poolFor(InetAddresses.forString("10.9.9.9"), false)).isEmpty();

    List<IpPool> range =
        pools.addRange(
            InetAddresses.forString("10.1.0.0"),
            InetAddresses.forString("10.1.0.191"),
            false,
            false);
    assertThat(range)
        .extracting(p -> p.cidr().toString())
        .containsExactly("10.1.0.0/25", "10.1.0.128/26");
    assertThatThrownBy(
            () ->
                pools.addRange(
                    InetAddresses.forString("10.1.0.100"),
                    InetAddresses.forString("10.1.1.0"),
                    false,
                    false))
        .hasMessage("Cannot add range - range conflicts with pool 10.1.0.0/25");
    assertThatThrownBy(
            () ->
                pools.addRange(
                    InetAddresses.forString("10.9.0.5"),
                    InetAddresses.forString("10.9.0.1"),
                    false,
                    false))
        .hasMessage("START_IP must be a smaller ip address than END_IP");
    pools.remove(Cidr.parse("10.1.0.128/26"));
    assertThatThrownBy(() -> pools.remove(Cidr.parse("10.1.0.128/26")))
        .hasMessage("10.1.0.128/26 is not a configured pool.");
    assertThat(pools.list(4)).hasSize(2);
  }

  @Test
  void hostsAndGlobalConfig() {
    hosts.configure(
        new HostConfig(
            "calico-01", (Inet4Address) InetAddresses.forString("172.17.8.101"), null, "64512"));
    assertThat(store.get(Key.of("/calico/bgp/v1/host/calico-01/ip_addr_v4")).orElseThrow().value())
        .isEqualTo("172.17.8.101");
    assertThat(store.get(Key.of("/calico/bgp/v1/host/calico-01/ip_addr_v6")).orElseThrow().value())
        .isEmpty();
    assertThat(store.get(Key.of("/calico/v1/host/calico-01/bird_ip")).orElseThrow().value())
        .isEqualTo("172.17.8.101");
    assertThat(
            store
                .get(Key.of("/calico/v1/host/calico-01/config/DefaultEndpointToHostAction"))
                .orElseThrow()
                .value())
        .isEqualTo("RETURN");
    assertThat(hosts.nextHops("calico-01")).containsOnlyKeys(4);
    assertThatThrownBy(() -> hosts.nextHops("other"))
        .hasMessage("BGP configuration for host other not found.");
    hosts.configure(
        new HostConfig(
            "calico-01",
            (Inet4Address) InetAddresses.forString("172.17.8.101"),
            (Inet6Address) InetAddresses.forString("fd00::1"),
            null));
    assertThat(hosts.nextHops("calico-01")).containsKeys(4, 6);
    assertThat(store.get(Key.of("/calico/bgp/v1/host/calico-01/as_num"))).isEmpty();
    assertThat(hosts.get("calico-01").orElseThrow().ipv6()).isNotNull();

    store.put(Key.of("/calico/v1/config/InterfacePrefix"), "tap");
    hosts.ensureGlobalConfig();
    hosts.ensureGlobalConfig(); // idempotent
    assertThat(store.get(CalicoKeys.READY).orElseThrow().value()).isEqualTo("true");
    assertThat(store.get(Key.of("/calico/v1/config/InterfacePrefix")).orElseThrow().value())
        .isEqualTo("tap,cali");
    assertThat(store.get(Key.of("/calico/v1/config/LogSeverityScreen")).orElseThrow().value())
        .isEqualTo("info");
    assertThat(store.get(Key.of("/calico/bgp/v1/global/node_mesh")).orElseThrow().value())
        .isEqualTo("{\"enabled\": true}");
    hosts.remove("calico-01");
    assertThat(store.list(CalicoKeys.bgpHost("calico-01")).isEmpty()).isTrue();
  }

  @Test
  void anEndpointAnotherToolWroteWithAnyIdIsReadAndOnlyOursMustBeUuidHex() {
    WorkloadEndpoint theirs =
        WorkloadEndpoint.builder()
            .hostname("h1")
            .orchestratorId("k8s")
            .workloadId("pod-1")
            .endpointId("eth0")
            .name("caliabc")
            .mac("72:EF:5A:87:35:BD")
            .addNet(Cidr.parse("192.168.3.1/32"))
            .build();
    store.put(WorkloadEndpoints.keyOf(theirs), EndpointJson.write(theirs, WireFormat.ERA_A));
    assertThat(endpoints.find(EndpointQuery.onHost("h1")))
        .extracting(WorkloadEndpoint::endpointId)
        .containsExactly("eth0");
    assertThatThrownBy(() -> endpoints.create(theirs, marker(theirs)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("32 lowercase hex");
  }

  @Test
  void aNewProfileNameIsShorterThanFortyCharactersAsTheMessageSays() {
    assertThat(profiles.create("p".repeat(39)).name()).hasSize(39);
    assertThatThrownBy(() -> profiles.create("p".repeat(40)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be < 40 character long");
  }

  @Test
  void markersRoundTripAndOlderValuesAreRead() {
    WorkloadMarker m =
        new WorkloadMarker(
            "0123456789abcdef0123456789abcdef",
            1234,
            new WorkloadMarker.NamespaceRef("/var/run/netns/x", 4, 4026532345L));
    assertThat(WorkloadMarker.parse(m.toJson())).contains(m);
    assertThat(m.toJson())
        .isEqualTo(
            "{\"endpoint\": \"0123456789abcdef0123456789abcdef\", \"time\": 1234, \"netns\":"
                + " {\"path\": \"/var/run/netns/x\", \"dev\": 4, \"ino\": 4026532345}}");
    assertThat(WorkloadMarker.parse("0123456789abcdef0123456789abcdef 1700000000000"))
        .contains(new WorkloadMarker("0123456789abcdef0123456789abcdef", 1700000000000L, null));
    assertThat(WorkloadMarker.parse("garbage")).isEmpty();
  }

  @Test
  void removingAWorkloadDeletesItsEndpointsAndMarkerInOneTransactionGuardedOnWhatWasRead() {
    WorkloadEndpoint ep = create(endpoint("h1", "w9"));
    WorkloadEndpoint changed = endpoints.setProfiles(ep, List.of()); // same content: no write
    WorkloadEndpoint moved =
        endpoints.modify(ep, e -> e.toBuilder().addNet(Cidr.parse("192.168.0.2/32")).build());
    assertThat(moved.revision()).isNotEqualTo(changed.revision());
    // a removal planned on the endpoint as first read fails its guard and deletes nothing
    assertThat(endpoints.removeWorkload("h1", "docker", "w9", List.of(ep))).isFalse();
    assertThat(store.get(WorkloadEndpoints.keyOf(ep))).isPresent();
    assertThat(store.get(CalicoKeys.workloadMarker("h1", "docker", "w9"))).isPresent();
    assertThat(endpoints.removeWorkload("h1", "docker", "w9", List.of(moved))).isTrue();
    assertThat(store.get(WorkloadEndpoints.keyOf(ep))).isEmpty();
    assertThat(store.get(CalicoKeys.workloadMarker("h1", "docker", "w9"))).isEmpty();
  }
}
