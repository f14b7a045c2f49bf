package io.github.calicoj.core.repository;

import static java.util.Objects.requireNonNull;

import io.github.calicoj.core.AlreadyExistsException;
import io.github.calicoj.core.CalicoException.Reason;
import io.github.calicoj.core.ConflictException;
import io.github.calicoj.core.NotFoundException;
import io.github.calicoj.core.ProfileAlreadyInEndpointException;
import io.github.calicoj.core.ProfileNotInEndpointException;
import io.github.calicoj.core.TxnPart;
import io.github.calicoj.core.WireFormat;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.codec.EndpointJson;
import io.github.calicoj.core.internal.Retry;
import io.github.calicoj.core.model.Names;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Guard;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.ResourceNotFoundException;
import io.github.calicoj.datastore.RevisionConflictException;
import io.github.calicoj.datastore.Transaction;
import io.github.calicoj.datastore.TxnResult;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Workload endpoints in the datastore: lookup by {@link EndpointQuery}, atomic create-if-absent per
 * workload ({@link EndpointCreate}), compare-and-set updates with bounded retries, profile
 * membership, and atomic workload removal ({@link WorkloadRemoval}).
 *
 * <p>Reading is tolerant: an endpoint written by another tool may have any endpoint id that is a
 * valid key segment. What this library writes is validated strictly.
 *
 * <p>Thread-safe; stateless apart from the borrowed {@link Datastore}, which it never closes.
 * Datastore failures propagate as {@link io.github.calicoj.datastore.DatastoreException}s.
 *
 * <p>It is one class of a little over 400 lines because the endpoint keys, their queries and the
 * marker that lives and dies with them share one key layout and one set of guards.
 */
public final class WorkloadEndpoints {
  private static final Logger LOG = LoggerFactory.getLogger(WorkloadEndpoints.class);

  /** Marker keys read by one read-only transaction (etcd allows 128 operations in one). */
  private static final int MARKERS_PER_READ = 100;

  private final Datastore datastore;
  private final WireFormat format;

  /** Endpoints in {@code datastore}, written in {@code format}. */
  public WorkloadEndpoints(Datastore datastore, WireFormat format) {
    this.datastore = requireNonNull(datastore, "datastore");
    this.format = requireNonNull(format, "format");
  }

  /** The format endpoints are written in. */
  public WireFormat format() {
    return format;
  }

  /**
   * Every endpoint matching the query, read from the most specific prefix it allows (pycalico
   * {@code get_endpoints}). A value that cannot be read is logged and skipped.
   */
  public List<WorkloadEndpoint> find(EndpointQuery q) {
    requireNonNull(q, "query");
    Key prefix = CalicoKeys.HOSTS;
    if (q.hostname() != null) {
      prefix = CalicoKeys.host(q.hostname());
      if (q.orchestratorId() != null) {
        prefix = Key.of(prefix.path() + "workload/" + q.orchestratorId() + "/");
        if (q.workloadId() != null) {
          prefix = CalicoKeys.workload(q.hostname(), q.orchestratorId(), q.workloadId());
        }
      }
    }
    List<WorkloadEndpoint> out = new ArrayList<>();
    for (KeyValue kv : datastore.list(prefix).entries()) {
      Optional<CalicoKeys.EndpointKey> k = CalicoKeys.parseEndpoint(kv.key());
      if (k.isEmpty() || !matches(q, k.get())) {
        continue;
      }
      try {
        out.add(EndpointJson.read(k.get(), kv.value(), kv.revision()));
      } catch (IllegalArgumentException e) {
        LOG.warn("Skipping unreadable endpoint {}: {}", kv.key(), e.getMessage());
      }
    }
    return List.copyOf(out);
  }

  private static boolean matches(EndpointQuery q, CalicoKeys.EndpointKey k) {
    return (q.hostname() == null || q.hostname().equals(k.hostname()))
        && (q.orchestratorId() == null || q.orchestratorId().equals(k.orchestrator()))
        && (q.workloadId() == null || q.workloadId().equals(k.workload()))
        && (q.endpointId() == null || q.endpointId().equals(k.id()));
  }

