package io.github.calicoj.core.check;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.AlreadyExistsException;
import io.github.calicoj.core.CalicoException;
import io.github.calicoj.core.TxnPart;
import io.github.calicoj.core.client.Owners;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.ipam.AllocationBlock;
import io.github.calicoj.core.ipam.BlockJson;
import io.github.calicoj.core.ipam.IpOwner;
import io.github.calicoj.core.ipam.Ipam;
import io.github.calicoj.core.ipam.IpamChange;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.core.repository.WorkloadEndpoints;
import io.github.calicoj.core.repository.WorkloadRemoval;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.TxnResult;
import io.github.calicoj.netns.NetnsException;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Repairs findings, each with one guarded transaction planned on the state the repair's own check
 * read (so on revisions no older than that check), then deletes what the transaction orphaned on
 * this host (cali links). An allocation is freed or handed over only while its attribute is the one
 * the check saw: with calicoj's {@code created} attribute that identifies the allocation, so one
 * freed and assigned again (to anyone) meanwhile is never touched; without it (other tools' and
 * older allocations) only while every change to its block since the check was this repair's own. A
 * failed guard on a block or handle means re-reading the block and trying again (a few times); one
 * on anything else means the finding changed, and it is left for the next run. Blocks that this
 * repair left empty are deleted with their affinity at the end. Not thread-safe; one per run.
 *
 * <p>It is one class of about 400 lines because its repairs share the run's state (the allocations
 * and holders the checks saw, what was removed, the blocks each repair touched), which decides
 * whether a later guard may be retried and which blocks end empty; the block writes themselves are
 * in {@link BlockWriter}.
 */
final class Repairer {
  private static final int ATTEMPTS = 10;

  private final Datastore datastore;
  private final Ipam ipam;
  private final String host;
  private final boolean allHosts;
  private final @Nullable HostSide side;
  private final IpamChecker.@Nullable Restorer restorer;
  private final ClusterState state;
  private final Instant now;
  private final BlockWriter blocks;
  private final Map<InetAddress, AllocationBlock.Attribute> allocations = new HashMap<>();
  private final Map<InetAddress, List<WorkloadEndpoint>> holders = new HashMap<>();
  private final Set<Key> removed = new HashSet<>();
  private final List<Repair> done = new ArrayList<>();
  private final Map<Cidr, Set<Integer>> touchedBy = new LinkedHashMap<>();

  Repairer(
      Datastore datastore,
      Ipam ipam,
      String host,
      boolean allHosts,
      @Nullable HostSide side,
      IpamChecker.@Nullable Restorer restorer,
      ClusterState state,
      Instant now) {
    this.datastore = datastore;
    this.ipam = ipam;
    this.host = host;
    this.allHosts = allHosts;
    this.side = side;
    this.restorer = restorer;
    this.state = state;
    this.now = now;
    this.blocks = new BlockWriter(datastore, ipam, state);
    for (ClusterState.StoredBlock sb : state.blocks().values()) {
      for (InetAddress ip : sb.block().allocatedAddresses()) {
        allocations.put(ip, sb.block().attributesOf(ip).orElseThrow());
      }
    }
    for (WorkloadEndpoint ep : state.endpoints()) {
      ep.nets().forEach(n -> holders.computeIfAbsent(n.address(), k -> new ArrayList<>()).add(ep));
    }
  }

  /** Records a finding that is not acted on. */
  void skip(Finding f, Repair.Outcome outcome, String why) {
    done.add(new Repair(f, outcome, why));
  }

  /** Repairs {@code checked}, found again as {@code fresh} (same identity, old enough). */
  void repair(Finding checked, Finding fresh) {
    blocks.touched(); // forget blocks written before this repair
    Repair r;
    try {
      r = act(checked, fresh.target);
    } catch (CalicoException
        | NetnsException
        | IllegalStateException
        | IllegalArgumentException e) {
      // this finding's repair could not be made (its transaction did not commit); the others go on
      r = new Repair(checked, Repair.Outcome.FAILED, String.valueOf(e.getMessage()));
    }
    int index = done.size();
    done.add(r);
    if (r.outcome() == Repair.Outcome.REPAIRED) {
      blocks
          .touched()
          .forEach(c -> touchedBy.computeIfAbsent(c, k -> new LinkedHashSet<>()).add(index));
    }
  }

