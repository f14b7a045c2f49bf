package io.github.calicoj.netns;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.calicoj.testkit.IpOracle;
import io.github.calicoj.testkit.Requirements;
import io.github.calicoj.testkit.TestNamespace;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Routes tagged with a protocol number, against the real kernel in a test namespace: replace,
 * delete and the filtered dump, each checked with {@code ip -j route show proto N}. Needs root.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class OwnedRoutesIT {
  private static final int PROTO = 202;
  private TestNamespace ns;
  private NetNs handle;
  private Netlink nl;
  private final InterfaceName link = InterfaceName.of("cjtr0");

  @BeforeEach
  void setUp() {
    Requirements.requireRoot();
    Requirements.require(
        NetnsSupport.isAvailable(), "netns support: " + NetnsSupport.unavailabilityCause());
    ns = TestNamespace.create();
    ns.ip("link", "add", link.value(), "type", "veth", "peer", "name", "cjtr1");
    ns.ip("addr", "add", "172.31.0.1/24", "dev", link.value());
    ns.ip("addr", "add", "fd00:1::1/64", "dev", link.value(), "nodad");
    ns.ip("link", "set", link.value(), "up");
    ns.ip("link", "set", "cjtr1", "up");
    handle = NetNs.open(ns.path());
    nl = Netlink.openIn(handle);
  }

  @AfterEach
  void tearDown() {
    if (nl != null) {
      nl.close();
    }
    if (handle != null) {
      handle.close();
    }
    if (ns != null) {
      ns.close();
    }
  }

  /** {@code ip -j -4|-6 route show proto N}, each route as "TYPE DST GATEWAY DEV". */
  private List<String> oracle(int proto) {
    List<String> out = new ArrayList<>();
    for (boolean v4 : new boolean[] {true, false}) {
      JsonNode routes =
          IpOracle.ipJson(
              ns.name(), v4 ? "-4" : "-6", "route", "show", "proto", Integer.toString(proto));
      for (JsonNode r : routes) {
        out.add(
            r.path("type").asText("unicast")
                + " "
                + r.path("dst").asText()
                + " "
                + r.path("gateway").asText("-")
                + " "
                + r.path("dev").asText("-"));
      }
    }
    return out;
  }

  private static IpPrefix p(String text) {
    return IpPrefix.parse(text);
  }

  private static InetAddress a(String text) throws Exception {
    return InetAddress.getByName(text);
  }

  @Test
  void replaceListAndDeleteRoutesOfBothFamilies() throws Exception {
    OwnedRoute via = OwnedRoute.via(p("10.65.1.0/26"), a("172.31.0.2"), PROTO);
    OwnedRoute hole = OwnedRoute.blackhole(p("10.65.0.0/26"), PROTO);
    OwnedRoute dev = OwnedRoute.device(p("10.65.0.7/32"), link, PROTO);
    OwnedRoute via6 = OwnedRoute.via(p("fd00:65:1::/122"), a("fd00:1::2"), PROTO);
    OwnedRoute hole6 = OwnedRoute.blackhole(p("fd00:65::/122"), PROTO);
    OwnedRoute dev6 = OwnedRoute.device(p("fd00:65::7/128"), link, PROTO);
    for (OwnedRoute r : List.of(via, hole, dev, via6, hole6, dev6)) {
      nl.replaceRoute(r);
      nl.replaceRoute(r); // idempotent
    }
    ns.ip("route", "add", "10.99.0.0/24", "via", "172.31.0.3", "proto", "boot");
    ns.ip("route", "add", "10.98.0.0/24", "via", "172.31.0.3", "proto", "203");

    assertThat(oracle(PROTO))
        .containsExactlyInAnyOrder(
            "unicast 10.65.1.0/26 172.31.0.2 cjtr0",
            "blackhole 10.65.0.0/26 - -",
            "unicast 10.65.0.7 - cjtr0",
            "unicast fd00:65:1::/122 fd00:1::2 cjtr0",
            "blackhole fd00:65::/122 - lo", // ip shows IPv6 blackholes on lo
            "unicast fd00:65::7 - cjtr0");
    List<OwnedRoute> listed = nl.ownedRoutes(PROTO);
    assertThat(listed).hasSize(6);
    for (OwnedRoute wanted : List.of(via, hole, dev, via6, hole6, dev6)) {
      assertThat(listed).as("%s listed", wanted).anyMatch(wanted::matches);
    }
    assertThat(listed.stream().filter(r -> r.destination().equals(via.destination())))
        .singleElement()
        .extracting(OwnedRoute::device)
        .isEqualTo(link); // the kernel's choice, filled in
    assertThat(nl.ownedRoutes(203))
        .singleElement()
        .hasToString("10.98.0.0/24 via 172.31.0.3 dev cjtr0 proto 203");

    assertThat(nl.deleteRoute(hole)).isTrue();
    assertThat(nl.deleteRoute(hole)).isFalse();
    assertThat(nl.deleteRoute(via6)).isTrue();
    assertThat(oracle(PROTO)).hasSize(4).noneMatch(s -> s.contains("10.65.0.0/26"));
    assertThat(oracle(3)).contains("unicast 10.99.0.0/24 172.31.0.3 cjtr0");
  }

  @Test
  void replacingOverwritesTheRouteToTheSameDestination() throws Exception {
    ns.ip("route", "add", "10.65.0.7/32", "dev", link.value(), "proto", "boot");
    nl.replaceRoute(OwnedRoute.via(p("10.65.0.7/32"), a("172.31.0.2"), PROTO));
    assertThat(oracle(3)).noneMatch(s -> s.contains("10.65.0.7"));
    nl.replaceRoute(OwnedRoute.via(p("10.65.0.7/32"), a("172.31.0.3"), PROTO));
    assertThat(oracle(PROTO)).containsExactly("unicast 10.65.0.7 172.31.0.3 cjtr0");
  }

  @Test
  void deleteLeavesAnotherOwnersRouteAlone() throws Exception {
    ns.ip("route", "add", "10.65.0.7/32", "dev", link.value(), "proto", "boot");
    assertThat(nl.deleteRoute(OwnedRoute.device(p("10.65.0.7/32"), link, PROTO))).isFalse();
    assertThat(nl.deleteRoutes(List.of(OwnedRoute.device(p("10.65.0.7/32"), link, PROTO))))
        .isEmpty();
    assertThat(oracle(3)).containsExactly("unicast 10.65.0.7 - cjtr0");
  }

  @Test
  void batchesApplyEveryRouteTheKernelAcceptsAndReportTheOthers() throws Exception {
    List<OwnedRoute> routes = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      routes.add(OwnedRoute.via(p("10.70." + i + ".0/26"), a("172.31.0.2"), PROTO));
    }
    OwnedRoute noDevice = OwnedRoute.device(p("10.71.0.1/32"), InterfaceName.of("cjtnone"), PROTO);
    OwnedRoute unreachable = OwnedRoute.via(p("10.72.0.0/26"), a("192.0.2.1"), PROTO);
    routes.add(100, noDevice);
    routes.add(unreachable);

    Map<OwnedRoute, NetnsException> failed = nl.replaceRoutes(routes);

    assertThat(failed).containsOnlyKeys(noDevice, unreachable);
    assertThat(failed.get(noDevice).errno()).isEqualTo(NetnsException.ENODEV);
    assertThat(failed.get(unreachable).errno()).isEqualTo(NetnsException.ENETUNREACH);
    assertThat(oracle(PROTO)).hasSize(200);
    assertThat(
            new java.util.HashSet<>(
                nl.ownedRoutes(PROTO).stream().map(r -> r.destination()).toList()))
        .hasSize(200);

    List<OwnedRoute> some = new ArrayList<>(routes.subList(0, 50));
    some.add(noDevice); // never there: not a failure
    assertThat(nl.deleteRoutes(some)).isEmpty();
    assertThat(oracle(PROTO)).hasSize(150);
  }
}