  /** Every endpoint on every host. */
  public List<WorkloadEndpoint> list() {
    return find(EndpointQuery.all());
  }

  /**
   * The one endpoint matching the query (pycalico {@code get_endpoint}).
   *
   * @throws NotFoundException ({@link Reason#ENDPOINT_NOT_FOUND}) with the reference's message if
   *     none matches
   * @throws ConflictException ({@link Reason#MULTIPLE_ENDPOINTS}) if more than one matches
   */
  public WorkloadEndpoint get(EndpointQuery q) {
    List<WorkloadEndpoint> found = find(q);
    if (found.isEmpty()) {
      throw new NotFoundException(
          Reason.ENDPOINT_NOT_FOUND,
          "No endpoint found matching specified criteria.hostname="
              + q.hostname()
              + "orchestrator_id="
              + q.orchestratorId()
              + "workload_id="
              + q.workloadId()
              + "endpoint_id="
              + q.endpointId());
    }
    if (found.size() > 1) {
      throw multiple();
    }
    return found.get(0);
  }

  /**
   * The workload's endpoint, if it has one.
   *
   * @throws ConflictException ({@link Reason#MULTIPLE_ENDPOINTS}) if it has several
   */
  public Optional<WorkloadEndpoint> findForWorkload(
      String hostname, String orchestratorId, String workloadId) {
    List<WorkloadEndpoint> found =
        find(EndpointQuery.workload(hostname, orchestratorId, workloadId));
    if (found.size() > 1) {
      throw multiple();
    }
    return found.stream().findFirst();
  }

  private static ConflictException multiple() {
    return new ConflictException(
        Reason.MULTIPLE_ENDPOINTS,
        "More than 1 endpoint matches the provided criteria.  Please provide additional"
            + " parameters to refine the search.");
  }

  /** The workload's {@link WorkloadMarker marker} entry, if it has one. */
  public Optional<KeyValue> marker(String hostname, String orchestratorId, String workloadId) {
    return datastore.get(WorkloadMarker.key(hostname, orchestratorId, workloadId));
  }

  /**
   * The {@link WorkloadMarker marker} entries of many workloads on {@code hostname}, each workload
   * given as {@code {orchestratorId, workloadId}}: read-only transactions of up to a hundred keys,
   * so a bulk removal costs a round trip per hundred workloads rather than one per workload.
   *
   * @return the markers found, by key ({@link WorkloadMarker#key}); workloads without one are
   *     missing
   */
  public Map<Key, KeyValue> markers(String hostname, Collection<String[]> workloads) {
    Set<Key> unique = new LinkedHashSet<>();
    workloads.forEach(w -> unique.add(WorkloadMarker.key(hostname, w[0], w[1])));
    List<Key> keys = List.copyOf(unique);
    Map<Key, KeyValue> out = new HashMap<>();
    for (int from = 0; from < keys.size(); from += MARKERS_PER_READ) {
      List<Key> chunk = keys.subList(from, Math.min(keys.size(), from + MARKERS_PER_READ));
      Transaction.Builder txn = Transaction.builder();
      chunk.forEach(txn::readPrefix);
      TxnResult r = datastore.commit(txn.build());
      for (Key k : chunk) {
        // read as a prefix: keep only the exact key
        r.read(k).stream()
            .filter(kv -> kv.key().equals(k))
            .findFirst()
            .ifPresent(kv -> out.put(k, kv));
      }
    }
    return out;
  }