  /** Deletes the blocks this repair left empty, and returns every repair, in order. */
  List<Repair> finish() {
    for (Map.Entry<Cidr, Set<Integer>> e : touchedBy.entrySet()) {
      KeyValue kv = blocks.latest(e.getKey());
      if (kv == null) {
        continue;
      }
      AllocationBlock b = BlockJson.read(kv.value());
      Optional<String> affine = b.affinityHost();
      if (b.freeCount() != AllocationBlock.SIZE || affine.isEmpty() || !inScope(affine.get())) {
        continue;
      }
      ClusterState.Affinity a = state.affinities().get(CalicoKeys.affinity(affine.get(), b.cidr()));
      List<KeyValue> del = new ArrayList<>(List.of(kv));
      if (a != null) {
        del.add(a.entry());
      }
      if (TxnPart.commit(datastore, List.of(GuardedDeletes.of(del))).succeeded()) {
        blocks.forget(b.cidr());
        for (int i : e.getValue()) {
          Repair r = done.get(i);
          done.set(
              i,
              new Repair(
                  r.finding(),
                  r.outcome(),
                  r.action()
                      + "; block "
                      + b.cidr()
                      + ", left empty, deleted with its affinity to "
                      + affine.get()));
        }
      }
    }
    return List.copyOf(done);
  }

  private boolean inScope(String h) {
    return allHosts || h.equals(host);
  }

  private static String ip(InetAddress a) {
    return InetAddresses.toAddrString(a);
  }

  private Repair act(Finding f, Target t) {
    if (t instanceof Target.Endpoints e) {
      return removeEndpoints(f, e.endpoints(), e.wholeWorkload());
    } else if (t instanceof Target.Restore r) {
      return restore(f, r);
    } else if (t instanceof Target.Duplicate d) {
      return duplicate(f, d);
    } else if (t instanceof Target.EndpointIp e) {
      return e.holder() == null ? assign(f, e.endpoint(), e.ip()) : handOver(f, e);
    } else if (t instanceof Target.Allocation a) {
      Cidr cidr = AllocationBlock.blockFor(a.ip());
      BlockWriter.Written w =
          blocks.commit(
              List.of(), false, Map.of(cidr, BlockWriter.release(Map.of(a.ip(), a.attribute()))));
      return w.ok()
          ? new Repair(f, Repair.Outcome.REPAIRED, "freed " + ip(a.ip()) + " in block " + cidr)
          : new Repair(f, Repair.Outcome.CHANGED, w.why());
    } else if (t instanceof Target.Marker m) {
      boolean ok =
          TxnPart.commit(datastore, List.of(GuardedDeletes.of(List.of(m.marker())))).succeeded();
      return ok
          ? new Repair(f, Repair.Outcome.REPAIRED, "deleted marker " + m.marker().key())
          : new Repair(f, Repair.Outcome.CHANGED, "the marker changed while repairing");
    } else if (t instanceof Target.Link l) {
      HostSide s = Objects.requireNonNull(side, "a link finding without the dataplane");
      return s.deleteLink(l.name())
          ? new Repair(f, Repair.Outcome.REPAIRED, "deleted link " + l.name() + " and its peer")
          : new Repair(f, Repair.Outcome.GONE, "link " + l.name() + " was already gone");
    } else if (t instanceof Target.Block b) {
      return BlockAndHandleRepairs.emptyBlock(datastore, blocks, f, b);
    } else if (t instanceof Target.Handle h) {
      return BlockAndHandleRepairs.handle(datastore, f, h.handleId());
    }
    throw new IllegalStateException("Unknown target " + t);
  }

  // ------------------------------------------------------------------ endpoints

  /** Re-plumbs a live workload's missing interface; without a restorer, removes its endpoints. */
  private Repair restore(Finding f, Target.Restore r) {
    if (restorer == null) {
      Target.Endpoints e = r.removal();
      return removeEndpoints(f, e.endpoints(), e.wholeWorkload());
    }
    WorkloadEndpoint ep = restorer.restore(r.workload());
    return new Repair(
        f,
        Repair.Outcome.REPAIRED,
        "re-plumbed "
            + r.workload()
            + ": a new veth "
            + ep.name()
            + ", the same addresses, MAC "
            + ep.mac());
  }

