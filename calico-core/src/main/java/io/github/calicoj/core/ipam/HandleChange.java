package io.github.calicoj.core.ipam;

import static java.util.Objects.requireNonNull;

import io.github.calicoj.core.TxnPart;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.datastore.Guard;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Transaction;
import io.github.calicoj.datastore.TxnResult;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One handle's new counts for a transaction that changes several of its blocks at once (a workload
 * with addresses in two blocks, or of both families, released together): the block changes leave
 * the handle alone, and this part writes it once, guarded on the revision it was read at (or its
 * absence), deleting it when no address is left. Not thread-safe; use once.
 */
final class HandleChange implements TxnPart {
  private final Key key;
  private final String handleId;
  private final Optional<KeyValue> current;
  private final Map<Cidr, Integer> counts;

  /**
   * @param current the handle as read, or empty if absent
   * @param deltas per block, how the handle's count changes
   */
  HandleChange(String handleId, Optional<KeyValue> current, Map<Cidr, Integer> deltas) {
    this.handleId = requireNonNull(handleId, "handleId");
    this.key = CalicoKeys.handle(handleId);
    this.current = requireNonNull(current, "current");
    Map<Cidr, Integer> c =
        new LinkedHashMap<>(current.map(kv -> BlockJson.readHandle(kv.value())).orElse(Map.of()));
    deltas.forEach(
        (cidr, d) -> {
          int n = Math.max(0, c.getOrDefault(cidr, 0) + d);
          if (n == 0) {
            c.remove(cidr);
          } else {
            c.put(cidr, n);
          }
        });
    this.counts = c;
  }

  @Override
  public void addTo(Transaction.Builder txn) {
    txn.guard(current.map(kv -> Guard.atRevision(key, kv.revision())).orElse(Guard.absent(key)));
    if (!counts.isEmpty()) {
      txn.put(key, BlockJson.handle(handleId, counts));
    } else if (current.isPresent()) {
      txn.delete(key);
    }
  }

  @Override
  public void settle(TxnResult result) {
    // nothing cached
  }
}