  /**
   * Stores the first endpoint of a workload, atomically (an {@link EndpointCreate} committed
   * alone): of concurrent creates for one workload exactly one succeeds. If another tool had
   * already stored an endpoint for it, the new one is removed again. A marker left without an
   * endpoint (by an older writer, or a tool that deleted the endpoint alone) is cleared and the
   * create retried.
   *
   * <p>This is the standalone form, for a caller with no IPAM change to commit alongside; it runs
   * the shared commit loop ({@link TxnPart#commit} inside the bounded {@code Retry.cas}). A
   * container add commits the same {@link EndpointCreate} in one transaction with its IPAM change
   * instead.
   *
   * @return the endpoint with its stored revision
   * @throws AlreadyExistsException ({@link Reason#ALREADY_CONFIGURED}) if the workload has an
   *     endpoint
   */
  public WorkloadEndpoint create(WorkloadEndpoint endpoint, WorkloadMarker marker) {
    requireNonNull(endpoint, "endpoint");
    return Retry.cas(
        "creating the endpoint of " + endpoint.workloadId(),
        () -> {
          EndpointCreate create = new EndpointCreate(endpoint, marker, format);
          var r = TxnPart.commit(datastore, List.of(create));
          if (create.committed()) {
            if (!create.alone()) {
              removeWorkload(
                  endpoint.hostname(),
                  endpoint.orchestratorId(),
                  endpoint.workloadId(),
                  List.of(endpoint.withRevision(r.revision())));
              throw taken(endpoint.workloadId());
            }
            return endpoint.withRevision(r.revision());
          }
          if (create.conflict() == EndpointCreate.Conflict.TAKEN) {
            throw taken(endpoint.workloadId());
          }
          create.marker().ifPresent(this::clearStaleMarker);
          return null;
        });
  }

  private static AlreadyExistsException taken(String workloadId) {
    return new AlreadyExistsException(
        Reason.ALREADY_CONFIGURED,
        workloadId + " has already been configured with Calico Networking.");
  }

  /**
   * Deletes a workload marker found without an endpoint, if it is still at the revision it was
   * found at. The marker is written and deleted only together with the workload's endpoints, so
   * such a marker was left by an older writer or by a tool that removed the endpoint alone.
   */
  public void clearStaleMarker(KeyValue marker) {
    try {
      datastore.delete(marker.key(), marker.revision());
    } catch (RevisionConflictException | ResourceNotFoundException e) {
      // someone else changed or cleared it: the caller re-reads
    }
  }

  /** Unconditionally writes the endpoint (pycalico {@code set_endpoint}). */
  public WorkloadEndpoint put(WorkloadEndpoint endpoint) {
    KeyValue kv = datastore.put(keyOf(endpoint), EndpointJson.write(endpoint, format));
    return endpoint.withRevision(kv.revision());
  }

  /**
   * Re-reads the endpoint, applies {@code change} and writes it back with compare-and-set, retrying
   * on conflict up to 100 times. {@code change} may throw to abort without writing.
   *
   * @return the endpoint as written
   * @throws NotFoundException ({@link Reason#ENDPOINT_NOT_FOUND}) if the endpoint does not exist
   * @throws ConflictException ({@link Reason#RETRIES_EXHAUSTED}) if the retries run out
   */
  public WorkloadEndpoint modify(
      WorkloadEndpoint endpoint, UnaryOperator<WorkloadEndpoint> change) {
    Key key = keyOf(endpoint);
    CalicoKeys.EndpointKey ek =
        new CalicoKeys.EndpointKey(
            endpoint.hostname(),
            endpoint.orchestratorId(),
            endpoint.workloadId(),
            endpoint.endpointId());
    return Retry.cas(
        "updating endpoint " + endpoint.endpointId(),
        () -> {
          KeyValue current = datastore.get(key).orElseThrow(() -> missing(endpoint));
          WorkloadEndpoint read = EndpointJson.read(ek, current.value(), current.revision());
          WorkloadEndpoint changed = change.apply(read);
          if (changed.sameContent(read)) {
            return read;
          }
          try {
            KeyValue kv =
                datastore.update(key, EndpointJson.write(changed, format), current.revision());
            return changed.withRevision(kv.revision());
          } catch (RevisionConflictException e) {
            return null; // changed underneath us: re-read and re-apply
          } catch (ResourceNotFoundException e) {
            throw missing(endpoint);
          }
        });
  }

  private static NotFoundException missing(WorkloadEndpoint endpoint) {
    return new NotFoundException(
        Reason.ENDPOINT_NOT_FOUND, "Endpoint " + endpoint.endpointId() + " could not be found.");
  }