  private Repair removeEndpoints(Finding f, List<WorkloadEndpoint> eps, boolean whole) {
    List<WorkloadEndpoint> left =
        eps.stream().filter(ep -> !removed.contains(WorkloadEndpoints.keyOf(ep))).toList();
    if (left.isEmpty()) {
      return new Repair(f, Repair.Outcome.REPAIRED, "removed by an earlier repair of this run");
    }
    WorkloadEndpoint first = left.get(0);
    String workload = first.orchestratorId() + "/" + first.workloadId();
    Set<Key> going = new HashSet<>();
    left.forEach(ep -> going.add(WorkloadEndpoints.keyOf(ep)));
    Map<Cidr, Map<InetAddress, AllocationBlock.Attribute>> frees = new LinkedHashMap<>();
    List<String> kept = new ArrayList<>();
    for (WorkloadEndpoint ep : left) {
      for (Cidr n : ep.nets()) {
        InetAddress a = n.address();
        AllocationBlock.Attribute attr = allocations.get(a);
        if (attr == null) {
          continue;
        }
        boolean heldElsewhere =
            holders.getOrDefault(a, List.of()).stream()
                .map(WorkloadEndpoints::keyOf)
                .anyMatch(k -> !going.contains(k) && !removed.contains(k));
        if (heldElsewhere) {
          kept.add(ip(a) + " (another endpoint holds it)");
        } else if (othersHandle(ep, attr.handleId())) {
          kept.add(ip(a) + " (allocated to " + attr.handleId() + ")");
        } else {
          frees
              .computeIfAbsent(AllocationBlock.blockFor(a), c -> new LinkedHashMap<>())
              .put(a, attr);
        }
      }
    }
    Map<Cidr, BlockWriter.Edit> edits = new LinkedHashMap<>();
    frees.forEach((c, m) -> edits.put(c, BlockWriter.release(m)));
    TxnPart removal =
        whole
            ? new WorkloadRemoval(
                first.hostname(), first.orchestratorId(), first.workloadId(), left)
            : GuardedDeletes.of(left.stream().map(Repairer::entryOf).toList());
    BlockWriter.Written w = blocks.commit(List.of(removal), true, edits);
    if (!w.ok()) {
      return new Repair(f, Repair.Outcome.CHANGED, w.why());
    }
    going.forEach(removed::add);
    StringBuilder a = new StringBuilder("removed ");
    a.append(left.size() == 1 ? "endpoint " : "endpoints ");
    a.append(String.join(", ", left.stream().map(WorkloadEndpoint::endpointId).toList()));
    a.append(" of ").append(workload).append(whole ? " and its marker" : "");
    if (!w.freed().isEmpty()) {
      a.append("; freed ").append(String.join(", ", w.freed().stream().map(Repairer::ip).toList()));
    }
    if (!kept.isEmpty()) {
      a.append("; kept ").append(String.join(", ", kept));
    }
    for (WorkloadEndpoint ep : left) {
      if (side != null && ep.hostname().equals(host)) {
        try {
          if (side.deleteLink(ep.name())) {
            a.append("; deleted link ").append(ep.name());
          }
        } catch (RuntimeException e) {
          a.append("; could not delete link ")
              .append(ep.name())
              .append(": ")
              .append(e.getMessage());
        }
      }
    }
    return new Repair(f, Repair.Outcome.REPAIRED, a.toString());
  }

  /**
   * True if {@code handle} is another calicoj workload's: the address was freed and assigned to it
   * since the endpoint got it, so removing the endpoint must not free it. Another tool's handle, or
   * none, is matched by address, as everywhere else.
   */
  private boolean othersHandle(WorkloadEndpoint ep, @Nullable String handle) {
    return handle != null
        && handle.startsWith(Owners.HANDLE_PREFIX)
        && !handle.equals(Owners.handleId(ep.hostname(), ep.orchestratorId(), ep.workloadId()))
        && !handle.equals(state.handleOf(ep.hostname(), ep.orchestratorId(), ep.workloadId()));
  }

  private static KeyValue entryOf(WorkloadEndpoint ep) {
    return new KeyValue(WorkloadEndpoints.keyOf(ep), "", Objects.requireNonNull(ep.revision()));
  }

