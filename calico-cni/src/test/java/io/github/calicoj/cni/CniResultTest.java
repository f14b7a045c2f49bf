package io.github.calicoj.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.netns.InterfaceName;
import java.util.List;
import org.junit.jupiter.api.Test;

class CniResultTest {

  private static final String NETNS = "/run/netns/netns-1";

  private static CniResult result(String address) {
    WorkloadEndpoint ep =
        WorkloadEndpoint.builder()
            .hostname("node-1")
            .orchestratorId("cni")
            .workloadId("0123abcd")
            .endpointId("0123456789abcdef0123456789abcdef")
            .mac("0a:58:0a:00:00:05")
            .profileIds(List.of("calicoj-net"))
            .addNet(Cidr.host(InetAddresses.forString(address)))
            .build();
    return AddCommand.result(
        ep,
        InterfaceName.of("eth0"),
        NETNS,
        new Dns(List.of("10.0.0.53"), null, List.of(), List.of()));
  }

  @Test
  void version100ResultHasNoIpVersion() {
    assertThat(result("10.65.0.5").toJson(CniVersion.V1_0_0).toString())
        .isEqualTo(
            "{\"cniVersion\":\"1.0.0\",\"interfaces\":["
                + "{\"name\":\"cali0123456789a\",\"mac\":\"ee:ee:ee:ee:ee:ee\"},"
                + "{\"name\":\"eth0\",\"mac\":\"0a:58:0a:00:00:05\",\"sandbox\":\"/run/netns/netns-1\"}],"
                + "\"ips\":[{\"address\":\"10.65.0.5/32\",\"gateway\":\"169.254.1.1\",\"interface\":1}],"
                + "\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"169.254.1.1\"}],"
                + "\"dns\":{\"nameservers\":[\"10.0.0.53\"]}}");
  }

  @Test
  void version040ResultNamesEachIpsVersion() {
    assertThat(result("fd00:65::5").toJson(CniVersion.V0_4_0).toString())
        .isEqualTo(
            "{\"cniVersion\":\"0.4.0\",\"interfaces\":["
                + "{\"name\":\"cali0123456789a\",\"mac\":\"ee:ee:ee:ee:ee:ee\"},"
                + "{\"name\":\"eth0\",\"mac\":\"0a:58:0a:00:00:05\",\"sandbox\":\"/run/netns/netns-1\"}],"
                + "\"ips\":[{\"version\":\"6\",\"address\":\"fd00:65::5/128\","
                + "\"gateway\":\"fe80::ecee:eeff:feee:eeee\",\"interface\":1}],"
                + "\"routes\":[{\"dst\":\"::/0\",\"gw\":\"fe80::ecee:eeff:feee:eeee\"}],"
                + "\"dns\":{\"nameservers\":[\"10.0.0.53\"]}}");
  }

  @Test
  void readsBackWhatItWrites() {
    CniResult r = result("10.65.0.5");
    for (CniVersion v : CniVersion.values()) {
      assertThat(CniResult.parse(r.toJson(v))).isEqualTo(r);
    }
    assertThat(r.sandboxInterface("eth0")).contains(r.interfaces().get(1));
    assertThat(r.sandboxInterface("cali0123456789a")).isEmpty();
  }

  @Test
  void readsAnotherPluginsResult() throws Exception {
    CniResult r =
        CniResult.parse(
            Json.MAPPER.readTree(
                "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"veth1\",\"mac\":\"96:55:a2:02:15:1f\"},"
                    + "{\"name\":\"eth1\",\"mac\":\"ae:bb:eb:db:a8:28\",\"sandbox\":\"/x\"}],"
                    + "\"ips\":[{\"interface\":1,\"address\":\"10.124.0.7/16\",\"gateway\":\"10.124.0.1\"}],"
                    + "\"dns\":{}}"));
    assertThat(r.ips()).hasSize(1);
    assertThat(r.ips().get(0).address().prefixLength()).isEqualTo(16);
    assertThat(r.routes()).isEmpty();
    assertThat(r.dns()).isEqualTo(Dns.NONE);
  }

  @Test
  void aBadPreviousResultIsADecodeFailure() {
    assertThatThrownBy(
            () ->
                CniResult.parse(
                    Json.MAPPER.readTree(
                        "{\"interfaces\":[{\"name\":\"eth0\"}],\"ips\":[{\"address\":\"10.0.0.1\","
                            + "\"interface\":3}]}")))
        .isInstanceOfSatisfying(
            CniException.class, e -> assertThat(e.code()).isEqualTo(CniCode.DECODE_FAILURE))
        .hasMessage(
            "prevResult.ips[].interface must be an index into prevResult.interfaces, not 3");
    assertThatThrownBy(
            () -> CniResult.parse(Json.MAPPER.readTree("{\"ips\":[{\"address\":\"10.0.0.1\"}]}")))
        .hasMessage("prevResult.ips[].address \"10.0.0.1\" is not a CIDR");
    assertThatThrownBy(() -> CniResult.parse(Json.MAPPER.readTree("{\"routes\":{}}")))
        .hasMessage("prevResult.routes must be a list, not {}");
  }
}