  /**
   * Appends profiles (reference semantics): if any of {@code names} is already in the list, nothing
   * is written.
   *
   * @throws ProfileAlreadyInEndpointException naming the first one already there
   */
  public WorkloadEndpoint appendProfiles(WorkloadEndpoint endpoint, List<String> names) {
    List<String> add = checkedNames(names);
    return modify(
        endpoint,
        ep -> {
          for (String n : ep.profileIds()) {
            if (add.contains(n)) {
              throw new ProfileAlreadyInEndpointException(n);
            }
          }
          List<String> all = new ArrayList<>(ep.profileIds());
          all.addAll(add);
          return ep.withProfileIds(all);
        });
  }

  /**
   * Removes profiles; if any is missing, nothing is written.
   *
   * @throws ProfileNotInEndpointException naming the first one missing
   */
  public WorkloadEndpoint removeProfiles(WorkloadEndpoint endpoint, List<String> names) {
    List<String> remove = checkedNames(names);
    return modify(
        endpoint,
        ep -> {
          List<String> all = new ArrayList<>(ep.profileIds());
          for (String n : remove) {
            if (!all.remove(n)) {
              throw new ProfileNotInEndpointException(n);
            }
          }
          return ep.withProfileIds(all);
        });
  }

  /** Replaces the profile list; an empty list clears it. */
  public WorkloadEndpoint setProfiles(WorkloadEndpoint endpoint, List<String> names) {
    List<String> set = checkedNames(names);
    return modify(endpoint, ep -> ep.withProfileIds(set));
  }

  /** Every endpoint (on any host) that uses profile {@code name}. */
  public List<WorkloadEndpoint> membersOf(String name) {
    return list().stream().filter(ep -> ep.profileIds().contains(name)).toList();
  }

  /**
   * Deletes a workload in one transaction (a {@link WorkloadRemoval} committed alone): its
   * endpoints as read (each guarded on its revision) and its marker. Addresses are not released;
   * the client's removal commits the release in the same transaction.
   *
   * @return false if an endpoint changed since it was read (nothing was deleted)
   */
  public boolean removeWorkload(
      String hostname, String orchestratorId, String workloadId, List<WorkloadEndpoint> read) {
    WorkloadRemoval removal = new WorkloadRemoval(hostname, orchestratorId, workloadId, read);
    return TxnPart.commit(datastore, List.of(removal)).succeeded();
  }

  /**
   * Deletes a workload: every endpoint it has and its marker, in one transaction, retried if an
   * endpoint changes meanwhile.
   *
   * @throws NotFoundException ({@link Reason#WORKLOAD_NOT_CONFIGURED}) "{@code <w> is not a
   *     configured workload on host <h>}" if it has neither endpoints nor a marker
   */
  public void removeWorkload(String hostname, String orchestratorId, String workloadId) {
    Retry.cas(
        "removing workload " + workloadId,
        () -> {
          List<WorkloadEndpoint> eps =
              find(EndpointQuery.workload(hostname, orchestratorId, workloadId));
          if (eps.isEmpty() && marker(hostname, orchestratorId, workloadId).isEmpty()) {
            throw new NotFoundException(
                Reason.WORKLOAD_NOT_CONFIGURED,
                workloadId + " is not a configured workload on host " + hostname);
          }
          return removeWorkload(hostname, orchestratorId, workloadId, eps) ? Boolean.TRUE : null;
        });
  }

  /** The endpoint's key. */
  public static Key keyOf(WorkloadEndpoint ep) {
    return CalicoKeys.endpoint(
        ep.hostname(), ep.orchestratorId(), ep.workloadId(), ep.endpointId());
  }

  /** A guard that the endpoint is still as it was read. */
  public static Guard unchanged(WorkloadEndpoint ep) {
    return Guard.atRevision(keyOf(ep), requireNonNull(ep.revision(), "revision"));
  }

  /** Adds to {@code txn} a write of {@code ep} guarded on its revision. */
  public void addUpdate(Transaction.Builder txn, WorkloadEndpoint ep) {
    txn.guard(unchanged(ep)).put(keyOf(ep), EndpointJson.write(ep, format));
  }

  private static List<String> checkedNames(List<String> names) {
    Set<String> seen = new LinkedHashSet<>();
    for (String n : names) {
      Names.checkProfileName(n);
      if (!seen.add(n)) {
        throw new IllegalArgumentException(
            "Profile with name " + n + " was specified more than once.");
      }
    }
    return List.copyOf(seen);
  }
}
