package io.github.calicoj.node.internal.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.WorkloadEndpoint;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Felix 1.4's endpoint validation (common.py validate_endpoint). */
class EndpointDecoderTest {
  private static final String KEY =
      "/calico/v1/host/calico-01/workload/docker/"
          + "4f9954bb20e52e7e5e7953e52a1ad5a5353ba96efe813d1debd195c3cb69f47a"
          + "/endpoint/faadb45a480f11e591fa08002775ba7b";
  // An endpoint as libcalico up to 0.12 (era A) wrote it; ids, MAC and address from calicoctl#461.
  private static final String ERA_A =
      "{\"state\": \"active\", \"name\": \"califaadb45a480\", \"mac\": \"72:ef:5a:87:35:bd\","
          + " \"profile_ids\": [\"PROF_A_C_E\"], \"ipv4_nets\": [\"192.168.0.1/32\"],"
          + " \"ipv6_nets\": [], \"ipv4_gateway\": \"172.17.8.101\", \"ipv6_gateway\": null}";

  private static WorkloadEndpoint local(String json) {
    return EndpointDecoder.decode(KEY, json, "calico-01", List.of("cali"));
  }

  @Test
  void theReferenceExampleDecodes() throws Exception {
    WorkloadEndpoint ep = local(ERA_A);
    assertThat(ep.hostname()).isEqualTo("calico-01");
    assertThat(ep.orchestratorId()).isEqualTo("docker");
    assertThat(ep.endpointId()).isEqualTo("faadb45a480f11e591fa08002775ba7b");
    assertThat(ep.name()).isEqualTo("califaadb45a480");
    assertThat(ep.mac()).isEqualTo("72:ef:5a:87:35:bd");
    assertThat(ep.profileIds()).containsExactly("PROF_A_C_E");
    assertThat(ep.ipv4Nets()).containsExactly(Cidr.parse("192.168.0.1/32"));
    assertThat(ep.ipv4Gateway()).isEqualTo(InetAddress.getByName("172.17.8.101"));
    assertThat(ep.ipv6Gateway()).isNull();
  }

  @Test
  void eraBAndLegacyFields() {
    String eraB =
        "{\"state\": \"inactive\", \"name\": \"califaadb45a480\", \"mac\": \"72:ef:5a:87:35:bd\","
            + " \"profile_id\": \"OLD\", \"ipv6_nets\": [\"fd80::1/128\"], \"labels\": {\"a\": \"b\"}}";
    WorkloadEndpoint ep = local(eraB);
    assertThat(ep.state()).isEqualTo("inactive");
    assertThat(ep.profileIds()).containsExactly("OLD"); // legacy profile_id
    assertThat(ep.ipv4Nets()).isEmpty();
    assertThat(ep.ipv6Nets()).containsExactly(Cidr.parse("fd80::1/128"));
    assertThat(ep.labels()).isEqualTo(Map.of("a", "b"));
  }

  @Test
  void macsAreCanonicalAndOptional() {
    assertThat(EndpointDecoder.canonicalMac("72-EF-5A-87-35-BD")).isEqualTo("72:ef:5a:87:35:bd");
    assertThat(EndpointDecoder.canonicalMac("2:ef:a:87:35:bd")).isEqualTo("02:ef:0a:87:35:bd");
    assertThat(EndpointDecoder.canonicalMac("72EF5A8735BD")).isEqualTo("72:ef:5a:87:35:bd");
    assertThat(EndpointDecoder.canonicalMac("72ef.5a87.35bd")).isEqualTo("72:ef:5a:87:35:bd");
    assertThat(EndpointDecoder.canonicalMac("72:ef:5a:87:35")).isNull();
    assertThat(EndpointDecoder.canonicalMac("72:ef-5a:87:35:bd")).isNull();
    assertThat(local(ERA_A.replace("\"mac\": \"72:ef:5a:87:35:bd\", ", "")).mac()).isNull();
  }

  @Test
  void duplicateProfilesKeepTheFirst() {
    String json = ERA_A.replace("[\"PROF_A_C_E\"]", "[\"B\", \"A\", \"B\"]");
    assertThat(local(json).profileIds()).containsExactly("B", "A");
  }

  @Test
  void onlyLocalEndpointsNeedTheInterfacePrefix() {
    String tap = ERA_A.replace("califaadb45a480", "tapfaadb45a480");
    assertThatThrownBy(() -> local(tap)).hasMessageContaining("does not start with any of [cali]");
    assertThat(EndpointDecoder.decode(KEY, tap, "other-host", List.of("cali")).name())
        .isEqualTo("tapfaadb45a480");
    assertThat(EndpointDecoder.decode(KEY, tap, "calico-01", List.of("cali", "tap")).name())
        .isEqualTo("tapfaadb45a480");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\"state\": \"active\"|\"state\": \"up\"",
        "\"state\": \"active\", |",
        "\"name\": \"califaadb45a480\", |",
        "califaadb45a480|cali.faadb45a48",
        "califaadb45a480|califaadb45a4801",
        "\"mac\": \"72:ef:5a:87:35:bd\"|\"mac\": \"zz:ef:5a:87:35:bd\"",
        "\"mac\": \"72:ef:5a:87:35:bd\"|\"mac\": 5",
        "[\"PROF_A_C_E\"]|[\"PROF A\"]",
        "[\"PROF_A_C_E\"]|[5]",
        "[\"PROF_A_C_E\"]|\"PROF_A_C_E\"",
        "192.168.0.1/32|192.168.0.0/24", // only /32 and /128 work (calico-core's model)
        "192.168.0.1/32|fd80::1/128",
        "192.168.0.1/32|bogus",
        "\"172.17.8.101\"|\"fd80::1\"",
        "\"ipv6_gateway\": null|\"ipv6_gateway\": \"10.0.0.1\"",
        "\"ipv6_gateway\": null|\"expected_ipv4_addrs\": []",
        "\"ipv6_gateway\": null|\"labels\": {\"a\": 1}",
      })
  void invalidEndpoints(String edit) {
    String[] e = edit.split("\\|", -1);
    String json = ERA_A.replace(e[0], e[1]);
    assertThat(json).isNotEqualTo(ERA_A);
    assertThatThrownBy(() -> local(json)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anyFelixIdIsReadAndAnIdFelixRefusesIsInvalid() {
    // Felix accepts any ^[a-zA-Z0-9_.-]+$ id (Calico's CNI plugin wrote "eth0"), and so does
    // calico-core's WorkloadEndpoint when reading.
    String key = KEY.replace("faadb45a480f11e591fa08002775ba7b", "eth0");
    assertThat(EndpointDecoder.decode(key, ERA_A, "calico-01", List.of("cali")).endpointId())
        .isEqualTo("eth0");
    String bad = KEY.replace("faadb45a480f11e591fa08002775ba7b", "a b");
    assertThatThrownBy(() -> EndpointDecoder.decode(bad, ERA_A, "calico-01", List.of("cali")))
        .hasMessageContaining("Invalid endpoint ID");
  }
}
