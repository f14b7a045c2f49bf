package io.github.calicoj.node.internal.nft;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableSortedMap;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.node.internal.Kvs;
import io.github.calicoj.node.internal.decode.SnapshotDecoder;
import io.github.calicoj.node.internal.model.Direction;
import io.github.calicoj.node.internal.render.DesiredState;
import io.github.calicoj.node.internal.render.NftNames;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The incremental batch between two desired states: its size follows the change. */
class NftDiffTest {
  private static final String T = "\"family\":\"inet\",\"table\":\"calico\"";

  private static List<String> diff(Kvs before, Kvs after) {
    return after.state("h1").changesSince(before.state("h1")).commands();
  }

  @Test
  void noChangeIsAnEmptyBatch() {
    assertThat(diff(Kvs.spec6(), Kvs.spec6())).isEmpty();
    assertThat(Kvs.spec6().state("h1").changesSince(Kvs.spec6().state("h1")).toJson())
        .isEqualTo("{\"nftables\":[]}");
  }

  @Test
  void aTagMembershipChangeIsOnlySetElementOps() {
    // Q's tags become [Q, P]: B (.3, h1) and D (.66, h2) join P's set (behaviour 6).
    assertThat(diff(Kvs.spec6(), Kvs.spec6().tags("Q", "[\"Q\", \"P\"]")))
        .containsExactly(
            "{\"add\":{\"element\":{"
                + T
                + ",\"name\":\"t4_P\",\"elem\":[\"192.168.0.3\",\"192.168.0.66\"]}}}");
    assertThat(diff(Kvs.spec6().tags("Q", "[\"Q\", \"P\"]"), Kvs.spec6()))
        .containsExactly(
            "{\"delete\":{\"element\":{"
                + T
                + ",\"name\":\"t4_P\",\"elem\":[\"192.168.0.3\",\"192.168.0.66\"]}}}");
  }

  @Test
  void aRuleChangeRefillsOnlyThatProfilesChain() {
    Kvs after =
        Kvs.spec6()
            .rules(
                "P",
                "{\"inbound_rules\": [{\"action\": \"allow\", \"protocol\": \"tcp\", \"dst_ports\": [80]}],"
                    + " \"outbound_rules\": [{\"action\": \"allow\"}]}");
    List<String> d = diff(Kvs.spec6(), after);
    // pi_P no longer names tag P: its sets go after the chain is refilled.
    assertThat(d)
        .containsExactly(
            "{\"flush\":{\"chain\":{" + T + ",\"name\":\"pi_P\"}}}",
            "{\"add\":{\"rule\":{"
                + T
                + ",\"chain\":\"pi_P\",\"expr\":[{\"match\":{\"op\":\"==\",\"left\":"
                + "{\"payload\":{\"protocol\":\"tcp\",\"field\":\"dport\"}},\"right\":80}},{\"mangle\":{\"key\":"
                + "{\"meta\":{\"key\":\"mark\"}},\"value\":{\"|\":[{\"meta\":{\"key\":\"mark\"}},16777216]}}},"
                + "{\"return\":null}]}}}",
            "{\"delete\":{\"set\":{" + T + ",\"name\":\"t4_P\"}}}",
            "{\"delete\":{\"set\":{" + T + ",\"name\":\"t6_P\"}}}");
  }

