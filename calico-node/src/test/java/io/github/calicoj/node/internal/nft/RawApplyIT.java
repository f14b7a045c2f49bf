package io.github.calicoj.node.internal.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.nft.Nftables;
import io.github.calicoj.netns.nft.NftablesSupport;
import io.github.calicoj.node.internal.dataplane.KernelDataplane;
import io.github.calicoj.node.internal.track.IncrementalTracker;
import io.github.calicoj.node.internal.track.RandomChanges;
import io.github.calicoj.testkit.Processes;
import io.github.calicoj.testkit.Requirements;
import io.github.calicoj.testkit.TestNamespace;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The agent's apply path against the real kernel (root, a test namespace): the incremental
 * tracker's batches of random changes go through {@link KernelDataplane#apply}, which sends tag set
 * changes and endpoint changes as raw nf_tables batches and the rest through libnftables, and the
 * table they leave lists ({@code nft -j list table}) exactly as a fresh load of the same state.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RawApplyIT {

  private static void requireNftables() {
    Requirements.requireRoot();
    Requirements.require(
        NftablesSupport.isAvailable(), "libnftables: " + NftablesSupport.unavailabilityCause());
    Requirements.require(Requirements.onPath("nft") != null, "the nft tool (oracle)");
  }

  @Test
  void randomBatchesThroughTheRawPathsLeaveAFreshLoadsTable() {
    requireNftables();
    try (TestNamespace ns = TestNamespace.create();
        NetNs handle = NetNs.open(ns.path());
        Nftables nft = Nftables.open(handle)) {
      IncrementalTracker live = new IncrementalTracker("h1", Map.of());
      KernelDataplane.apply(nft, live.reset(RandomChanges.initialListing()));
      RandomChanges random = new RandomChanges(23);
      int elements = 0;
      int raw = 0;
      int library = 0;
      for (int n = 0; n < 200; ) {
        random.next().forEach(c -> c.applyTo(live));
        NftBatch b = live.update().nft();
        if (b.isEmpty()) {
          continue;
        }
        n++;
        if (b.elementsOnly().isPresent()) {
          elements++;
        } else if (b.rawCommands().isPresent()) {
          raw++;
        } else {
          library++;
        }
        KernelDataplane.apply(nft, b);
      }
      // Every path was taken.
      assertThat(elements).isPositive();
      assertThat(raw).isPositive();
      assertThat(library).isPositive();
      String got = list(ns);
      nft.run(NftBatch.replacing(live.table()).toJson());
      String want = list(ns);
      assertThat(NftSandbox.canonical(got)).isEqualTo(NftSandbox.canonical(want));
    }
  }

  @Test
  void rawCommandsTooLongForOneBatchGoThroughLibnftables() {
    requireNftables();
    try (TestNamespace ns = TestNamespace.create();
        NetNs handle = NetNs.open(ns.path());
        Nftables nft = Nftables.open(handle)) {
      nft.run(
          "{\"nftables\": [{\"add\": {\"table\": {\"family\": \"inet\", \"name\":"
              + " \"calico\"}}}]}");
      NftBatch b = new NftBatch("inet", "calico");
      NftChain big = NftChain.regular("po_big", List.of());
      b.addChain(big);
      int rules = 4000;
      for (int i = 0; i < rules; i++) {
        b.addRule("po_big", RuleBuilder.rule().add(Expr.verdict("drop")).build("rule " + i));
      }
      // Every command has a raw form, but together they exceed one raw batch.
      assertThat(b.rawCommands()).isPresent();
      assertThatThrownBy(() -> nft.apply(b.rawCommands().orElseThrow()))
          .isInstanceOf(IllegalArgumentException.class);
      KernelDataplane.apply(nft, b);
      String listed =
          Processes.run(
              List.of(
                  "ip", "netns", "exec", ns.name(), "nft", "-j", "list", "chain", "inet", "calico",
                  "po_big"),
              Duration.ofSeconds(30));
      assertThat(listed.split("\"rule\"", -1)).hasSize(rules + 1);
      assertThat(listed).contains("rule 3999");
    }
  }

  private static String list(TestNamespace ns) {
    return Processes.run(
        List.of("ip", "netns", "exec", ns.name(), "nft", "-j", "list", "table", "inet", "calico"),
        Duration.ofSeconds(30));
  }
}
