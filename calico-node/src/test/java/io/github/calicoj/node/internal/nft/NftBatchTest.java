package io.github.calicoj.node.internal.nft;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableSortedSet;
import com.google.common.net.InetAddresses;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.netns.nft.NftCommands;
import io.github.calicoj.netns.nft.NftElements;
import io.github.calicoj.node.internal.Kvs;
import io.github.calicoj.node.internal.model.Direction;
import io.github.calicoj.node.internal.render.NftNames;
import io.github.calicoj.node.internal.track.IncrementalTracker;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which batches can go to the kernel as raw element batches, and what those hold. */
class NftBatchTest {

  private static Cidr cidr(String s) {
    return Cidr.parse(s);
  }

  @Test
  void addressSetElementChangesAreElementsOnlyInOrder() {
    NftBatch b =
        new NftBatch("inet", "calico")
            .deleteElements("t4_P", false, List.of(cidr("10.0.0.1/32")))
            .addElements("t6_P", false, List.of(cidr("fd00::1/128"), cidr("fd00::2/128")))
            .addElements("t4_Q", false, List.of());
    NftElements e = b.elementsOnly().orElseThrow();
    assertThat(e.table().toString()).isEqualTo("inet calico");
    assertThat(e.toString())
        .isEqualTo(
            "delete element inet calico t4_P { 10.0.0.1 }; add element inet calico t6_P {"
                + " fd00::1, fd00::2 }");
    // The raw batch and the JSON say the same.
    assertThat(b.commands()).hasSize(2);
    assertThat(e.commands().get(1).elements())
        .containsExactly(InetAddresses.forString("fd00::1"), InetAddresses.forString("fd00::2"));
  }

  @Test
  void anyOtherCommandOrAnIntervalSetMakesItALibnftablesBatch() {
    assertThat(new NftBatch("inet", "calico").elementsOnly()).isEmpty();
    assertThat(
            new NftBatch("inet", "calico")
                .addElements("t4_P", false, List.of(cidr("10.0.0.1/32")))
                .flushChain("pi_P")
                .elementsOnly())
        .isEmpty();
    assertThat(
            new NftBatch("inet", "calico")
                .flushChain("pi_P")
                .addElements("t4_P", false, List.of(cidr("10.0.0.1/32")))
                .elementsOnly())
        .isEmpty();
    assertThat(
            new NftBatch("inet", "calico")
                .addElements("all_pools4", true, List.of(cidr("10.0.0.0/16")))
                .elementsOnly())
        .isEmpty();
    assertThat(
            new NftBatch("inet", "calico")
                .addMapElements("fw_dispatch", Map.of("cali1", "fw_cali1"))
                .elementsOnly())
        .isEmpty();
    NftBatch elements =
        new NftBatch("inet", "calico").addElements("t4_P", false, List.of(cidr("10.0.0.1/32")));
    NftBatch chain =
        new NftBatch("inet", "calico")
            .addSet(new NftSet("t4_R", "ipv4_addr", false, ImmutableSortedSet.of()), false);
    assertThat(elements.append(chain).elementsOnly()).isEmpty();
    NftBatch two =
        new NftBatch("inet", "calico")
            .addElements("t4_P", false, List.of(cidr("10.0.0.1/32")))
            .append(
                new NftBatch("inet", "calico")
                    .deleteElements("t4_Q", false, List.of(cidr("10.0.0.2/32"))));
    assertThat(two.elementsOnly().orElseThrow().commands()).hasSize(2);
  }

  @Test
  void aTagChangeIsElementsOnlyAndARuleChangeIsNotInBothTrackersBatches() {
    Kvs before = Kvs.spec6();
    Kvs retagged = Kvs.spec6().tags("Q", "[\"Q\", \"P\"]");
    String rules = "{\"inbound_rules\": [], \"outbound_rules\": [{\"action\": \"allow\"}]}";
    Kvs ruled = Kvs.spec6().rules("P", rules);
    String added = "add element inet calico t4_P { 192.168.0.3, 192.168.0.66 }";
    // The whole-table diff (configuration changes, FullTracker) ...
    NftBatch tag = retagged.state("h1").changesSince(before.state("h1"));
    assertThat(tag.elementsOnly().orElseThrow().toString()).isEqualTo(added);
    assertThat(ruled.state("h1").changesSince(before.state("h1")).elementsOnly()).isEmpty();
    // ... and the incremental tracker's edits.
    IncrementalTracker tracker = new IncrementalTracker("h1", Map.of());
    tracker.reset(before.entries());
    tracker.put(Key.of(tagsKey("Q")), "[\"Q\", \"P\"]");
    assertThat(tracker.update().nft().elementsOnly().orElseThrow().toString()).isEqualTo(added);
    tracker.put(Key.of(rulesKey("P")), rules);
    assertThat(tracker.update().nft().elementsOnly()).isEmpty();
  }