  @Test
  void aNewEndpointOfAKnownProfileListIsElementsOnly_sameSizeAt10And1000Endpoints() {
    for (int others : new int[] {10, 1000}) {
      Kvs before = Kvs.spec6();
      for (int i = 0; i < others; i++) {
        String id = String.format("%011x", i + 1) + "a".repeat(21);
        before.endpoint("h1", id, "192.168." + (4 + i / 250) + "." + (i % 250), "P");
      }
      Kvs after = Kvs.empty();
      before.entries().forEach(kv -> after.put(kv.key().path(), kv.value()));
      String f = "ffffffffffff4fff8fffffffffffffff";
      after.endpoint("h1", f, "192.168.0.9", "Q");
      // B's list [Q] is Q's chains, which exist: the tag element, the source checks, the dispatch.
      assertThat(diff(before, after))
          .as("with %s other endpoints", others)
          .containsExactly(
              "{\"add\":{\"element\":{" + T + ",\"name\":\"t4_Q\",\"elem\":[\"192.168.0.9\"]}}}",
              "{\"add\":{\"element\":{"
                  + T
                  + ",\"name\":\"wl_mac\",\"elem\":[{\"concat\":[\"califffffffffff\","
                  + "\"ee:ee:ee:00:00:ff\"]}]}}}",
              "{\"add\":{\"element\":{"
                  + T
                  + ",\"name\":\"wl_mac_ifs\",\"elem\":[\"califffffffffff\"]}}}",
              "{\"add\":{\"element\":{"
                  + T
                  + ",\"name\":\"wl_src4\",\"elem\":[{\"concat\":[\"califffffffffff\","
                  + "\"192.168.0.9\"]}]}}}",
              "{\"add\":{\"element\":{"
                  + T
                  + ",\"name\":\"fw_dispatch\",\"elem\":[[\"califffffffffff\","
                  + "{\"jump\":{\"target\":\"po_Q\"}}]]}}}",
              "{\"add\":{\"element\":{"
                  + T
                  + ",\"name\":\"tw_dispatch\",\"elem\":[[\"califffffffffff\","
                  + "{\"jump\":{\"target\":\"pi_Q\"}}]]}}}");
      // A new list: its two chains as well (and its tag elements in P's sets too), whatever the
      // number of endpoints.
      Kvs other = Kvs.empty();
      before.entries().forEach(kv -> other.put(kv.key().path(), kv.value()));
      other.endpoint("h1", f, "192.168.0.9", "Q", "P");
      List<String> d = diff(before, other);
      assertThat(d).as("with %s other endpoints", others).hasSize(17);
      assertThat(d.get(0))
          .isEqualTo("{\"add\":{\"chain\":{" + T + ",\"name\":\"" + list("fl") + "\"}}}");
      assertThat(d.get(1))
          .isEqualTo("{\"add\":{\"chain\":{" + T + ",\"name\":\"" + list("tl") + "\"}}}");
      assertThat(d.subList(2, 10)).allMatch(c -> c.startsWith("{\"add\":{\"rule\":"));
    }
  }

  private static String list(String kind) {
    return NftNames.listChain(
        kind.equals("fl") ? Direction.OUTBOUND : Direction.INBOUND, List.of("Q", "P"));
  }

  @Test
  void aRemovedEndpointIsUnhookedBeforeItsChainsGo() {
    Kvs before = Kvs.spec6();
    // B was Q's only local member: Q's chains (its list's) and sets go too (a deleted set needs no
    // element ops).
    Kvs after = Kvs.spec6().remove(Kvs.endpointKey("h1", Kvs.B));
    assertThat(diff(before, after))
        .containsExactly(
            "{\"delete\":{\"element\":{"
                + T
                + ",\"name\":\"wl_mac\",\"elem\":[{\"concat\":[\"calibbbbbbbbbbb\","
                + "\"ee:ee:ee:00:00:bb\"]}]}}}",
            "{\"delete\":{\"element\":{"
                + T
                + ",\"name\":\"wl_mac_ifs\",\"elem\":[\"calibbbbbbbbbbb\"]}}}",
            "{\"delete\":{\"element\":{"
                + T
                + ",\"name\":\"wl_src4\",\"elem\":[{\"concat\":[\"calibbbbbbbbbbb\","
                + "\"192.168.0.3\"]}]}}}",
            "{\"delete\":{\"element\":{"
                + T
                + ",\"name\":\"fw_dispatch\",\"elem\":[\"calibbbbbbbbbbb\"]}}}",
            "{\"delete\":{\"element\":{"
                + T
                + ",\"name\":\"tw_dispatch\",\"elem\":[\"calibbbbbbbbbbb\"]}}}",
            "{\"flush\":{\"chain\":{" + T + ",\"name\":\"pi_Q\"}}}",
            "{\"flush\":{\"chain\":{" + T + ",\"name\":\"po_Q\"}}}",
            "{\"delete\":{\"chain\":{" + T + ",\"name\":\"pi_Q\"}}}",
            "{\"delete\":{\"chain\":{" + T + ",\"name\":\"po_Q\"}}}",
            "{\"delete\":{\"set\":{" + T + ",\"name\":\"t4_Q\"}}}",
            "{\"delete\":{\"set\":{" + T + ",\"name\":\"t6_Q\"}}}");
  }

