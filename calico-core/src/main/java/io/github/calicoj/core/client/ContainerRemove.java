package io.github.calicoj.core.client;

import static java.util.Objects.requireNonNull;

import io.github.calicoj.core.CalicoException.Reason;
import io.github.calicoj.core.ConflictException;
import io.github.calicoj.core.NotFoundException;
import io.github.calicoj.core.TxnPart;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.internal.Retry;
import io.github.calicoj.core.ipam.AllocationBlock;
import io.github.calicoj.core.ipam.Ipam;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.core.repository.EndpointQuery;
import io.github.calicoj.core.repository.WorkloadEndpoints;
import io.github.calicoj.core.repository.WorkloadMarker;
import io.github.calicoj.core.repository.WorkloadRemoval;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.netns.InterfaceName;
import io.github.calicoj.netns.NetnsException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code container remove}, one workload or many. The datastore side is one transaction per
 * workload (or per batch): the endpoints (each guarded on the revision it was read at), the
 * workload's marker and the release of the endpoints' addresses (each block guarded on its
 * revision, each address freed only if this workload's handle or no handle holds it) commit
 * together, so no state exists in which an endpoint holds a released address. The dataplane is torn
 * down after the commit; a remove that dies in between leaves a cali pair without data, which the
 * next remove or add of the workload deletes.
 *
 * <p>Thread-safe.
 */
final class ContainerRemove {
  private static final Logger LOG = LoggerFactory.getLogger(ContainerRemove.class);

  /**
   * How many writes one batch of a bulk removal may hold: etcd allows 128 operations in each branch
   * of a transaction, and the writes (each endpoint, each marker and handle, each block once) are
   * the largest branch here.
   */
  private static final int MAX_BATCH_OPS = 120;

  private final String hostname;
  private final Datastore datastore;
  private final WorkloadEndpoints endpoints;
  private final Ipam ipam;
  private final HostDataplane host;
  private final WorkloadResolver resolver;
  private final WorkloadRepair repair;

  ContainerRemove(
      String hostname,
      Datastore datastore,
      WorkloadEndpoints endpoints,
      Ipam ipam,
      HostDataplane host,
      WorkloadResolver resolver,
      WorkloadRepair repair) {
    this.hostname = hostname;
    this.datastore = datastore;
    this.endpoints = endpoints;
    this.ipam = ipam;
    this.host = host;
    this.resolver = resolver;
    this.repair = repair;
  }

  /**
   * Removes one workload: its data, then its veths. With no data, a cali pair left in the workload
   * by a killed add is deleted instead. A marker is deleted whatever else is found, even alone.
   *
   * @return the endpoints removed (empty if only a marker or a leftover pair was)
   * @throws NotFoundException ({@link Reason#WORKLOAD_NOT_CONFIGURED}) "Failed find Calico data for
   *     X" if there was nothing to remove
   * @throws io.github.calicoj.core.ConflictException ({@link Reason#WORKLOAD_MISMATCH}) if the path
   *     shares its workload id with the path the workload was added by
   */
  List<WorkloadEndpoint> remove(String workload) {
    for (String[] id : resolver.storedIds(workload)) {
      Optional<KeyValue> marker = endpoints.marker(hostname, id[0], id[1]);
      List<WorkloadEndpoint> eps = endpoints.find(EndpointQuery.workload(hostname, id[0], id[1]));
      if (eps.isEmpty() && marker.isEmpty()) {
        continue;
      }
      WorkloadResolver.checkSamePath(
          workload, marker.flatMap(kv -> WorkloadMarker.parse(kv.value())));
      List<WorkloadEndpoint> removed = removeStored(id[0], id[1]);
      teardown(removed);
      return removed;
    }
    if (repair.removeLeftovers(workload) > 0) {
      return List.of();
    }
    throw new NotFoundException(
        Reason.WORKLOAD_NOT_CONFIGURED, "Failed find Calico data for " + workload);
  }

  /**
   * Deletes a workload's data in one transaction: its endpoints as freshly read, its marker, and
   * the release of their addresses; retried when an endpoint or block changes meanwhile.
   *
   * @return the endpoints deleted
   */
  List<WorkloadEndpoint> removeStored(String orchestratorId, String workloadId) {
    return Retry.cas(
        "removing workload " + workloadId,
        () -> {
          List<WorkloadEndpoint> eps =
              endpoints.find(EndpointQuery.workload(hostname, orchestratorId, workloadId));
          String handle = handleOf(orchestratorId, workloadId);
          Map<InetAddress, @Nullable String> owners = new LinkedHashMap<>();
          eps.forEach(ep -> ep.nets().forEach(n -> owners.put(n.address(), handle)));
          List<TxnPart> parts = new ArrayList<>();
          parts.add(new WorkloadRemoval(hostname, orchestratorId, workloadId, eps));
          parts.addAll(ipam.prepareRelease(owners));
          return TxnPart.commit(datastore, parts).succeeded() ? eps : null;
        });
  }

  /**
   * Undoes one endpoint that this client committed: deletes it (freshly read, guarded on that
   * revision), the workload's marker, and the release of its addresses, in one transaction. Other
   * endpoints the workload may have (another tool's) stay. Nothing happens if it is gone.
   */
  void removeCommitted(WorkloadEndpoint endpoint) {
    String o = endpoint.orchestratorId();
    String w = endpoint.workloadId();
    Retry.cas(
        "undoing the endpoint of " + w,
        () -> {
          Optional<WorkloadEndpoint> now =
              endpoints.find(EndpointQuery.workload(hostname, o, w)).stream()
                  .filter(ep -> ep.endpointId().equals(endpoint.endpointId()))
                  .findFirst();
          if (now.isEmpty()) {
            return Boolean.TRUE;
          }
          String handle = handleOf(o, w);
          Map<InetAddress, @Nullable String> owners = new LinkedHashMap<>();
          now.get().nets().forEach(n -> owners.put(n.address(), handle));
          List<TxnPart> parts = new ArrayList<>();
          parts.add(new WorkloadRemoval(hostname, o, w, List.of(now.get())));
          parts.addAll(ipam.prepareRelease(owners));
          return TxnPart.commit(datastore, parts).succeeded() ? Boolean.TRUE : null;
        });
  }

  /**
   * The IPAM handle that owns a workload's addresses: the one its marker records, else the default
   * ({@link Owners}).
   */
  String handleOf(String orchestratorId, String workloadId) {
    return handleOf(
        orchestratorId, workloadId, endpoints.marker(hostname, orchestratorId, workloadId));
  }

  /** {@link #handleOf(String, String)} with the workload's marker as read. */
  private String handleOf(String orchestratorId, String workloadId, Optional<KeyValue> marker) {
    return marker
        .flatMap(kv -> WorkloadMarker.parse(kv.value()))
        .map(WorkloadMarker::handleId)
        .orElse(Owners.handleId(hostname, orchestratorId, workloadId));
  }

  /** Deletes the endpoints' veths; a veth already gone is fine. */
  void teardown(List<WorkloadEndpoint> removed) {
    for (WorkloadEndpoint ep : removed) {
      try {
        host.deleteLinkIfExists(InterfaceName.of(ep.name()));
      } catch (NetnsException e) {
        LOG.warn("Could not remove Calico interface {}: {}", ep.name(), e.getMessage());
      }
    }
  }

  /**
   * Removes many workloads: like {@link #remove} for each, but their data goes in a few
   * transactions (batches of up to {@value #MAX_BATCH_OPS} operations) and their veths in one bulk
   * kernel request. Workloads without data are skipped. A path whose workload was added by another
   * path that names another namespace is refused like {@link #remove} refuses it (its workload
   * stays); the other workloads are removed, then the refusal is thrown.
   *
   * @return the endpoints removed
   * @throws io.github.calicoj.core.ConflictException ({@link Reason#WORKLOAD_MISMATCH}) after the
   *     other workloads are removed, with the single remove's message for each refused path
   */
  List<WorkloadEndpoint> removeAll(Collection<String> workloads) {
    Map<String, List<WorkloadEndpoint>> onHost = new LinkedHashMap<>();
    for (WorkloadEndpoint ep : endpoints.find(EndpointQuery.onHost(hostname))) {
      onHost
          .computeIfAbsent(ep.orchestratorId() + "/" + ep.workloadId(), k -> new ArrayList<>())
          .add(ep);
    }
    Map<Key, KeyValue> listed = null; // the host's markers, listed once if a path has endpoints
    Set<String> wanted = new LinkedHashSet<>();
    List<String> refused = new ArrayList<>();
    for (String w : workloads) {
      List<String[]> ids = resolver.storedIds(w);
      try {
        for (String[] id : ids) {
          if (w.startsWith("/") && onHost.containsKey(id[0] + "/" + id[1])) {
            if (listed == null) {
              listed = new HashMap<>();
              for (KeyValue kv : datastore.list(markersOf(hostname)).entries()) {
                listed.put(kv.key(), kv);
              }
            }
            KeyValue m = listed.get(WorkloadMarker.key(hostname, id[0], id[1]));
            WorkloadResolver.checkSamePath(
                w, Optional.ofNullable(m).flatMap(kv -> WorkloadMarker.parse(kv.value())));
          }
        }
      } catch (ConflictException e) {
        refused.add(e.getMessage());
        continue;
      }
      ids.forEach(id -> wanted.add(id[0] + "/" + id[1]));
    }
    Map<String, List<WorkloadEndpoint>> byWorkload = new LinkedHashMap<>();
    onHost.forEach(
        (id, eps) -> {
          if (wanted.contains(id)) {
            byWorkload.put(id, eps);
          }
        });
    List<String[]> ids = new ArrayList<>();
    byWorkload.values().forEach(eps -> ids.add(idOf(eps.get(0))));
    Map<Key, KeyValue> markers = listed != null ? listed : endpoints.markers(hostname, ids);
    Map<String, String> handles = new HashMap<>();
    for (String[] id : ids) {
      Key key = WorkloadMarker.key(hostname, id[0], id[1]);
      handles.put(
          id[0] + "/" + id[1], handleOf(id[0], id[1], Optional.ofNullable(markers.get(key))));
    }
    List<WorkloadEndpoint> removed = new ArrayList<>();
    List<List<WorkloadEndpoint>> batch = new ArrayList<>();
    Set<Cidr> blocks = new HashSet<>();
    int ops = 0;
    for (List<WorkloadEndpoint> eps : byWorkload.values()) {
      Set<Cidr> own = new HashSet<>();
      eps.forEach(ep -> ep.nets().forEach(n -> own.add(AllocationBlock.blockFor(n.address()))));
      if (!batch.isEmpty() && ops + cost(eps, own, blocks) > MAX_BATCH_OPS) {
        removed.addAll(removeBatch(batch, handles));
        batch.clear();
        blocks.clear();
        ops = 0;
      }
      ops += cost(eps, own, blocks);
      batch.add(eps);
      blocks.addAll(own);
    }
    if (!batch.isEmpty()) {
      removed.addAll(removeBatch(batch, handles));
    }
    List<InterfaceName> links = new ArrayList<>();
    removed.forEach(ep -> links.add(InterfaceName.of(ep.name())));
    host.deleteLinks(links);
    if (!refused.isEmpty()) {
      throw new ConflictException(Reason.WORKLOAD_MISMATCH, String.join(" ", refused));
    }
    return removed;
  }

  /** The prefix of the host's workload markers. */
  private static Key markersOf(String hostname) {
    return Key.of(CalicoKeys.WORKLOAD_MARKERS.path() + hostname + "/");
  }

  /**
   * The writes one workload adds to a batch: its endpoints, its marker, its handle, and each block
   * of its addresses that the batch does not write yet.
   */
  private static int cost(List<WorkloadEndpoint> eps, Set<Cidr> own, Set<Cidr> batchBlocks) {
    return eps.size() + 2 + (int) own.stream().filter(b -> !batchBlocks.contains(b)).count();
  }

  private static String[] idOf(WorkloadEndpoint ep) {
    return new String[] {ep.orchestratorId(), ep.workloadId()};
  }

  /**
   * One transaction for several workloads; if a guard fails (one of them changed), each is then
   * removed on its own. {@code handles} holds each workload's handle, by {@code orchestrator/id}.
   * They come from the workloads' markers read before the transaction, as {@link #removeStored}
   * reads its workload's.
   */
  private List<WorkloadEndpoint> removeBatch(
      List<List<WorkloadEndpoint>> workloads, Map<String, String> handles) {
    List<TxnPart> parts = new ArrayList<>();
    Map<InetAddress, @Nullable String> owners = new LinkedHashMap<>();
    List<WorkloadEndpoint> all = new ArrayList<>();
    for (List<WorkloadEndpoint> eps : workloads) {
      WorkloadEndpoint first = eps.get(0);
      parts.add(new WorkloadRemoval(hostname, first.orchestratorId(), first.workloadId(), eps));
      String handle =
          requireNonNull(handles.get(first.orchestratorId() + "/" + first.workloadId()));
      eps.forEach(ep -> ep.nets().forEach(n -> owners.put(n.address(), handle)));
      all.addAll(eps);
    }
    parts.addAll(ipam.prepareRelease(owners));
    if (TxnPart.commit(datastore, parts).succeeded()) {
      return all;
    }
    List<WorkloadEndpoint> removed = new ArrayList<>();
    for (List<WorkloadEndpoint> eps : workloads) {
      removed.addAll(removeStored(eps.get(0).orchestratorId(), eps.get(0).workloadId()));
    }
    return removed;
  }
}
