package io.github.calicoj.node.internal.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.node.internal.Kvs;
import io.github.calicoj.node.internal.model.Problem;
import io.github.calicoj.node.internal.model.Snapshot;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Host-gw routes: other hosts' blocks via their addresses, their borrowed addresses as /32s,
 * blackholes for this host's blocks.
 */
class RouteRendererTest {

  private static List<String> routes(Snapshot s, List<Problem> problems) {
    return RouteRenderer.render(s, problems).values().stream().map(Route::toString).toList();
  }

  @Test
  void eachHostSeesTheOthersBlocksAndBlackholesItsOwn() {
    List<Problem> problems = new ArrayList<>();
    assertThat(routes(Kvs.spec6().snapshot("h2"), problems))
        .containsExactly(
            "192.168.0.0/26 via 172.31.0.1",
            "blackhole 192.168.0.64/26",
            "192.168.0.65/32 dev calieeeeeeeeeee",
            "192.168.0.66/32 dev caliddddddddddd");
    assertThat(problems).isEmpty();
  }

  @Test
  void borrowedAndStaticAddressesGetHostRoutes() {
    Kvs k = Kvs.spec6();
    // E on h2 holds .5, inside h1's block (borrowed); a workload on h3 holds an IP in no block.
    k.endpoint("h2", Kvs.E, "192.168.0.5", "P");
    k.put("/calico/bgp/v1/host/h3/ip_addr_v4", "172.31.0.3");
    k.endpoint("h3", "abcabcabcabc4abc8abcabcabcabcabc", "192.168.9.9", "P");
    k.endpoint("h3", "abcabcabcabd4abc8abcabcabcabcabc", "10.99.0.1", "P"); // in no pool: no route
    List<Problem> problems = new ArrayList<>();
    assertThat(routes(k.snapshot("h1"), problems))
        .containsExactly(
            "blackhole 192.168.0.0/26",
            "192.168.0.1/32 dev caliaaaaaaaaaaa",
            "192.168.0.2/32 dev caliccccccccccc",
            "192.168.0.3/32 dev calibbbbbbbbbbb",
            "192.168.0.5/32 via 172.31.0.2", // more specific than our blackhole
            "192.168.0.64/26 via 172.31.0.2",
            "192.168.9.9/32 via 172.31.0.3");
    assertThat(problems).isEmpty();
  }

  @Test
  void aHostWithoutAnAddressOfTheFamilyGetsNoRouteAndAProblem() {
    Kvs k = Kvs.spec6();
    k.remove("/calico/bgp/v1/host/h2/ip_addr_v4").remove("/calico/v1/host/h2/bird_ip");
    List<Problem> problems = new ArrayList<>();
    assertThat(routes(k.snapshot("h1"), problems)).doesNotContain("192.168.0.64/26 via 172.31.0.2");
    assertThat(problems)
        .contains(
            new Problem(
                "host h2",
                "has no IPv4 address (ip_addr_v4 or bird_ip): no route to 192.168.0.64/26"));
  }

  @Test
  void birdIpIsTheFallback() {
    Kvs k =
        Kvs.spec6()
            .remove("/calico/bgp/v1/host/h2/ip_addr_v4")
            .put("/calico/v1/host/h2/bird_ip", "172.31.9.2");
    assertThat(routes(k.snapshot("h1"), new ArrayList<>()))
        .contains("192.168.0.64/26 via 172.31.9.2");
  }

  @Test
  void ipv6BlocksRouteViaIpAddrV6() {
    Kvs k =
        Kvs.spec6()
            .put("/calico/v1/ipam/v6/pool/fd80::-64", "{\"cidr\": \"fd80::/64\"}")
            .put("/calico/bgp/v1/host/h2/ip_addr_v6", "fd00::2")
            .put("/calico/ipam/v2/host/h2/ipv6/block/fd80::40-122", "");
    assertThat(routes(k.snapshot("h1"), new ArrayList<>())).contains("fd80::40/122 via fd00::2");
  }

  @Test
  void conflictsKeepTheFirstAndAreReported() {
    Kvs k =
        Kvs.spec6().put("/calico/ipam/v2/host/h2/ipv4/block/192.168.0.0-26", ""); // libcalico#58
    List<Problem> problems = new ArrayList<>();
    assertThat(routes(k.snapshot("h1"), problems)).contains("blackhole 192.168.0.0/26");
    assertThat(problems)
        .containsExactly(
            new Problem(
                "route 192.168.0.0/26",
                "wanted by this host's block (blackhole 192.168.0.0/26) and by host h2"
                    + " (192.168.0.0/26 via 172.31.0.2); the first is kept"));
  }

  @Test
  void ipInIpPoolsAreReported() {
    Kvs k =
        Kvs.spec6()
            .put(
                "/calico/v1/ipam/v4/pool/192.168.0.0-16",
                "{\"cidr\": \"192.168.0.0/16\", \"ipip\": \"tunl0\"}");
    List<Problem> problems = new ArrayList<>();
    assertThat(routes(k.snapshot("h1"), problems)).contains("192.168.0.64/26 via 172.31.0.2");
    assertThat(problems).extracting(Problem::subject).containsExactly("pool 192.168.0.0/16");
    assertThat(problems.get(0).message()).startsWith("IP-in-IP is not supported yet");
  }
}