  @Test
  void aProfileAppendMakesTheNewListsChainsAndMovesTheDispatchEntries() {
    // C gets profiles [P, Q]: the list's two chains are made (A keeps jumping to P's), C's
    // dispatch entries move to them and C joins Q's set; nothing else.
    List<String> d = diff(Kvs.spec6(), Kvs.spec6().endpoint("h1", Kvs.C, "192.168.0.2", "P", "Q"));
    String fl = NftNames.listChain(Direction.OUTBOUND, List.of("P", "Q"));
    String tl = NftNames.listChain(Direction.INBOUND, List.of("P", "Q"));
    assertThat(fl).startsWith("flh_P_");
    assertThat(d).hasSize(15);
    assertThat(d.get(0)).isEqualTo("{\"add\":{\"chain\":{" + T + ",\"name\":\"" + fl + "\"}}}");
    assertThat(d.get(1)).isEqualTo("{\"add\":{\"chain\":{" + T + ",\"name\":\"" + tl + "\"}}}");
    assertThat(d.get(2))
        .isEqualTo(
            "{\"delete\":{\"element\":{"
                + T
                + ",\"name\":\"fw_dispatch\",\"elem\":[\"caliccccccccccc\"]}}}");
    assertThat(d.get(3)).contains("\"name\":\"tw_dispatch\"").startsWith("{\"delete\"");
    assertThat(d.subList(4, 8)).allMatch(c -> c.contains("\"chain\":\"" + fl + "\""));
    assertThat(d.get(4)).contains("{\"jump\":{\"target\":\"po_P\"}}");
    assertThat(d.get(6)).contains("{\"jump\":{\"target\":\"po_Q\"}}");
    assertThat(d.subList(8, 12)).allMatch(c -> c.contains("\"chain\":\"" + tl + "\""));
    assertThat(d.get(12))
        .isEqualTo(
            "{\"add\":{\"element\":{" + T + ",\"name\":\"t4_Q\",\"elem\":[\"192.168.0.2\"]}}}");
    assertThat(d.get(13))
        .contains("\"name\":\"fw_dispatch\"")
        .contains("{\"jump\":{\"target\":\"" + fl + "\"}}");
    assertThat(d.get(14))
        .contains("\"name\":\"tw_dispatch\"")
        .contains("{\"jump\":{\"target\":\"" + tl + "\"}}");
  }

  @Test
  void anIncrementalFeedGivesTheSameStateAsAFullDecode() {
    SnapshotDecoder d = new SnapshotDecoder("h1", Map.of());
    Kvs.spec6().entries().forEach(kv -> d.put(kv.key(), kv.value()));
    d.put(Key.of("/calico/v1/policy/profile/Q/tags"), "[\"Q\", \"P\"]");
    d.delete(Key.of(Kvs.endpointKey("h1", Kvs.A)));
    DesiredState incremental = DesiredState.of(d.snapshot());
    Kvs full = Kvs.spec6().tags("Q", "[\"Q\", \"P\"]").remove(Kvs.endpointKey("h1", Kvs.A));
    assertThat(incremental).isEqualTo(full.state("h1"));
    assertThat(incremental.changesSince(full.state("h1")).isEmpty()).isTrue();
  }

  @Test
  void aChangedKindFallsBackToAFullReplacement() {
    NftTable a = Kvs.spec6().state("h1").table();
    var sets = new TreeMap<>(a.sets());
    NftSet p = sets.get("t4_P");
    sets.put("t4_P", new NftSet("t4_P", "ipv4_addr", true, p.elements()));
    NftTable b =
        new NftTable(
            a.family(),
            a.name(),
            ImmutableSortedMap.copyOfSorted(sets),
            a.maps(),
            a.chains(),
            a.keySets());
    List<String> d = NftDiff.between(a, b).commands();
    assertThat(d.subList(0, 3))
        .containsExactly(
            "{\"add\":{\"table\":{\"family\":\"inet\",\"name\":\"calico\"}}}",
            "{\"delete\":{\"table\":{\"family\":\"inet\",\"name\":\"calico\"}}}",
            "{\"add\":{\"table\":{\"family\":\"inet\",\"name\":\"calico\"}}}");
    assertThat(d).isEqualTo(NftBatch.replacing(b).commands());
  }
}