  private Repair duplicate(Finding f, Target.Duplicate d) {
    AllocationBlock.Attribute holder = d.holder();
    String handle = holder == null ? null : holder.handleId();
    List<WorkloadEndpoint> owners =
        handle == null
            ? List.of()
            : d.endpoints().stream()
                .filter(
                    ep ->
                        handle.equals(
                            state.handleOf(ep.hostname(), ep.orchestratorId(), ep.workloadId())))
                .toList();
    if (owners.size() != 1) {
      return new Repair(
          f,
          Repair.Outcome.MANUAL,
          "cannot tell which endpoint owns "
              + ip(d.ip())
              + " ("
              + (holder == null
                  ? "it is not allocated"
                  : handle == null ? "its allocation has no handle" : "its handle is " + handle)
              + "): remove the wrong workload with calicoctl container remove");
    }
    List<String> actions = new ArrayList<>();
    for (WorkloadEndpoint loser : d.endpoints()) {
      if (loser.equals(owners.get(0))) {
        continue;
      }
      boolean whole =
          state.endpoints().stream()
                  .filter(
                      ep ->
                          ep.hostname().equals(loser.hostname())
                              && ep.orchestratorId().equals(loser.orchestratorId())
                              && ep.workloadId().equals(loser.workloadId()))
                  .count()
              == 1;
      Repair r = removeEndpoints(f, List.of(loser), whole);
      if (r.outcome() != Repair.Outcome.REPAIRED) {
        return r;
      }
      actions.add(r.action());
    }
    return new Repair(
        f,
        Repair.Outcome.REPAIRED,
        String.join("; ", actions)
            + "; "
            + ip(d.ip())
            + " stays with "
            + owners.get(0).endpointId());
  }

  // ------------------------------------------------------------------ addresses

  private Repair handOver(Finding f, Target.EndpointIp e) {
    WorkloadEndpoint ep = e.endpoint();
    AllocationBlock.Attribute holder = Objects.requireNonNull(e.holder());
    IpOwner owner = state.ownerOf(ep.hostname(), ep.orchestratorId(), ep.workloadId(), now);
    BlockWriter.Edit edit =
        (b, ours) -> {
          Optional<AllocationBlock.Attribute> current = b.attributesOf(e.ip());
          if (current.isEmpty()
              || !current.get().equals(holder)
              || (Owners.created(holder).isEmpty() && !ours)) {
            return null;
          }
          return b.release(Set.of(e.ip()))
              .block()
              .assign(e.ip(), owner.handleId(), owner.attributes(), ep.hostname());
        };
    BlockWriter.Written w =
        blocks.commit(
            List.of(
                GuardedDeletes.guardOnly(
                    WorkloadEndpoints.keyOf(ep), Objects.requireNonNull(ep.revision()))),
            false,
            Map.of(AllocationBlock.blockFor(e.ip()), edit));
    return w.ok()
        ? new Repair(
            f,
            Repair.Outcome.REPAIRED,
            "handed " + ip(e.ip()) + " from " + holder.handleId() + " to " + owner.handleId())
        : new Repair(f, Repair.Outcome.CHANGED, w.why());
  }

  private Repair assign(Finding f, WorkloadEndpoint ep, InetAddress a) {
    IpOwner owner = state.ownerOf(ep.hostname(), ep.orchestratorId(), ep.workloadId(), now);
    TxnPart same =
        GuardedDeletes.guardOnly(
            WorkloadEndpoints.keyOf(ep), Objects.requireNonNull(ep.revision()));
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      IpamChange c;
      try {
        c = ipam.prepareAssign(a, ep.hostname(), owner);
      } catch (AlreadyExistsException e) {
        return new Repair(f, Repair.Outcome.CHANGED, ip(a) + " was allocated meanwhile");
      }
      TxnResult r = TxnPart.commit(datastore, List.of(same, c));
      if (r.succeeded()) {
        blocks.wrote(c, r.revision());
        return new Repair(
            f, Repair.Outcome.REPAIRED, "assigned " + ip(a) + " to " + owner.handleId());
      }
      if (BlockWriter.failedOutsideIpam(r)) {
        return new Repair(f, Repair.Outcome.CHANGED, "the endpoint changed while repairing");
      }
    }
    return new Repair(
        f, Repair.Outcome.CHANGED, "block " + AllocationBlock.blockFor(a) + " kept changing");
  }
}
