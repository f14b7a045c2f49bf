package io.github.calicoj.node.internal.track;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Revision;
import io.github.calicoj.node.internal.nft.BatchModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The incremental tracker against the full one, change batch by change batch over random data
 * ({@link RandomChanges}): the same table, routes, problems, local endpoints and errors after every
 * batch, and its own batches, run through {@link BatchModel} (the kernel's checks, command by
 * command), leave exactly the table that a full replacement loads.
 */
class TrackerEquivalenceTest {

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void incrementalEqualsFullAfterEveryBatch(long seed) {
    FullTracker full = new FullTracker("h1", Map.of());
    IncrementalTracker live = new IncrementalTracker("h1", Map.of());
    Map<String, String> store = new TreeMap<>();
    for (RandomChanges.Change c : RandomChanges.initial()) {
      store.put(c.key(), c.value());
    }
    List<KeyValue> listing = new ArrayList<>();
    store.forEach((k, v) -> listing.add(new KeyValue(Key.of(k), v, Revision.of(1))));
    BatchModel kernel = new BatchModel();
    kernel.run(live.reset(listing));
    full.reset(listing);
    Map<String, String> routes = new HashMap<>();
    live.routes().forEach((d, r) -> routes.put(d.toString(), r.toString()));
    RandomChanges random = new RandomChanges(seed);
    for (int step = 0; step < 200; step++) {
      List<RandomChanges.Change> batch = random.next();
      for (RandomChanges.Change c : batch) {
        c.applyTo(full);
        c.applyTo(live);
      }
      full.update();
      Update u = live.update();
      String where = "seed " + seed + " step " + step + " after " + batch;
      assertThat(live.table()).as(where).isEqualTo(full.table());
      assertThat(live.routes()).as(where).isEqualTo(full.routes());
      assertThat(live.problems()).as(where).containsExactlyInAnyOrderElementsOf(full.problems());
      assertThat(live.localEndpoints()).as(where).isEqualTo(full.localEndpoints());
      assertThat(live.invalidLocalEndpoints())
          .as(where)
          .containsExactlyInAnyOrderElementsOf(full.invalidLocalEndpoints());
      for (String key : full.localEndpoints().keySet()) {
        assertThat(live.inError(key)).as(where + " error of " + key).isEqualTo(full.inError(key));
      }
      kernel.run(u.nft());
      assertThat(kernel.state()).as(where).isEqualTo(BatchModel.of(full.table()).state());
      u.routesToRemove().forEach(d -> routes.remove(d.toString()));
      u.routesToSet().forEach((d, r) -> routes.put(d.toString(), r.toString()));
      Map<String, String> want = new HashMap<>();
      full.routes().forEach((d, r) -> want.put(d.toString(), r.toString()));
      assertThat(routes).as(where + ": routes changed as the update says").isEqualTo(want);
    }
  }
}
