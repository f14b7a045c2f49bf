package io.github.calicoj.node.internal.nft;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableSortedMap;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.node.internal.Kvs;
import io.github.calicoj.node.internal.decode.SnapshotDecoder;
import io.github.calicoj.node.internal.render.DesiredState;
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
  void aNewEndpointAddsItsChainsAndElements_sameSizeAt10And1000Endpoints() {
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
      List<String> d = diff(before, after);
      assertThat(d).as("with %s other endpoints", others).hasSize(16);
      assertThat(d.get(0))
          .isEqualTo("{\"add\":{\"chain\":{" + T + ",\"name\":\"fw_califffffffffff\"}}}");
      assertThat(d.get(1))
          .isEqualTo("{\"add\":{\"chain\":{" + T + ",\"name\":\"tw_califffffffffff\"}}}");
      assertThat(d.subList(2, 13)).allMatch(c -> c.startsWith("{\"add\":{\"rule\":"));
      assertThat(d.get(13))
          .isEqualTo(
              "{\"add\":{\"element\":{" + T + ",\"name\":\"t4_Q\",\"elem\":[\"192.168.0.9\"]}}}");
      assertThat(d.get(14))
          .isEqualTo(
              "{\"add\":{\"element\":{"
                  + T
                  + ",\"name\":\"fw_dispatch\",\"elem\":[[\"califffffffffff\","
                  + "{\"goto\":{\"target\":\"fw_califffffffffff\"}}]]}}}");
      assertThat(d.get(15)).contains("\"name\":\"tw_dispatch\"");
    }
  }

  @Test
  void aRemovedEndpointIsUnhookedBeforeItsChainsGo() {
    Kvs before = Kvs.spec6();
    // B was Q's only local member: Q's chains and sets go too (a deleted set needs no element ops).
    Kvs after = Kvs.spec6().remove(Kvs.endpointKey("h1", Kvs.B));
    assertThat(diff(before, after))
        .containsExactly(
            "{\"delete\":{\"element\":{"
                + T
                + ",\"name\":\"fw_dispatch\",\"elem\":[\"calibbbbbbbbbbb\"]}}}",
            "{\"delete\":{\"element\":{"
                + T
                + ",\"name\":\"tw_dispatch\",\"elem\":[\"calibbbbbbbbbbb\"]}}}",
            "{\"flush\":{\"chain\":{" + T + ",\"name\":\"fw_calibbbbbbbbbbb\"}}}",
            "{\"flush\":{\"chain\":{" + T + ",\"name\":\"pi_Q\"}}}",
            "{\"flush\":{\"chain\":{" + T + ",\"name\":\"po_Q\"}}}",
            "{\"flush\":{\"chain\":{" + T + ",\"name\":\"tw_calibbbbbbbbbbb\"}}}",
            "{\"delete\":{\"chain\":{" + T + ",\"name\":\"fw_calibbbbbbbbbbb\"}}}",
            "{\"delete\":{\"chain\":{" + T + ",\"name\":\"pi_Q\"}}}",
            "{\"delete\":{\"chain\":{" + T + ",\"name\":\"po_Q\"}}}",
            "{\"delete\":{\"chain\":{" + T + ",\"name\":\"tw_calibbbbbbbbbbb\"}}}",
            "{\"delete\":{\"set\":{" + T + ",\"name\":\"t4_Q\"}}}",
            "{\"delete\":{\"set\":{" + T + ",\"name\":\"t6_Q\"}}}");
  }

  @Test
  void aProfileAppendTouchesOneEndpointChainPair() {
    // C gets profiles [P, Q]: C's two chains are refilled and C joins Q's set; nothing else.
    List<String> d = diff(Kvs.spec6(), Kvs.spec6().endpoint("h1", Kvs.C, "192.168.0.2", "P", "Q"));
    assertThat(d).hasSize(18);
    assertThat(d.get(0))
        .isEqualTo("{\"flush\":{\"chain\":{" + T + ",\"name\":\"fw_caliccccccccccc\"}}}");
    assertThat(d.subList(1, 10)).allMatch(c -> c.contains("\"chain\":\"fw_caliccccccccccc\""));
    assertThat(d.get(10))
        .isEqualTo("{\"flush\":{\"chain\":{" + T + ",\"name\":\"tw_caliccccccccccc\"}}}");
    assertThat(d.subList(11, 17)).allMatch(c -> c.contains("\"chain\":\"tw_caliccccccccccc\""));
    assertThat(d.get(7)).contains("{\"jump\":{\"target\":\"po_Q\"}}");
    assertThat(d.get(17))
        .isEqualTo(
            "{\"add\":{\"element\":{" + T + ",\"name\":\"t4_Q\",\"elem\":[\"192.168.0.2\"]}}}");
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
            a.family(), a.name(), ImmutableSortedMap.copyOfSorted(sets), a.maps(), a.chains());
    List<String> d = NftDiff.between(a, b).commands();
    assertThat(d.subList(0, 3))
        .containsExactly(
            "{\"add\":{\"table\":{\"family\":\"inet\",\"name\":\"calico\"}}}",
            "{\"delete\":{\"table\":{\"family\":\"inet\",\"name\":\"calico\"}}}",
            "{\"add\":{\"table\":{\"family\":\"inet\",\"name\":\"calico\"}}}");
    assertThat(d).isEqualTo(NftBatch.replacing(b).commands());
  }
}
