package io.github.calicoj.node.internal.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.node.internal.Kvs;
import io.github.calicoj.node.internal.model.EndpointToHostAction;
import io.github.calicoj.node.internal.model.Problem;
import io.github.calicoj.node.internal.model.Snapshot;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SnapshotDecoderTest {

  @Test
  void theSpecSetupDecodes() throws Exception {
    Snapshot s = Kvs.spec6().snapshot("h1");
    assertThat(s.ready()).isTrue();
    assertThat(s.problems()).isEmpty();
    assertThat(s.endpoints()).hasSize(5);
    assertThat(s.localEndpoints())
        .extracting(e -> e.endpointId())
        .containsExactly(Kvs.A, Kvs.B, Kvs.C);
    assertThat(s.profiles().keySet()).containsExactly("P", "Q");
    assertThat(s.profiles().get("P").tags()).containsExactly("P");
    assertThat(s.pools().keySet()).containsExactly(Cidr.parse("192.168.0.0/16"));
    assertThat(s.hosts().get("h2").ipv4()).isEqualTo(InetAddress.getByName("172.31.0.2"));
    assertThat(s.hosts().get("h2").ipv6()).isNull(); // ip_addr_v6 "" means none
    assertThat(s.affinities().get("h2")).containsExactly(Cidr.parse("192.168.0.64/26"));
    assertThat(s.config().endpointToHostAction()).isEqualTo(EndpointToHostAction.RETURN);
  }

  @Test
  void configPrecedenceIsOverrideThenHostThenGlobal() {
    SnapshotDecoder d = new SnapshotDecoder("h1", Map.of("IpInIpEnabled", "true"));
    d.put(Key.of("/calico/v1/config/DefaultEndpointToHostAction"), "ACCEPT");
    d.put(Key.of("/calico/v1/config/IpInIpEnabled"), "false");
    d.put(Key.of("/calico/v1/config/IptablesMarkMask"), "0x0000ff00");
    assertThat(d.snapshot().config().endpointToHostAction()).isEqualTo(EndpointToHostAction.ACCEPT);
    d.put(Key.of("/calico/v1/host/h2/config/DefaultEndpointToHostAction"), "RETURN"); // not ours
    assertThat(d.snapshot().config().endpointToHostAction()).isEqualTo(EndpointToHostAction.ACCEPT);
    d.put(Key.of("/calico/v1/host/h1/config/DefaultEndpointToHostAction"), "RETURN");
    Snapshot s = d.snapshot();
    assertThat(s.config().endpointToHostAction()).isEqualTo(EndpointToHostAction.RETURN);
    assertThat(s.config().ipInIpEnabled()).isTrue();
    assertThat(s.config().acceptMark()).isEqualTo(0x100);
    d.delete(Key.of("/calico/v1/host/h1/config/DefaultEndpointToHostAction"));
    assertThat(d.snapshot().config().endpointToHostAction()).isEqualTo(EndpointToHostAction.ACCEPT);
  }

  @Test
  void badConfigKeepsDefaultsAndIsReported() {
    SnapshotDecoder d = new SnapshotDecoder("h1", Map.of());
    d.put(Key.of("/calico/v1/config/DefaultEndpointToHostAction"), "return"); // case-sensitive
    d.put(Key.of("/calico/v1/config/IptablesMarkMask"), "0");
    d.put(Key.of("/calico/v1/config/InterfacePrefix"), "tap, ,cali");
    Snapshot s = d.snapshot();
    assertThat(s.config().endpointToHostAction()).isEqualTo(EndpointToHostAction.DROP);
    assertThat(s.config().markMask()).isEqualTo(0xff000000);
    assertThat(s.config().interfacePrefixes()).containsExactly("tap", "cali");
    assertThat(s.problems())
        .extracting(Problem::subject)
        .containsExactly("config DefaultEndpointToHostAction", "config IptablesMarkMask");
  }

  @Test
  void invalidRulesMakeTheProfileRuleless_badTagsDropTheTagList() {
    Snapshot s =
        Kvs.spec6()
            .rules("P", "{\"inbound_rules\": [{\"protocol\": \"tcp\", \"dst_ports\": [\"80\"]}]}")
            .tags("Q", "[\"Q\", \"bad tag\"]")
            .snapshot("h1");
    assertThat(s.profiles().get("P").rules()).isNull();
    assertThat(s.profiles().get("P").tags()).containsExactly("P");
    assertThat(s.profiles().get("Q").tags()).isEmpty();
    assertThat(s.profiles().get("Q").rules()).isNotNull();
    assertThat(s.problems())
        .extracting(Problem::subject)
        .containsExactly("/calico/v1/policy/profile/P/rules", "/calico/v1/policy/profile/Q/tags");
    assertThat(s.problems().first().message())
        .startsWith("invalid rules, the profile drops all its traffic: Invalid port \"80\"");
  }

  @Test
  void aProblemLastsUntilItsKeyIsWrittenAgain() {
    SnapshotDecoder d = new SnapshotDecoder("h1", Map.of());
    Key rules = Key.of("/calico/v1/policy/profile/P/rules");
    d.put(rules, "{\"inbound_rules\": [{\"bogus\": 1}]}");
    assertThat(d.snapshot().problems()).hasSize(1);
    assertThat(d.snapshot().profiles().get("P").rules()).isNull();
    d.put(rules, "{\"inbound_rules\": [{}]}");
    assertThat(d.snapshot().problems()).isEmpty();
    assertThat(d.snapshot().profiles().get("P").rules()).isNotNull();
    d.delete(rules);
    assertThat(d.snapshot().profiles()).isEmpty();
  }

  @Test
  void anInvalidEndpointIsAbsent() {
    Kvs k = Kvs.spec6();
    String key = Kvs.endpointKey("h1", Kvs.A);
    k.put(key, "{\"state\": \"up\", \"name\": \"caliaaaaaaaaaaa\"}");
    Snapshot s = k.snapshot("h1");
    assertThat(s.endpoints()).doesNotContainKey(key).hasSize(4);
    assertThat(s.problems()).extracting(Problem::subject).containsExactly(key);
  }

  @Test
  void changingTheInterfacePrefixRevalidatesLocalEndpoints() {
    SnapshotDecoder d = new SnapshotDecoder("h1", Map.of());
    Kvs.spec6().entries().forEach(kv -> d.put(kv.key(), kv.value()));
    d.put(Key.of("/calico/v1/config/InterfacePrefix"), "tap");
    Snapshot s = d.snapshot();
    assertThat(s.localEndpoints()).isEmpty();
    assertThat(s.endpoints()).hasSize(2); // h2's endpoints are not checked against our prefix
    assertThat(s.problems()).hasSize(3);
    d.put(Key.of("/calico/v1/config/InterfacePrefix"), "tap,cali");
    assertThat(d.snapshot().localEndpoints()).hasSize(3);
    assertThat(d.snapshot().problems()).isEmpty();
  }

  @Test
  void poolsHostsAndAffinities() throws Exception {
    Snapshot s =
        Kvs.empty()
            .put(
                "/calico/v1/ipam/v4/pool/10.10.0.0-16",
                "{\"cidr\": \"10.10.0.0/16\", \"ipip\": \"tunl0\", \"masquerade\": true}")
            .put("/calico/v1/ipam/v6/pool/fd80::-64", "{\"cidr\": \"fd80::/64\"}")
            .put(
                "/calico/v1/ipam/v4/pool/10.20.0.0-16",
                "{\"cidr\": \"10.20.0.0/16\", \"masquerade\": \"yes\"}")
            .put("/calico/v1/ipam/v4/pool/10.30.0.0-16", "{\"cidr\": \"fd81::/64\"}")
            .put("/calico/v1/host/h3/bird_ip", "10.0.0.3")
            .put("/calico/bgp/v1/host/h4/ip_addr_v4", "not-an-ip")
            .put("/calico/v1/host/h4/bird_ip", "10.0.0.4")
            .put("/calico/bgp/v1/host/h4/ip_addr_v6", "fd00::4")
            .put("/calico/ipam/v2/host/h3/ipv4/block/10.10.0.0-26", "")
            .put("/calico/ipam/v2/host/h3/ipv6/block/fd80::-122", "")
            .snapshot("h1");
    assertThat(s.pools().values())
        .containsExactly(
            new IpPool(Cidr.parse("10.10.0.0/16"), true, true, true, false),
            IpPool.of(Cidr.parse("fd80::/64")));
    assertThat(s.hosts().get("h3").ipv4()).isEqualTo(InetAddress.getByName("10.0.0.3"));
    assertThat(s.hosts().get("h4").ipv4()).isEqualTo(InetAddress.getByName("10.0.0.4"));
    assertThat(s.hosts().get("h4").ipv6()).isEqualTo(InetAddress.getByName("fd00::4"));
    assertThat(s.affinities().get("h3"))
        .containsExactly(Cidr.parse("10.10.0.0/26"), Cidr.parse("fd80::/122"));
    assertThat(s.problems())
        .extracting(Problem::subject)
        .containsExactly(
            "/calico/bgp/v1/host/h4/ip_addr_v4",
            "/calico/v1/ipam/v4/pool/10.20.0.0-16",
            "/calico/v1/ipam/v4/pool/10.30.0.0-16");
    assertThat(s.ready()).isFalse();
  }

  @Test
  void unrelatedKeysAreIgnored() {
    Snapshot s =
        Kvs.empty()
            .put("/calico/ipam/v2/assignment/ipv4/block/10.0.0.0-26", "{}")
            .put("/calico/felix/v1/host/h1/status", "{}")
            .put("/calico/v1/policy/profile/P/labels", "{}")
            .put("/calico/v1/Ready", "false")
            .snapshot("h1");
    assertThat(s.problems()).isEmpty();
    assertThat(s.profiles()).isEmpty();
    assertThat(s.ready()).isFalse();
    assertThat(List.copyOf(s.endpoints().values())).isEmpty();
  }
}
