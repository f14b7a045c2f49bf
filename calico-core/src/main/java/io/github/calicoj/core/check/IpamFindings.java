package io.github.calicoj.core.check;

import io.github.calicoj.core.client.Owners;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.ipam.AllocationBlock;
import io.github.calicoj.core.ipam.BlockJson;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.datastore.KeyValue;
import java.net.InetAddress;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The {@link Finder} part about IPAM alone: allocations no endpoint holds, empty affine blocks, and
 * handles whose counts disagree with the blocks. Stateless.
 */
final class IpamFindings {
  private IpamFindings() {}

  static void allocationsWithoutEndpoint(Finder f) {
    Set<InetAddress> held = new HashSet<>();
    f.state.endpoints().forEach(ep -> ep.nets().forEach(n -> held.add(n.address())));
    for (ClusterState.OddEndpoint o : f.state.oddEndpoints()) {
      Set<InetAddress> ips = o.ips();
      if (ips == null) {
        f.note(
            "Allocations not checked: endpoint " + o.key() + " has addresses that cannot be read.");
        return;
      }
      held.addAll(ips);
    }
    Map<InetAddress, Finder.Allocation> sorted = new TreeMap<>(Finder.BY_ADDRESS);
    sorted.putAll(f.allocations);
    for (Map.Entry<InetAddress, Finder.Allocation> e : sorted.entrySet()) {
      InetAddress a = e.getKey();
      Finder.Allocation alloc = e.getValue();
      AllocationBlock.Attribute attr = alloc.attribute();
      if (!f.inScope(alloc.host()) || held.contains(a)) {
        continue;
      }
      Instant created = Owners.created(attr).orElse(null);
      String continuity = Finder.ip(a) + "|" + attr.handleId() + "|" + attr.secondary();
      String w = attr.secondary().get(Owners.WORKLOAD);
      String workload =
          w == null ? null : attr.secondary().getOrDefault(Owners.ORCHESTRATOR, "?") + "/" + w;
      Cidr cidr = alloc.block().block().cidr();
      f.add(
          new Draft(
                  FindingKind.ALLOCATION_WITHOUT_ENDPOINT, alloc.host(), Finder.ip(a), Finder.ip(a))
              .evidence(
                  "allocated in block "
                      + cidr
                      + " to "
                      + Finder.owner(attr)
                      + (workload == null ? "" : " (workload " + workload + ")")
                      + ", but no endpoint holds it")
              .detail("ip", Finder.ip(a))
              .detail("block", cidr.toString())
              .detail("handle", attr.handleId())
              .detail("workload", workload)
              .fingerprint(continuity)
              // without a time, only the block's revision tells this allocation from a new one
              .identity(
                  created != null
                      ? continuity
                      : continuity + "@" + alloc.block().entry().revision())
              .created(created)
              .target(new Target.Allocation(alloc.block().entry(), a, attr)));
    }
  }

  /** Blocks with no allocation; one that holds an endpoint's (unallocated) address is in use. */
  static void emptyBlocks(Finder f) {
    Set<Cidr> used = new HashSet<>();
    f.state
        .endpoints()
        .forEach(ep -> ep.nets().forEach(n -> used.add(Finder.blockOf(n.address()))));
    for (ClusterState.StoredBlock sb : f.state.blocks().values()) {
      Optional<String> affine = sb.block().affinityHost();
      Cidr cidr = sb.block().cidr();
      if (affine.isEmpty()
          || !f.inScope(affine.get())
          || sb.block().freeCount() != AllocationBlock.SIZE
          || used.contains(cidr)) {
        continue;
      }
      ClusterState.Affinity a = f.state.affinities().get(CalicoKeys.affinity(affine.get(), cidr));
      if (a != null) {
        continue; // an empty block its host knows: kept for the host's next assignments
      }
      f.add(
          new Draft(FindingKind.EMPTY_AFFINE_BLOCK, affine.get(), cidr.toString(), cidr.toString())
              .evidence(
                  "block affine to "
                      + affine.get()
                      + " has no allocation, and "
                      + affine.get()
                      + " has no affinity marker for it")
              .detail("block", cidr.toString())
              .fingerprint(cidr + "@" + sb.entry().revision())
              .target(new Target.Block(sb.entry(), null)));
    }
  }

  static void handles(Finder f) {
    if (!f.state.unreadableBlocks().isEmpty()) {
      f.note("Handles not checked: some blocks are unreadable.");
      return;
    }
    Map<String, Map<Cidr, Integer>> expected = new HashMap<>();
    Map<String, String> hostOf = new HashMap<>();
    for (Finder.Allocation a : f.allocations.values()) {
      String h = a.attribute().handleId();
      if (h != null) {
        expected
            .computeIfAbsent(h, k -> new HashMap<>())
            .merge(a.block().block().cidr(), 1, Integer::sum);
        hostOf.putIfAbsent(h, a.host());
      }
    }
    Set<String> ids = new TreeSet<>(expected.keySet());
    ids.addAll(f.state.handles().keySet());
    for (String id : ids) {
      Map<Cidr, Integer> want = expected.getOrDefault(id, Map.of());
      KeyValue kv = f.state.handles().get(id);
      if (kv != null && want.size() == 1 && kv.value().equals(BlockJson.handle(id, want))) {
        continue; // as calicoj writes it: agrees, without parsing
      }
      Map<Cidr, Integer> stored = new HashMap<>();
      if (kv != null) {
        try {
          BlockJson.readHandle(kv.value())
              .forEach(
                  (c, n) -> {
                    if (n != 0) {
                      stored.put(c, n);
                    }
                  });
        } catch (IllegalArgumentException e) {
          f.note("Handle " + id + " is unreadable: " + e.getMessage());
          continue;
        }
      }
      String h =
          hostOf.getOrDefault(id, id.startsWith(Owners.HANDLE_PREFIX + f.host + ".") ? f.host : "");
      if (stored.equals(want) || !f.inScope(h)) {
        continue;
      }
      f.add(
          new Draft(FindingKind.HANDLE_MISMATCH, h, id, id)
              .evidence(
                  (kv == null ? "no handle key" : "the handle counts " + new TreeMap<>(stored))
                      + ", but the blocks hold "
                      + new TreeMap<>(want))
              .detail("handle", id)
              .fingerprint(id + "|" + new TreeMap<>(stored) + "|" + new TreeMap<>(want))
              .target(new Target.Handle(id)));
    }
  }
}
