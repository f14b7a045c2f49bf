package io.github.calicoj.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.client.IpRequest;
import io.github.calicoj.core.model.Cidr;
import java.util.List;
import org.junit.jupiter.api.Test;

class AddressPlanTest {

  private static NetConf conf(String extra) {
    return NetConf.parse(NetConfTest.conf(extra));
  }

  private static List<List<IpRequest>> plan(String extra, CniArgs args) {
    return AddressPlan.of(conf(extra), args).families();
  }

  private static void assertRefused(String extra, String args, CniCode code, String message) {
    assertThatThrownBy(() -> AddressPlan.of(conf(extra), CniArgs.parse(args)))
        .isInstanceOfSatisfying(CniException.class, e -> assertThat(e.code()).isEqualTo(code))
        .hasMessage(message);
  }

  @Test
  void byDefaultAnyIpv4() {
    assertThat(plan("", CniArgs.NONE)).containsExactly(List.of(new IpRequest.Auto(4)));
  }

  @Test
  void ipv6Only() {
    assertThat(plan(",\"ipam\":{\"assign_ipv4\":false,\"assign_ipv6\":true}", CniArgs.NONE))
        .containsExactly(List.of(new IpRequest.Auto(6)));
  }

  @Test
  void configuredPoolsInOrder() {
    assertThat(plan(",\"ipam\":{\"ipv4_pools\":[\"10.2.0.0/16\",\"10.1.0.0/16\"]}", CniArgs.NONE))
        .containsExactly(
            List.of(
                new IpRequest.FromPool(Cidr.parse("10.2.0.0/16")),
                new IpRequest.FromPool(Cidr.parse("10.1.0.0/16"))));
  }

  @Test
  void aRequestedAddressFromEitherSource() {
    List<IpRequest> want = List.of(new IpRequest.Specific(InetAddresses.forString("10.1.0.7")));
    assertThat(plan("", CniArgs.parse("IP=10.1.0.7"))).containsExactly(want);
    assertThat(plan(",\"runtimeConfig\":{\"ips\":[\"10.1.0.7/16\"]}", CniArgs.NONE))
        .containsExactly(want);
    // the same address from both is one request
    assertThat(plan(",\"runtimeConfig\":{\"ips\":[\"10.1.0.7/16\"]}", CniArgs.parse("IP=10.1.0.7")))
        .containsExactly(want);
    // inside the configured pools
    assertThat(plan(",\"ipam\":{\"ipv4_pools\":[\"10.1.0.0/16\"]}", CniArgs.parse("IP=10.1.0.7")))
        .containsExactly(want);
    // a requested address decides the family, whatever the assign flags say
    assertThat(plan(",\"ipam\":{\"assign_ipv6\":true}", CniArgs.parse("IP=10.1.0.7")))
        .containsExactly(want);
  }

  @Test
  void bothFamiliesIpv4First() {
    assertThat(
            plan(
                ",\"ipam\":{\"assign_ipv6\":true,\"ipv6_pools\":[\"fd00:2::/64\",\"fd00:1::/64\"]}",
                CniArgs.NONE))
        .containsExactly(
            List.of(new IpRequest.Auto(4)),
            List.of(
                new IpRequest.FromPool(Cidr.parse("fd00:2::/64")),
                new IpRequest.FromPool(Cidr.parse("fd00:1::/64"))));
    // One requested address of each family, from either source.
    assertThat(plan(",\"runtimeConfig\":{\"ips\":[\"fd00::7/64\"]}", CniArgs.parse("IP=10.1.0.7")))
        .containsExactly(
            List.of(new IpRequest.Specific(InetAddresses.forString("10.1.0.7"))),
            List.of(new IpRequest.Specific(InetAddresses.forString("fd00::7"))));
  }

  @Test
  void refusals() {
    assertRefused(
        ",\"ipam\":{\"ipv4_pools\":[\"10.2.0.0/16\"]}",
        "IP=10.1.0.7",
        CniCode.ADDRESS_UNAVAILABLE,
        "Requested IP 10.1.0.7 is not in ipam.ipv4_pools [10.2.0.0/16]");
    assertRefused(
        ",\"ipam\":{\"ipv6_pools\":[\"fd00:2::/64\"]}",
        "IP=10.1.0.7,fd00::7",
        CniCode.ADDRESS_UNAVAILABLE,
        "Requested IP fd00::7 is not in ipam.ipv6_pools [fd00:2::/64]");
    assertRefused(
        ",\"runtimeConfig\":{\"ips\":[\"10.1.0.8/16\"]}",
        "IP=10.1.0.7",
        CniCode.INVALID_CONFIG,
        "More than one IPv4 address requested (10.1.0.7, 10.1.0.8 from CNI_ARGS IP and"
            + " runtimeConfig.ips)");
    assertRefused(
        ",\"ipam\":{\"assign_ipv4\":false}",
        "",
        CniCode.INVALID_CONFIG,
        "ipam.assign_ipv4 and ipam.assign_ipv6 are both false and no IP was requested");
  }
}
