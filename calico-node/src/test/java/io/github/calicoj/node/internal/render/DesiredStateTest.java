package io.github.calicoj.node.internal.render;

import static io.github.calicoj.node.internal.NftText.chain;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.node.internal.Kvs;
import io.github.calicoj.node.internal.decode.SnapshotDecoder;
import io.github.calicoj.node.internal.model.Direction;
import io.github.calicoj.node.internal.model.IpFamily;
import io.github.calicoj.node.internal.model.Problem;
import io.github.calicoj.node.internal.nft.NftSet;
import io.github.calicoj.node.internal.route.Route;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rendered table of the default profiles and of the behaviours listed in calico-node/README.md
 * (where they are about rendering), host h1 of {@link Kvs#spec6()}: A (.1) and C (.2) in P, B (.3)
 * in Q.
 */
class DesiredStateTest {
  private static final String A = "caliaaaaaaaaaaa";
  // A's and C's profile list is [P]: a list of one profile is that profile's chains.
  private static final String FL_P = "po_P";
  private static final String TL_P = "pi_P";
  private static final String CLEAR = "meta mark set meta mark & 0xfeffffff";
  private static final String ACCEPTED = "meta mark & 0x01000000 == 0x01000000 return";
  private static final String ALLOW = "meta mark set meta mark | 0x01000000 return";

  private static List<String> elements(DesiredState s, String set) {
    NftSet n = s.table().sets().get(set);
    assertThat(n).as("set %s", set).isNotNull();
    return n.elements().stream().map(Cidr::toString).toList();
  }

  /** The keys of a source-check set, as {@code iface . value} (or {@code iface}). */
  private static List<String> keys(DesiredState s, String set) {
    assertThat(s.table().keySets()).as("key set %s", set).containsKey(set);
    return s.table().keySets().get(set).elements().stream().map(Object::toString).toList();
  }

  private static String fl(String... profiles) {
    return NftNames.listChain(Direction.OUTBOUND, List.of(profiles));
  }

  private static String tl(String... profiles) {
    return NftNames.listChain(Direction.INBOUND, List.of(profiles));
  }

  @Test
  void goldenSpec5DefaultProfiles() throws Exception {
    String json = Kvs.spec6().state("h1").replacement().toJson();
    ObjectMapper m = new ObjectMapper();
    try (InputStream golden = getClass().getResourceAsStream("/golden/spec6-h1.json")) {
      assertThat(golden).as("golden file").isNotNull();
      assertThat(m.readTree(json)).isEqualTo(m.readTree(golden));
    }
  }

  @Test
  void sameSnapshotGivesByteIdenticalJson() {
    List<KeyValue> entries = Kvs.spec6().entries();
    String first = SnapshotDecoder.decode("h1", entries).toString();
    String json = DesiredState.of(SnapshotDecoder.decode("h1", entries)).replacement().toJson();
    List<KeyValue> reversed = new ArrayList<>(entries);
    Collections.reverse(reversed);
    assertThat(DesiredState.of(SnapshotDecoder.decode("h1", reversed)).replacement().toJson())
        .isEqualTo(json);
    assertThat(SnapshotDecoder.decode("h1", reversed).toString()).isEqualTo(first);
    assertThat(Kvs.spec6().state("h1")).isEqualTo(Kvs.spec6().state("h1"));
  }

  @Test
  void spec5MembersOfPReachEachOther_behaviours1to3() {
    DesiredState s = Kvs.spec6().state("h1");
    // Inbound to C: only sources tagged P (A, C and E on h2); B and D (Q) are not.
    assertThat(s.table().maps().get("tw_dispatch").jumps())
        .containsEntry("caliccccccccccc", TL_P)
        .containsEntry(A, TL_P)
        .containsEntry("calibbbbbbbbbbb", "pi_Q");
    assertThat(chain(s, "pi_P"))
        .containsExactly("ip saddr @t4_P " + ALLOW, "ip6 saddr @t6_P " + ALLOW);
    assertThat(elements(s, "t4_P"))
        .containsExactly("192.168.0.1/32", "192.168.0.2/32", "192.168.0.65/32");
    assertThat(elements(s, "t4_Q")).containsExactly("192.168.0.3/32", "192.168.0.66/32");
    assertThat(chain(s, "po_P")).containsExactly(ALLOW); // members may send anywhere
    assertThat(s.problems()).isEmpty();
  }

  @Test
  void skeletonOrderAndDispatch_behaviours17And21() {
    DesiredState s = Kvs.spec6().state("h1");
    assertThat(chain(s, "forward"))
        .containsExactly(
            "iifname \"cali*\" ct state vmap { invalid : drop, established : accept, related : accept }",
            "oifname \"cali*\" ct state vmap { invalid : drop, established : accept, related : accept }",
            "iifname \"cali*\" jump from_wl",
            "oifname \"cali*\" jump to_wl");
    assertThat(chain(s, "prerouting"))
        .containsExactly("iifname \"cali*\" fib saddr . iif oif missing drop");
    assertThat(chain(s, "from_wl"))
        .containsExactly(
            "iifname @wl_mac_ifs iifname . ether saddr != @wl_mac drop"
                + " comment \"source MAC not the endpoint's\"",
            "iifname . ip saddr != @wl_src4 drop comment \"IPv4 source not the endpoint's\"",
            "iifname . ip6 saddr != @wl_src6 drop comment \"IPv6 source not the endpoint's\"",
            CLEAR,
            "iifname vmap @fw_dispatch",
            ACCEPTED,
            "drop comment \"no profile accepted, or unknown workload interface\"");
    assertThat(chain(s, "to_wl"))
        .containsExactly(
            CLEAR,
            "oifname vmap @tw_dispatch",
            ACCEPTED,
            "drop comment \"no profile accepted, or unknown workload interface\"");
    // Endpoints with one profile list share its chains.
    assertThat(s.table().maps().get("fw_dispatch").jumps())
        .containsOnlyKeys(A, "calibbbbbbbbbbb", "caliccccccccccc")
        .containsEntry(A, FL_P)
        .containsEntry("caliccccccccccc", FL_P)
        .containsEntry("calibbbbbbbbbbb", "po_Q");
    // Every list here has one profile: no list chains of their own.
    assertThat(s.table().chains().keySet())
        .filteredOn(n -> n.startsWith("fl") || n.startsWith("tl"))
        .isEmpty();
    // No output hook: the host always reaches its workloads (behaviour 17).
    assertThat(s.table().chains().values())
        .noneMatch(c -> c.base() != null && c.base().hook().equals("output"));
    assertThat(chain(s, "postrouting"))
        .containsExactly("ip saddr @masq_pools4 ip daddr != @all_pools4 masquerade");
  }

  @Test
  void antiSpoofingByMacAndAddress_behaviours13And14() {
    DesiredState s = Kvs.spec6().state("h1");
    // from_wl checks sources against these (skeletonOrderAndDispatch): each endpoint's MAC and
    // addresses with its interface; A has no IPv6 address, so none of its IPv6 packets passes.
    assertThat(keys(s, "wl_mac"))
        .containsExactly(
            A + " . ee:ee:ee:00:00:aa",
            "calibbbbbbbbbbb . ee:ee:ee:00:00:bb",
            "caliccccccccccc . ee:ee:ee:00:00:cc");
    assertThat(keys(s, "wl_mac_ifs")).containsExactly(A, "calibbbbbbbbbbb", "caliccccccccccc");
    assertThat(keys(s, "wl_src4"))
        .containsExactly(
            A + " . 192.168.0.1", "calibbbbbbbbbbb . 192.168.0.3", "caliccccccccccc . 192.168.0.2");
    assertThat(keys(s, "wl_src6")).isEmpty();
    Kvs two = Kvs.spec6();
    two.put(
        Kvs.endpointKey("h1", Kvs.A),
        "{\"state\": \"active\", \"name\": \"caliaaaaaaaaaaa\", \"profile_ids\": [\"P\"],"
            + " \"ipv4_nets\": [\"192.168.0.1/32\", \"192.168.0.9/32\"],"
            + " \"ipv6_nets\": [\"fd80::1/128\"]}");
    DesiredState t = two.state("h1");
    // No MAC in the endpoint: no MAC check (Felix 1.4).
    assertThat(keys(t, "wl_mac")).noneMatch(k -> k.startsWith(A));
    assertThat(keys(t, "wl_mac_ifs")).doesNotContain(A);
    assertThat(keys(t, "wl_src4")).contains(A + " . 192.168.0.1", A + " . 192.168.0.9");
    assertThat(keys(t, "wl_src6")).containsExactly(A + " . fd80::1");
  }

  @Test
  void noProfilesDropsAllButDhcpAndDnsToTheHost_behaviour4() {
    DesiredState s = Kvs.spec6().endpoint("h1", Kvs.A, "192.168.0.1").state("h1");
    assertThat(fl()).startsWith("flh__");
    assertThat(s.table().maps().get("fw_dispatch").jumps()).containsEntry(A, fl());
    // An empty list: nothing accepts, so to_wl and from_wl drop.
    assertThat(chain(s, fl())).isEmpty();
    assertThat(chain(s, tl())).isEmpty();
    assertThat(chain(s, "wl_to_host"))
        .containsExactly(
            "ct state vmap { invalid : drop, established : accept, related : accept }",
            "icmpv6 type { 130, 131, 132, 133, 135, 136 } accept",
            "meta nfproto ipv4 udp sport 68 udp dport 67 accept comment \"DHCP\"",
            "meta nfproto ipv6 udp sport 546 udp dport 547 accept comment \"DHCP\"",
            "udp dport 53 accept comment \"DNS\"",
            "jump from_wl comment \"DefaultEndpointToHostAction RETURN\"");
  }

  @Test
  void aMissingProfileDropsWhereItStands_behaviour5() {
    DesiredState s = Kvs.spec6().endpoint("h1", Kvs.A, "192.168.0.1", "ghost", "P").state("h1");
    assertThat(chain(s, fl("ghost", "P")))
        .containsExactly("jump po_ghost", ACCEPTED, "jump po_P", ACCEPTED);
    assertThat(chain(s, "po_ghost"))
        .containsExactly("drop comment \"profile ghost does not exist\"");
    assertThat(chain(s, "pi_ghost"))
        .containsExactly("drop comment \"profile ghost does not exist\"");
  }

  @Test
  void tagsFollowProfiles_behaviour6() {
    DesiredState s = Kvs.spec6().tags("Q", "[\"Q\", \"P\"]").state("h1");
    assertThat(elements(s, "t4_P"))
        .containsExactly(
            "192.168.0.1/32",
            "192.168.0.2/32",
            "192.168.0.3/32",
            "192.168.0.65/32",
            "192.168.0.66/32");
    assertThat(chain(s, "pi_Q"))
        .containsExactly("ip saddr @t4_Q " + ALLOW, "ip6 saddr @t6_Q " + ALLOW);
  }

  @Test
  void rulesInOrder_behaviours7_8_11_12() {
    DesiredState b7 =
        Kvs.spec6()
            .rules(
                "P",
                "{\"inbound_rules\": [{\"action\": \"deny\", \"protocol\": \"icmp\"},"
                    + " {\"action\": \"allow\", \"src_tag\": \"P\"}], \"outbound_rules\": [{}]}")
            .state("h1");
    assertThat(chain(b7, "pi_P"))
        .containsExactly(
            "meta nfproto ipv4 meta l4proto icmp drop",
            "ip saddr @t4_P " + ALLOW,
            "ip6 saddr @t6_P " + ALLOW);
    DesiredState b8 = Kvs.spec6().rules("P", Kvs.BEHAVIOUR8_RULES).state("h1");
    assertThat(chain(b8, "pi_P"))
        .containsExactly("tcp dport 80 " + ALLOW, "tcp dport 8000-8080 " + ALLOW);
    assertThat(chain(b8, "po_P")).isEmpty(); // no outbound rules: nothing accepted
    DesiredState b11 =
        Kvs.spec6()
            .rules(
                "P",
                "{\"inbound_rules\": [{\"action\": \"allow\", \"protocol\": \"icmp\","
                    + " \"icmp_type\": 255}, {\"action\": \"allow\"}]}")
            .state("h1");
    assertThat(chain(b11, "pi_P"))
        .containsExactly(
            "meta nfproto ipv4 drop comment \"inbound_rules[0]: ICMP type 255 cannot be matched"
                + " (felix#451)\"",
            ALLOW);
    DesiredState b12 =
        Kvs.spec6()
            .rules(
                "P",
                "{\"inbound_rules\": [{\"action\": \"allow\", \"src_net\": \"192.168.0.0/30\"}]}")
            .state("h1");
    assertThat(chain(b12, "pi_P")).containsExactly("ip saddr 192.168.0.0/30 " + ALLOW);
  }

  @Test
  void profilesInEndpointOrder_behaviour9() {
    Kvs k =
        Kvs.spec6()
            .rules(
                "P1",
                "{\"inbound_rules\": [{\"action\": \"deny\", \"protocol\": \"tcp\", \"dst_ports\": [22]}]}")
            .rules("P2", "{\"inbound_rules\": [{\"action\": \"allow\"}]}");
    DesiredState p1p2 = k.endpoint("h1", Kvs.C, "192.168.0.2", "P1", "P2").state("h1");
    assertThat(chain(p1p2, tl("P1", "P2")))
        .containsExactly("jump pi_P1", ACCEPTED, "jump pi_P2", ACCEPTED);
    assertThat(chain(p1p2, "pi_P1")).containsExactly("tcp dport 22 drop");
    DesiredState p2p1 = k.endpoint("h1", Kvs.C, "192.168.0.2", "P2", "P1").state("h1");
    // Another order is another list.
    assertThat(tl("P2", "P1")).isNotEqualTo(tl("P1", "P2"));
    assertThat(p2p1.table().chains()).doesNotContainKey(tl("P1", "P2"));
    assertThat(p2p1.table().maps().get("tw_dispatch").jumps())
        .containsEntry("caliccccccccccc", tl("P2", "P1"));
    assertThat(chain(p2p1, tl("P2", "P1")))
        .containsExactly("jump pi_P2", ACCEPTED, "jump pi_P1", ACCEPTED);
  }

  @Test
  void inactiveEndpointDropsBothWays_behaviour15() {
    Kvs k = Kvs.spec6();
    String key = Kvs.endpointKey("h1", Kvs.A);
    k.put(
        key,
        k.entries().stream()
            .filter(e -> e.key().path().equals(key))
            .findFirst()
            .orElseThrow()
            .value()
            .replace("\"active\"", "\"inactive\""));
    DesiredState s = k.state("h1");
    assertThat(s.table().maps().get("fw_dispatch").jumps()).containsEntry(A, "wl_inactive");
    assertThat(s.table().maps().get("tw_dispatch").jumps()).containsEntry(A, "wl_inactive");
    assertThat(chain(s, "wl_inactive")).containsExactly("drop comment \"inactive endpoint\"");
    assertThat(keys(s, "wl_src4")).noneMatch(e -> e.startsWith(A)); // nothing it sends passes
    assertThat(s.table().chains()).containsKey(FL_P); // C still uses P
    assertThat(elements(s, "t4_P")).contains("192.168.0.1/32"); // state does not change tags
    assertThat(s.routes()).doesNotContainKey(Cidr.parse("192.168.0.1/32"));
  }

  @Test
  void endpointToHostAction_behaviour16() {
    String key = "/calico/v1/host/h1/config/DefaultEndpointToHostAction";
    assertThat(chain(Kvs.spec6().put(key, "DROP").state("h1"), "wl_to_host"))
        .endsWith(
            "udp dport 53 accept comment \"DNS\"",
            "drop comment \"DefaultEndpointToHostAction DROP\"");
    assertThat(chain(Kvs.spec6().remove(key).state("h1"), "wl_to_host"))
        .endsWith("drop comment \"DefaultEndpointToHostAction DROP\""); // Felix's default
    assertThat(chain(Kvs.spec6().put(key, "ACCEPT").state("h1"), "wl_to_host"))
        .endsWith("jump from_wl comment \"DefaultEndpointToHostAction ACCEPT\"", "accept");
  }

  @Test
  void stringPortsMakeTheProfileDropEverything_behaviour20() {
    DesiredState s =
        Kvs.spec6()
            .rules(
                "P",
                "{\"inbound_rules\": [{\"action\": \"allow\", \"protocol\": \"tcp\", \"dst_ports\": [\"80\"]}],"
                    + " \"outbound_rules\": [{\"action\": \"allow\"}]}")
            .rules("Q", "{\"inbound_rules\": [{\"src_tag\": \"P\"}]}")
            .state("h1");
    assertThat(chain(s, "pi_P")).containsExactly("drop comment \"profile P has no valid rules\"");
    assertThat(chain(s, "po_P")).containsExactly("drop comment \"profile P has no valid rules\"");
    // P's tags still count: Q's rule names tag P, and A and C are in it.
    assertThat(elements(s, "t4_P")).contains("192.168.0.1/32", "192.168.0.2/32");
    assertThat(s.problems())
        .extracting(Problem::subject)
        .containsExactly("/calico/v1/policy/profile/P/rules");
  }

  @Test
  void natOutgoingSets_behaviour22() {
    DesiredState s =
        Kvs.spec6()
            .put(
                "/calico/v1/ipam/v4/pool/192.168.0.0-16",
                "{\"cidr\": \"192.168.0.0/16\", \"masquerade\": true}")
            .put(
                "/calico/v1/ipam/v4/pool/192.168.4.0-24",
                "{\"cidr\": \"192.168.4.0/24\", \"masquerade\": true}")
            .put("/calico/v1/ipam/v4/pool/10.10.0.0-16", "{\"cidr\": \"10.10.0.0/16\"}")
            .put(
                "/calico/v1/ipam/v6/pool/fd80::-64",
                "{\"cidr\": \"fd80::/64\", \"masquerade\": true}")
            .state("h1");
    // The nested /24 is folded into the /16 (interval elements must not overlap); IPv6 has no NAT.
    assertThat(elements(s, "masq_pools4")).containsExactly("192.168.0.0/16");
    assertThat(elements(s, "all_pools4")).containsExactly("10.10.0.0/16", "192.168.0.0/16");
    assertThat(elements(Kvs.spec6().state("h1"), "masq_pools4")).isEmpty();
  }

  @Test
  void ownBlockIsBlackholed_behaviour24() {
    DesiredState s = Kvs.spec6().state("h1");
    assertThat(s.routes().values().stream().map(Route::toString))
        .containsExactly(
            "blackhole 192.168.0.0/26",
            "192.168.0.1/32 dev caliaaaaaaaaaaa",
            "192.168.0.2/32 dev caliccccccccccc",
            "192.168.0.3/32 dev calibbbbbbbbbbb",
            "192.168.0.64/26 via 172.31.0.2");
  }

  @Test
  void severalInterfacePrefixes() {
    DesiredState s = Kvs.spec6().put("/calico/v1/config/InterfacePrefix", "cali,tap").state("h1");
    assertThat(chain(s, "input"))
        .containsExactly("iifname \"cali*\" jump wl_to_host", "iifname \"tap*\" jump wl_to_host");
    assertThat(chain(s, "prerouting")).hasSize(2);
    assertThat(chain(s, "forward")).hasSize(8);
  }

  @Test
  void longNamesAreShortenedUniquely() {
    String tag = "a-very-long-tag-name-that-goes-on.and.on_and_on-beyond-48";
    DesiredState s =
        Kvs.spec6()
            .tags("P", "[\"" + tag + "\"]")
            .rules("P", "{\"inbound_rules\": [{\"src_tag\": \"" + tag + "\"}]}")
            .state("h1");
    String v4 = NftNames.tagSet(IpFamily.V4, tag);
    assertThat(v4).startsWith("t4h_a-very-long-tag-name_").hasSizeLessThanOrEqualTo(NftNames.MAX);
    assertThat(elements(s, v4)).contains("192.168.0.1/32");
    assertThat(chain(s, "pi_P").get(0)).startsWith("ip saddr @" + v4 + " ");
    assertThat(NftNames.tagSet(IpFamily.V4, tag + "x")).isNotEqualTo(v4);
  }
}
