package io.github.calicoj.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.HostConfig;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.model.Names;
import io.github.calicoj.core.model.PortRange;
import io.github.calicoj.core.model.Rule;
import io.github.calicoj.core.model.WorkloadEndpoint;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Validation, by the reference's (pycalico's) rules: every bad value is refused with a message
 * naming it.
 */
class ModelTest {

  @Test
  void profileNamesAndTags() {
    assertThat(Names.checkProfileName("PROF_A-1.x")).isEqualTo("PROF_A-1.x");
    assertThatThrownBy(() -> Names.checkProfileName("bad name"))
        .hasMessageContaining("can only contain numbers, letters, dots, dashes and underscores")
        .hasMessageContaining("bad name");
    assertThatThrownBy(() -> Names.checkTag("a/b")).hasMessageContaining("a/b");
    assertThat(Names.escapeWorkloadId("/var/run/netns/x")).isEqualTo("-var-run-netns-x");
  }

  @Test
  void ports() {
    assertThat(PortRange.parse("80").isSingle()).isTrue();
    assertThat(PortRange.parse("80-90").toString()).isEqualTo("80:90");
    assertThatThrownBy(() -> PortRange.parse("90:80"))
        .hasMessageContaining("minimum (90) > maximum (80)");
    assertThatThrownBy(() -> PortRange.parse("70000")).hasMessageContaining("out-of-range");
    assertThatThrownBy(() -> PortRange.range(80, 80)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rules() {
    assertThatThrownBy(() -> Rule.builder("accept").build())
        .hasMessageContaining("'accept' is not allowed for key 'action'");
    assertThatThrownBy(() -> Rule.builder("allow").dstPorts(List.of(PortRange.of(80))).build())
        .hasMessageContaining("Ports are not valid with protocol");
    assertThatThrownBy(() -> Rule.builder("allow").protocol("icmp").icmpType(256).build())
        .hasMessageContaining("Invalid ICMP type or ICMP code specified.");
    assertThatThrownBy(() -> Rule.builder("allow").icmpCode(1).build())
        .hasMessageContaining("needs an ICMP type");
    assertThatThrownBy(
            () ->
                Rule.builder("allow")
                    .srcNet(Cidr.parse("10.0.0.0/8"))
                    .dstNet(Cidr.parse("fd00::/8"))
                    .build())
        .hasMessageContaining("Invalid or unmatching IP versions for SRCCIDR/DSTCIDR.");
    assertThatThrownBy(
            () -> Rule.builder("allow").protocol("icmp").srcNet(Cidr.parse("fd00::/8")).build())
        .hasMessageContaining("unmatching");
    assertThat(
            Rule.builder("allow")
                .protocol("tcp")
                .srcTag("web")
                .dstPorts(List.of(PortRange.of(80)))
                .build()
                .pprint())
        .isEqualTo("allow tcp from tag web to ports 80");
  }

  @Test
  void cidrs() {
    Cidr c = Cidr.parse("10.65.0.7/24");
    assertThat(c.toString()).isEqualTo("10.65.0.7/24");
    assertThat(c.normalized().toString()).isEqualTo("10.65.0.0/24");
    assertThat(Cidr.parse("10.0.0.1").prefixLength()).isEqualTo(32);
    assertThat(Cidr.parse("10.0.0.0/16").contains(Cidr.parse("10.0.5.0/26"))).isTrue();
    assertThat(Cidr.parse("10.0.0.0/16").overlaps(Cidr.parse("10.0.0.0/8"))).isTrue();
    assertThat(Cidr.fromKeySegment("fd80:24e2:f998:72d6::-64"))
        .isEqualTo(Cidr.parse("fd80:24e2:f998:72d6::/64"));
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).hasMessageContaining("10.0.0.0/33");
    assertThatThrownBy(() -> Cidr.parse("nope")).hasMessageContaining("Invalid CIDR: nope");
  }

  @Test
  void pools() {
    assertThatThrownBy(() -> IpPool.of(Cidr.parse("10.0.0.0/27")))
        .hasMessageContaining("must have a prefix length of 26 or lower. Given: 27");
    assertThatThrownBy(() -> IpPool.of(Cidr.parse("fd00::/64")).withOptions(true, false))
        .hasMessageContaining("IP in IP not supported for IPv6 pools");
  }

  @Test
  void endpoints() {
    assertThatThrownBy(
            () ->
                WorkloadEndpoint.builder()
                    .hostname("h")
                    .orchestratorId("docker")
                    .workloadId("w")
                    .endpointId("a/b")
                    .build())
        .hasMessageContaining("a/b");
    // Any key segment is read (other tools' ids); only this library's own form is "generated".
    assertThat(
            WorkloadEndpoint.builder()
                .hostname("h")
                .orchestratorId("docker")
                .workloadId("w")
                .endpointId("NOT-HEX")
                .build()
                .name())
        .isEqualTo("caliNOT-HEX");
    assertThat(WorkloadEndpoint.isGeneratedId("NOT-HEX")).isFalse();
    assertThat(WorkloadEndpoint.isGeneratedId("0123456789abcdef0123456789abcdef")).isTrue();
    WorkloadEndpoint.Builder b =
        WorkloadEndpoint.builder()
            .hostname("h")
            .orchestratorId("docker")
            .workloadId("w")
            .endpointId("0123456789abcdef0123456789abcdef");
    assertThat(b.build().name()).isEqualTo("cali0123456789a");
    assertThat(b.mac("EE:EE:EE:EE:EE:EE").build().mac()).isEqualTo("EE:EE:EE:EE:EE:EE"); // as read
    assertThatThrownBy(() -> b.mac("ee-ee-ee-ee-ee-ee").build()).hasMessageContaining("Bad MAC");
    assertThatThrownBy(() -> b.mac(null).addNet(Cidr.parse("10.0.0.0/24")).build())
        .hasMessageContaining("Only /32 and /128");
    assertThatThrownBy(() -> new HostConfig("h", null, null, "99999999999"))
        .hasMessageContaining("Invalid AS number");
  }
}
