package io.github.calicoj.core.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.datastore.memory.InMemoryDatastore;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link ScaleCluster} on the in-memory datastore, small: every planted leak is found and nothing
 * else, every one is repaired with no grace, and a second check finds nothing.
 */
class PlantedLeaksTest {
  @Test
  void exactlyThePlantedLeaksAreFoundAndRepaired() {
    try (InMemoryDatastore store = InMemoryDatastore.create()) {
      List<ScaleCluster.Leak> planted =
          ScaleCluster.write(store, List.of("s0", "s1", "s2", "s3"), 120);
      IpamChecker checker = IpamChecker.builder(store, "s0").build();
      CheckOptions all = CheckOptions.builder().allHosts(true).dataplane(false).build();
      CheckReport r = checker.check(all);
      assertThat(r.findings())
          .extracting(f -> new ScaleCluster.Leak(f.kind(), f.host(), f.subject()))
          .containsExactlyInAnyOrderElementsOf(planted);
      assertThat(r.notes()).isEmpty();
      CheckReport repaired = checker.run(all.toBuilder().repair(true).grace(Duration.ZERO).build());
      assertThat(repaired.repairs())
          .filteredOn(x -> x.outcome() != Repair.Outcome.REPAIRED)
          .extracting(x -> x.finding().kind() + " " + x.outcome())
          .isEmpty();
      assertThat(checker.check(all).findings()).isEmpty();
    }
  }
}
