package io.github.calicoj.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.WireFormat;
import io.github.calicoj.core.internal.PyJson;
import io.github.calicoj.core.ipam.AllocationBlock;
import io.github.calicoj.core.ipam.BlockJson;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.model.IpamConfig;
import io.github.calicoj.core.model.PortRange;
import io.github.calicoj.core.model.Profile;
import io.github.calicoj.core.model.Rule;
import io.github.calicoj.core.model.Rules;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.Revision;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;

/**
 * Golden tests: the exact etcd keys and JSON values (endpoints, profiles and their rules, pools,
 * IPAM blocks) that the reference, pycalico, writes for the same objects.
 */
class CodecGoldenTest {
  private static final String WORKLOAD =
      "4f9954bb20e52e7e5e7953e52a1ad5a5353ba96efe813d1debd195c3cb69f47a";
  private static final String ENDPOINT_ID = "faadb45a480f11e591fa08002775ba7b";

  private static WorkloadEndpoint specEndpoint() {
    return WorkloadEndpoint.builder()
        .hostname("calico-01")
        .orchestratorId("docker")
        .workloadId(WORKLOAD)
        .endpointId(ENDPOINT_ID)
        .mac("72:ef:5a:87:35:bd")
        .profileIds(List.of("PROF_A_C_E"))
        .addNet(Cidr.parse("192.168.0.1/32"))
        .ipv4Gateway(InetAddresses.forString("172.17.8.101"))
        .build();
  }

  @Test
  void endpointEraAIsTheSpecExampleByteForByte() {
    WorkloadEndpoint ep = specEndpoint();
    assertThat(ep.name()).isEqualTo("califaadb45a480");
    assertThat(CalicoKeys.endpoint("calico-01", "docker", WORKLOAD, ENDPOINT_ID).path())
        .isEqualTo(
            "/calico/v1/host/calico-01/workload/docker/" + WORKLOAD + "/endpoint/" + ENDPOINT_ID);
    assertThat(EndpointJson.write(ep, WireFormat.ERA_A))
        .isEqualTo(
            "{\"state\": \"active\", \"name\": \"califaadb45a480\", \"mac\": \"72:ef:5a:87:35:bd\","
                + " \"profile_ids\": [\"PROF_A_C_E\"], \"ipv4_nets\": [\"192.168.0.1/32\"],"
                + " \"ipv6_nets\": [], \"ipv4_gateway\": \"172.17.8.101\", \"ipv6_gateway\": null}");
  }

  @Test
  void endpointEraBHasNoGatewaysAndHasLabels() {
    String json = EndpointJson.write(specEndpoint(), WireFormat.ERA_B);
    assertThat(json)
        .isEqualTo(
            "{\"state\": \"active\", \"name\": \"califaadb45a480\", \"mac\": \"72:ef:5a:87:35:bd\","
                + " \"profile_ids\": [\"PROF_A_C_E\"], \"ipv4_nets\": [\"192.168.0.1/32\"],"
                + " \"ipv6_nets\": [], \"labels\": {}}");
    assertThat(json).doesNotContain("gateway");
  }

  @Test
  void endpointNetsAreSortedLexicographicallyAsPycalicoWrites() {
    WorkloadEndpoint ep =
        specEndpoint().toBuilder()
            .addNet(Cidr.parse("192.168.0.10/32"))
            .addNet(Cidr.parse("192.168.0.9/32"))
            .addNet(Cidr.parse("fd80:24e2:f998:72d6::1/128"))
            .ipv6Gateway(InetAddresses.forString("fd80::1"))
            .build();
    String json = EndpointJson.write(ep, WireFormat.ERA_A);
    assertThat(json)
        .contains(
            "\"ipv4_nets\": [\"192.168.0.1/32\", \"192.168.0.10/32\", \"192.168.0.9/32\"],"
                + " \"ipv6_nets\": [\"fd80:24e2:f998:72d6::1/128\"], \"ipv4_gateway\":"
                + " \"172.17.8.101\", \"ipv6_gateway\": \"fd80::1\"}");
  }

  @Test
  void endpointRoundTripsAndReaderIsTolerant() {
    CalicoKeys.EndpointKey key =
        CalicoKeys.parseEndpoint(
                Key.of(
                    "/calico/v1/host/calico-01/workload/docker/"
                        + WORKLOAD
                        + "/endpoint/"
                        + ENDPOINT_ID))
            .orElseThrow();
    WorkloadEndpoint back =
        EndpointJson.read(
            key, EndpointJson.write(specEndpoint(), WireFormat.ERA_A), Revision.of(7));
    assertThat(back.sameContent(specEndpoint())).isTrue();
    assertThat(back.revision()).isEqualTo(Revision.of(7));
    // Legacy profile_id, unknown fields, missing nets and gateways.
    WorkloadEndpoint legacy =
        EndpointJson.read(
            key,
            "{\"state\": \"active\", \"name\": \"califaadb45a480\", \"mac\": \"72:ef:5a:87:35:bd\","
                + " \"profile_id\": \"OLD\", \"future_field\": {\"x\": 1}}",
            Revision.of(3));
    assertThat(legacy.profileIds()).containsExactly("OLD");
    assertThat(legacy.ipv4Nets()).isEmpty();
    assertThat(legacy.ipv4Gateway()).isNull();
  }

