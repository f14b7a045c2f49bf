package io.github.calicoj.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.client.IpRequest;
import io.github.calicoj.core.model.Cidr;
import org.junit.jupiter.api.Test;

class AddressPlanTest {

  private static NetConf conf(String extra) {
    return NetConf.parse(NetConfTest.conf(extra));
  }

  private static void assertRefused(String extra, String args, CniCode code, String message) {
    assertThatThrownBy(() -> AddressPlan.of(conf(extra), CniArgs.parse(args)))
        .isInstanceOfSatisfying(CniException.class, e -> assertThat(e.code()).isEqualTo(code))
        .hasMessage(message);
  }

  @Test
  void byDefaultAnyIpv4() {
    assertThat(AddressPlan.of(conf(""), CniArgs.NONE)).containsExactly(new IpRequest.Auto(4));
  }

  @Test
  void ipv6Only() {
    assertThat(
            AddressPlan.of(
                conf(",\"ipam\":{\"assign_ipv4\":false,\"assign_ipv6\":true}"), CniArgs.NONE))
        .containsExactly(new IpRequest.Auto(6));
  }

  @Test
  void configuredPoolsInOrder() {
    assertThat(
            AddressPlan.of(
                conf(",\"ipam\":{\"ipv4_pools\":[\"10.2.0.0/16\",\"10.1.0.0/16\"]}"), CniArgs.NONE))
        .containsExactly(
            new IpRequest.FromPool(Cidr.parse("10.2.0.0/16")),
            new IpRequest.FromPool(Cidr.parse("10.1.0.0/16")));
  }

  @Test
  void aRequestedAddressFromEitherSource() {
    IpRequest want = new IpRequest.Specific(InetAddresses.forString("10.1.0.7"));
    assertThat(AddressPlan.of(conf(""), CniArgs.parse("IP=10.1.0.7"))).containsExactly(want);
    assertThat(AddressPlan.of(conf(",\"runtimeConfig\":{\"ips\":[\"10.1.0.7/16\"]}"), CniArgs.NONE))
        .containsExactly(want);
    // the same address from both is one request
    assertThat(
            AddressPlan.of(
                conf(",\"runtimeConfig\":{\"ips\":[\"10.1.0.7/16\"]}"),
                CniArgs.parse("IP=10.1.0.7")))
        .containsExactly(want);
    // inside the configured pools
    assertThat(
            AddressPlan.of(
                conf(",\"ipam\":{\"ipv4_pools\":[\"10.1.0.0/16\"]}"), CniArgs.parse("IP=10.1.0.7")))
        .containsExactly(want);
  }

  @Test
  void refusals() {
    assertRefused(
        ",\"ipam\":{\"ipv4_pools\":[\"10.2.0.0/16\"]}",
        "IP=10.1.0.7",
        CniCode.ADDRESS_UNAVAILABLE,
        "Requested IP 10.1.0.7 is not in ipam.ipv4_pools [10.2.0.0/16]");
    assertRefused(
        "",
        "IP=10.1.0.7,fd00::7",
        CniCode.UNSUPPORTED_FIELD,
        "IPv4 and IPv6 addresses requested (10.1.0.7, fd00::7): this plugin gives a container one"
            + " address family");
    assertRefused(
        ",\"runtimeConfig\":{\"ips\":[\"10.1.0.8/16\"]}",
        "IP=10.1.0.7",
        CniCode.INVALID_CONFIG,
        "More than one address requested (10.1.0.7, 10.1.0.8 from CNI_ARGS IP and"
            + " runtimeConfig.ips)");
    assertRefused(
        ",\"ipam\":{\"assign_ipv6\":true}",
        "",
        CniCode.UNSUPPORTED_FIELD,
        "ipam.assign_ipv4 and ipam.assign_ipv6 are both true: this plugin gives a container one"
            + " address family");
    assertRefused(
        ",\"ipam\":{\"assign_ipv4\":false}",
        "",
        CniCode.INVALID_CONFIG,
        "ipam.assign_ipv4 and ipam.assign_ipv6 are both false and no IP was requested");
  }
}
