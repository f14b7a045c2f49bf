package io.github.calicoj.core.check;

import io.github.calicoj.core.TxnPart;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.ipam.AllocationBlock;
import io.github.calicoj.core.ipam.BlockJson;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Guard;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Transaction;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The repairs of IPAM records that involve no endpoint: an empty block (with its affinity marker)
 * and a handle whose counts disagree with the blocks. Each is one guarded transaction; a failed
 * guard means the finding changed, and it is left for the next run. Stateless.
 */
final class BlockAndHandleRepairs {
  private BlockAndHandleRepairs() {}

  /**
   * Deletes an empty block and its affinity marker, both guarded on the revisions the check read,
   * and tells {@code blocks} the block is gone.
   */
  static Repair emptyBlock(Datastore datastore, BlockWriter blocks, Finding f, Target.Block b) {
    List<KeyValue> del = new ArrayList<>(List.of(b.block()));
    if (b.affinity() != null) {
      del.add(b.affinity());
    }
    if (!TxnPart.commit(datastore, List.of(GuardedDeletes.of(del))).succeeded()) {
      return new Repair(
          f, Repair.Outcome.CHANGED, "the block or its affinity changed while repairing");
    }
    Cidr cidr = BlockJson.read(b.block().value()).cidr();
    blocks.forget(cidr);
    return new Repair(
        f,
        Repair.Outcome.REPAIRED,
        "deleted block "
            + cidr
            + (b.affinity() == null ? "" : " and affinity marker " + b.affinity().key()));
  }

  /**
   * Rewrites handle {@code id} to count what the blocks hold for it now (deletes it if they hold
   * nothing), guarded on the handle and on every block involved.
   */
  static Repair handle(Datastore datastore, Finding f, String id) {
    Map<Cidr, KeyValue> blocks = new HashMap<>();
    Map<Cidr, Integer> want = new TreeMap<>();
    KeyValue stored = null;
    for (KeyValue kv : datastore.list(CalicoKeys.IPAM).entries()) {
      if (kv.key().equals(CalicoKeys.handle(id))) {
        stored = kv;
      } else if (kv.key().path().startsWith("/calico/ipam/v2/assignment/")) {
        AllocationBlock b = BlockJson.read(kv.value());
        blocks.put(b.cidr(), kv);
        for (InetAddress a : b.allocatedAddresses()) {
          if (b.attributesOf(a).map(x -> id.equals(x.handleId())).orElse(false)) {
            want.merge(b.cidr(), 1, Integer::sum);
          }
        }
      }
    }
    Map<Cidr, Integer> had = new TreeMap<>();
    if (stored != null) {
      BlockJson.readHandle(stored.value())
          .forEach(
              (c, n) -> {
                if (n != 0) {
                  had.put(c, n);
                }
              });
    }
    if (had.equals(want)) {
      return new Repair(f, Repair.Outcome.GONE, "the handle agrees with the blocks now");
    }
    Transaction.Builder txn = Transaction.builder();
    Set<Cidr> involved = new LinkedHashSet<>(want.keySet());
    involved.addAll(had.keySet());
    for (Cidr c : involved) {
      KeyValue kv = blocks.get(c);
      txn.guard(
          kv == null
              ? Guard.absent(CalicoKeys.block(c))
              : Guard.atRevision(kv.key(), kv.revision()));
    }
    Key hk = CalicoKeys.handle(id);
    txn.guard(stored == null ? Guard.absent(hk) : Guard.atRevision(hk, stored.revision()));
    if (want.isEmpty()) {
      txn.delete(hk);
    } else {
      txn.put(hk, BlockJson.handle(id, want));
    }
    return datastore.commit(txn.build()).succeeded()
        ? new Repair(
            f,
            Repair.Outcome.REPAIRED,
            want.isEmpty()
                ? "deleted handle " + id
                : "rewrote handle " + id + " to " + want + " (was " + had + ")")
        : new Repair(f, Repair.Outcome.CHANGED, "the handle or its blocks changed while repairing");
  }
}