  @Test
  void aProfileAppendAndANewEndpointAreRawCommandsWithoutLibnftables() {
    Kvs before = Kvs.spec6();
    IncrementalTracker tracker = new IncrementalTracker("h1", Map.of());
    tracker.reset(before.entries());
    // A (in P) also joins Q, whose chains exist for B: the list [P, Q] gets its two chains, A's
    // dispatch entries move to them, A's address joins Q's tag set.
    Kvs appended = Kvs.spec6().endpoint("h1", Kvs.A, "192.168.0.1", "P", "Q");
    String key = Kvs.endpointKey("h1", Kvs.A);
    tracker.put(Key.of(key), valueOf(appended, key));
    NftBatch append = tracker.update().nft();
    assertThat(append.elementsOnly()).isEmpty();
    NftCommands raw = append.rawCommands().orElseThrow();
    String fl = NftNames.listChain(Direction.OUTBOUND, List.of("P", "Q"));
    String tl = NftNames.listChain(Direction.INBOUND, List.of("P", "Q"));
    String iface = "cali" + Kvs.A.substring(0, 11);
    assertThat(raw.commands())
        .filteredOn(c -> c instanceof NftCommands.AddChain)
        .extracting(c -> ((NftCommands.AddChain) c).chain())
        .containsExactlyInAnyOrder(fl, tl);
    assertThat(raw.commands()).noneMatch(c -> c instanceof NftCommands.FlushChain);
    assertThat(raw.toString())
        .contains("add rule inet calico " + tl)
        .contains("Verdict[code=JUMP, chain=pi_Q]")
        .contains("add element inet calico t4_Q { 192.168.0.1 }")
        .contains("delete element inet calico fw_dispatch { \"" + iface + "\" }")
        .contains("\"" + iface + "\" : jump " + fl);
    // The same commands as the JSON, one for one.
    assertThat(raw.commands()).hasSize(append.size());

    // A new endpoint in P: no chain (P's exist for C), its dispatch entries, its source-check
    // elements and its tag set elements.
    String f = "ffffffffffff4fff8fffffffffffffff";
    Kvs added = appended.endpoint("h1", f, "192.168.0.9", "P");
    String fKey = Kvs.endpointKey("h1", f);
    tracker.put(Key.of(fKey), valueOf(added, fKey));
    NftCommands fresh = tracker.update().nft().rawCommands().orElseThrow();
    String fIface = "cali" + f.substring(0, 11);
    assertThat(fresh.commands())
        .noneMatch(c -> c instanceof NftCommands.AddChain || c instanceof NftCommands.AddRule);
    assertThat(fresh.toString())
        .contains("\"" + fIface + "\" : jump po_P")
        .contains("\"" + fIface + "\" : jump pi_P")
        .contains("add element inet calico wl_src4 { \"" + fIface + "\" . 192.168.0.9 }")
        .contains("add element inet calico wl_mac { \"" + fIface + "\" . ee:ee:ee:00:00:ff }")
        .contains("add element inet calico wl_mac_ifs { \"" + fIface + "\" }")
        .contains("add element inet calico t4_P { 192.168.0.9 }");
  }

  @Test
  void aRawFormThatRefusesItsValuesLeavesTheBatchToLibnftables() {
    NftRule drop = new NftRule("[{\"drop\":null}]", "profile P has no valid rules");
    assertThat(
            new NftBatch("inet", "calico").flushChain("pi_P").addRule("pi_P", drop).rawCommands())
        .isPresent();
    // 128 characters but 256 bytes of UTF-8: more than the rule's user data can say.
    NftRule wide = new NftRule("[{\"drop\":null}]", "\u00e9".repeat(128));
    assertThat(
            new NftBatch("inet", "calico").flushChain("pi_P").addRule("pi_P", wide).rawCommands())
        .isEmpty();
    // An interface name longer than IFNAMSIZ allows.
    assertThat(
            new NftBatch("inet", "calico")
                .addMapElements("fw_dispatch", Map.of("cali0123456789abcdef", "fw_x"))
                .rawCommands())
        .isEmpty();
  }

  private static String valueOf(Kvs kvs, String key) {
    return kvs.entries().stream()
        .filter(e -> e.key().path().equals(key))
        .findFirst()
        .orElseThrow()
        .value();
  }

  private static String tagsKey(String profile) {
    return "/calico/v1/policy/profile/" + profile + "/tags";
  }

  private static String rulesKey(String profile) {
    return "/calico/v1/policy/profile/" + profile + "/rules";
  }
}