  @Test
  void profileDefaultsAreTheSpecValues() {
    Profile p = Profile.withDefaults("PROF_A_C_E");
    assertThat(CalicoKeys.profileTags("PROF_A_C_E").path())
        .isEqualTo("/calico/v1/policy/profile/PROF_A_C_E/tags");
    assertThat(CalicoKeys.profileRules("PROF_A_C_E").path())
        .isEqualTo("/calico/v1/policy/profile/PROF_A_C_E/rules");
    assertThat(ProfileJson.tags(p.tags())).isEqualTo("[\"PROF_A_C_E\"]");
    assertThat(RulesJson.write(p.name(), p.rules(), WireFormat.ERA_A))
        .isEqualTo(
            "{\"id\": \"PROF_A_C_E\", \"inbound_rules\": [{\"action\": \"allow\", \"src_tag\":"
                + " \"PROF_A_C_E\"}], \"outbound_rules\": [{\"action\": \"allow\"}]}");
    assertThat(ProfileJson.tags(List.of("a", "b"))).isEqualTo("[\"a\", \"b\"]");
    assertThat(ProfileJson.labels(Map.of())).isEqualTo("{}");
  }

  @Test
  void portsAreIntsAndRangesAreStrings() {
    Rule r =
        Rule.builder("allow")
            .protocol("tcp")
            .dstPorts(List.of(PortRange.of(80), PortRange.range(8000, 8080)))
            .srcNet(Cidr.parse("10.1.2.3/8"))
            .build();
    String json = PyJson.write(RulesJson.rule(r, WireFormat.ERA_A));
    assertThat(json)
        .isEqualTo(
            "{\"action\": \"allow\", \"protocol\": \"tcp\", \"src_net\": \"10.1.2.3/8\","
                + " \"dst_ports\": [80, \"8000:8080\"]}");
    assertThat(RulesJson.readRule(PyJson.parse(json, "rule"))).isEqualTo(r);
    // A reader accepts the digit string that Felix rejects, and null values.
    Rule lenient =
        RulesJson.readRule(
            PyJson.parse(
                "{\"action\": \"deny\", \"protocol\": \"udp\", \"dst_ports\": [\"53\"], \"src_tag\": null}",
                "rule"));
    assertThat(lenient.dstPorts()).containsExactly(PortRange.of(53));
    assertThat(lenient.srcTag()).isNull();
  }

  @Test
  void icmpRuleAndRulesRoundTrip() {
    Rules rules =
        new Rules(
            List.of(Rule.builder("allow").protocol("icmp").icmpType(8).icmpCode(0).build()),
            List.of(Rule.builder("deny").dstNet(Cidr.parse("fd00::/8")).build()));
    String json = RulesJson.write("p", rules, WireFormat.ERA_A);
    assertThat(json)
        .isEqualTo(
            "{\"id\": \"p\", \"inbound_rules\": [{\"action\": \"allow\", \"protocol\": \"icmp\","
                + " \"icmp_type\": 8, \"icmp_code\": 0}], \"outbound_rules\": [{\"action\":"
                + " \"deny\", \"dst_net\": \"fd00::/8\"}]}");
    assertThat(RulesJson.read(json)).isEqualTo(rules);
  }

  @Test
  void extendedRulesNeedTheOption() {
    Rule r =
        Rule.builder("allow")
            .protocol("tcp")
            .ipVersion(4)
            .notSrcNet(Cidr.parse("10.0.0.0/8"))
            .build();
    assertThatThrownBy(() -> RulesJson.rule(r, WireFormat.ERA_A))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("extendedRules");
    assertThat(PyJson.write(RulesJson.rule(r, WireFormat.ERA_A.withExtendedRules(true))))
        .isEqualTo(
            "{\"action\": \"allow\", \"protocol\": \"tcp\", \"ip_version\": 4, \"!src_net\":"
                + " \"10.0.0.0/8\"}");
  }

  @Test
  void poolsWriteOnlyNonDefaultOptions() {
    IpPool plain = IpPool.of(Cidr.parse("192.168.0.0/16"));
    assertThat(CalicoKeys.pool(plain.cidr()).path())
        .isEqualTo("/calico/v1/ipam/v4/pool/192.168.0.0-16");
    assertThat(PoolJson.write(plain)).isEqualTo("{\"cidr\": \"192.168.0.0/16\"}");
    IpPool natIpip = IpPool.of(Cidr.parse("10.10.0.0/16")).withOptions(true, true);
    assertThat(PoolJson.write(natIpip))
        .isEqualTo("{\"cidr\": \"10.10.0.0/16\", \"ipip\": \"tunl0\", \"masquerade\": true}");
    assertThat(PoolJson.read(PoolJson.write(natIpip))).isEqualTo(natIpip);
    IpPool v6 = IpPool.of(Cidr.parse("fd80:24e2:f998:72d6::/64"));
    assertThat(CalicoKeys.pool(v6.cidr()).path())
        .isEqualTo("/calico/v1/ipam/v6/pool/fd80:24e2:f998:72d6::-64");
    // Normalised on the way in.
    assertThat(IpPool.of(Cidr.parse("10.1.1.1/8")).cidr().toString()).isEqualTo("10.0.0.0/8");
    IpPool off = new IpPool(Cidr.parse("10.20.0.0/16"), false, false, false, true);
    assertThat(PoolJson.write(off))
        .isEqualTo("{\"cidr\": \"10.20.0.0/16\", \"ipam\": false, \"disabled\": true}");
  }

  @Test
  void blockAfterAssigningDotOneIsTheSpecExample() {
    AllocationBlock block =
        AllocationBlock.empty(Cidr.parse("192.168.0.0/26"), "calico-01", false)
            .assign(InetAddresses.forString("192.168.0.1"), null, Map.of(), "calico-01");
    StringJoiner alloc = new StringJoiner(", ", "[", "]");
    StringJoiner free = new StringJoiner(", ", "[", "]");
    for (int i = 0; i < 64; i++) {
      alloc.add(i == 1 ? "0" : "null");
      if (i != 1) {
        free.add(Integer.toString(i));
      }
    }
    String json = BlockJson.write(block);
    assertThat(json)
        .isEqualTo(
            "{\"cidr\": \"192.168.0.0/26\", \"affinity\": \"host:calico-01\", \"allocations\": "
                + alloc
                + ", \"attributes\": [{\"handle_id\": null, \"secondary\": {}}], \"unallocated\": "
                + free
                + "}");
    assertThat(CalicoKeys.block(block.cidr()).path())
        .isEqualTo("/calico/ipam/v2/assignment/ipv4/block/192.168.0.0-26");
    assertThat(CalicoKeys.affinity("calico-01", block.cidr()).path())
        .isEqualTo("/calico/ipam/v2/host/calico-01/ipv4/block/192.168.0.0-26");
    assertThat(BlockJson.read(json)).isEqualTo(block);
  }

  @Test
  void blockReaderRebuildsUnallocatedAndAcceptsBothStrictSpellings() {
    StringJoiner alloc = new StringJoiner(", ", "[", "]");
    for (int i = 0; i < 64; i++) {
      alloc.add(i == 5 ? "0" : "null");
    }
    String goStyle =
        "{\"cidr\": \"10.0.0.64/26\", \"affinity\": null, \"strictAffinity\": true, \"allocations\": "
            + alloc
            + ", \"attributes\": [{\"handle_id\": \"h\", \"secondary\": {\"k\": \"v\"}}], \"extra\": 1}";
    AllocationBlock b = BlockJson.read(goStyle);
    assertThat(b.strictAffinity()).isTrue();
    assertThat(b.affinityHost()).isEmpty();
    assertThat(b.unallocated()).hasSize(63).doesNotContain(5).startsWith(0, 1, 2, 3, 4, 6);
    assertThat(
            BlockJson.read(goStyle.replace("strictAffinity", "strict_affinity")).strictAffinity())
        .isTrue();
  }

  @Test
  void handleAndIpamConfig() {
    assertThat(BlockJson.handle("abc123", Map.of(Cidr.parse("192.168.0.0/26"), 2)))
        .isEqualTo("{\"id\": \"abc123\", \"block\": {\"192.168.0.0/26\": 2}}");
    assertThat(CalicoKeys.handle("abc123").path()).isEqualTo("/calico/ipam/v2/handle/abc123");
    assertThat(BlockJson.config(IpamConfig.DEFAULT))
        .isEqualTo("{\"auto_allocate_blocks\": true, \"strict_affinity\": false}");
    assertThatThrownBy(() -> new IpamConfig(false, false))
        .hasMessageContaining("Cannot disable 'strict_affinity' and 'auto_allocate_blocks'");
  }

  @Test
  void nonAsciiIsEscapedLikeJsonDumps() {
    assertThat(ProfileJson.labels(Map.of("k", "é"))).isEqualTo("{\"k\": \"\\u00E9\"}");
  }
}
