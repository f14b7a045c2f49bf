package io.github.calicoj.core;

import static java.util.Objects.requireNonNull;

import io.github.calicoj.core.internal.CalicoJson;
import io.github.calicoj.core.internal.Keys;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Workload endpoints in the datastore (spec §1.4, §2): lookup by criteria, atomic
 * create-if-absent per workload, compare-and-set updates with bounded retries, profile
 * membership, and workload removal.
 *
 * <p>Thread-safe; stateless apart from the borrowed {@link Datastore}, which it never closes.
 * Datastore failures propagate as {@link io.github.calicoj.datastore.DatastoreException}s.
 */
public final class WorkloadEndpoints {
  /** Compare-and-set attempts before giving up, as pycalico's RETRIES. */
  static final int MAX_RETRIES = 100;

  private final Datastore datastore;
  private final WireFormat format;

  /** Endpoints in {@code datastore}, written in {@code format}. */
  public WorkloadEndpoints(Datastore datastore, WireFormat format) {
    this.datastore = requireNonNull(datastore, "datastore");
    this.format = requireNonNull(format, "format");
  }

  /**
   * Every endpoint matching the criteria (null = any), read from the most specific prefix the
   * criteria allow (pycalico {@code get_endpoints}). An endpoint-id-only lookup scans all hosts.
   */
  public List<WorkloadEndpoint> find(
      @Nullable String hostname,
      @Nullable String orchestratorId,
      @Nullable String workloadId,
      @Nullable String endpointId) {
    Key prefix = Keys.HOSTS;
    if (hostname != null) {
      prefix = Keys.host(hostname);
      if (orchestratorId != null) {
        prefix = Key.of(prefix.path() + "workload/" + orchestratorId + "/");
        if (workloadId != null) {
          prefix = Keys.workload(hostname, orchestratorId, workloadId);
        }
      }
    }
    List<WorkloadEndpoint> out = new ArrayList<>();
    for (KeyValue kv : datastore.list(prefix).entries()) {
      Optional<Keys.EndpointKey> k = Keys.parseEndpoint(kv.key());
      if (k.isEmpty()) {
        continue;
      }
      Keys.EndpointKey ek = k.get();
      if ((hostname == null || hostname.equals(ek.hostname()))
          && (orchestratorId == null || orchestratorId.equals(ek.orchestrator()))
          && (workloadId == null || workloadId.equals(ek.workload()))
          && (endpointId == null || endpointId.equals(ek.id()))) {
        out.add(CalicoJson.readEndpoint(ek, kv.value(), kv.revision()));
      }
    }
    return List.copyOf(out);
  }

  /** Every endpoint on every host. */
  public List<WorkloadEndpoint> list() {
    return find(null, null, null, null);
  }

  /**
   * The one endpoint matching the criteria (pycalico {@code get_endpoint}).
   *
   * @throws NotFoundException with the reference's message if none matches
   * @throws MultipleEndpointsMatchException if more than one matches
   */
  public WorkloadEndpoint get(
      @Nullable String hostname,
      @Nullable String orchestratorId,
      @Nullable String workloadId,
      @Nullable String endpointId) {
    List<WorkloadEndpoint> found = find(hostname, orchestratorId, workloadId, endpointId);
    if (found.isEmpty()) {
      throw new NotFoundException(
          "No endpoint found matching specified criteria.hostname="
              + hostname
              + "orchestrator_id="
              + orchestratorId
              + "workload_id="
              + workloadId
              + "endpoint_id="
              + endpointId);
    }
    if (found.size() > 1) {
      throw new MultipleEndpointsMatchException(
          "More than 1 endpoint matches the provided criteria.  Please provide additional"
              + " parameters to refine the search.");
    }
    return found.get(0);
  }

  /** The workload's endpoint, if it has one. */
  public Optional<WorkloadEndpoint> findForWorkload(
      String hostname, String orchestratorId, String workloadId) {
    List<WorkloadEndpoint> found = find(hostname, orchestratorId, workloadId, null);
    if (found.size() > 1) {
      throw new MultipleEndpointsMatchException(
          "More than 1 endpoint matches the provided criteria.  Please provide additional"
              + " parameters to refine the search.");
    }
    return found.stream().findFirst();
  }

  /**
   * Stores the first endpoint of a workload, atomically: of concurrent creates for one workload
   * exactly one succeeds. It {@link #reserve reserves} the workload (a library-private marker
   * {@code /calicoj/v1/workload/<host>/<orch>/<workload>} created only if absent), then writes
   * the endpoint in a transaction that requires the reservation to be intact.
   *
   * @return the endpoint with its stored revision
   * @throws AlreadyExistsException "{@code <workload> has already been configured with Calico
   *     Networking.}" if the workload has an endpoint
   */
  public WorkloadEndpoint create(WorkloadEndpoint endpoint) {
    requireNonNull(endpoint, "endpoint");
    Reservation r =
        reserve(
            endpoint.hostname(), endpoint.orchestratorId(), endpoint.workloadId(), endpoint.endpointId());
    try {
      return createReserved(endpoint, r);
    } catch (RuntimeException e) {
      release(r);
      throw e;
    }
  }

  /**
   * A claim on a workload, taken before any dataplane work so that concurrent adds of one
   * workload cannot both proceed: the workload's marker key, created atomically.
   *
   * @param hostname the host
   * @param orchestratorId the orchestrator
   * @param workloadId the workload
   * @param endpointId the endpoint id the claim is for
   * @param revision the marker's revision
   */
  public record Reservation(
      String hostname,
      String orchestratorId,
      String workloadId,
      String endpointId,
      io.github.calicoj.datastore.Revision revision) {}

  /**
   * Reserves a workload that has no endpoint yet: creates its marker if absent (clearing a stale
   * one left by an interrupted remove). Of concurrent reservations exactly one succeeds.
   *
   * @throws AlreadyExistsException "{@code <workload> has already been configured with Calico
   *     Networking.}"
   */
  public Reservation reserve(
      String hostname, String orchestratorId, String workloadId, String endpointId) {
    Key lock = Keys.workloadLock(hostname, orchestratorId, workloadId);
    for (int attempt = 0; attempt < MAX_RETRIES; attempt++) {
      if (findForWorkload(hostname, orchestratorId, workloadId).isPresent()) {
        throw alreadyConfigured(workloadId);
      }
      TxnResult r =
          datastore.commit(
              Transaction.builder()
                  .guard(Guard.absent(lock))
                  .put(lock, endpointId + " " + System.currentTimeMillis())
                  .build());
      if (r.succeeded()) {
        return new Reservation(hostname, orchestratorId, workloadId, endpointId, r.revision());
      }
      Optional<KeyValue> marker = r.current(lock);
      if (marker.isPresent()
          && isStale(marker.get())
          && findForWorkload(hostname, orchestratorId, workloadId).isEmpty()) {
        try {
          datastore.delete(lock, marker.get().revision());
        } catch (RevisionConflictException | ResourceNotFoundException e) {
          // someone else is on it
        }
        continue;
      }
      throw alreadyConfigured(workloadId);
    }
    throw new ConflictException("Hit max retries reserving " + workloadId);
  }

  /**
   * Writes the reserved workload's endpoint, in one transaction that requires the reservation to
   * be intact.
   *
   * @throws ConflictException if the reservation was lost
   */
  public WorkloadEndpoint createReserved(WorkloadEndpoint endpoint, Reservation reservation) {
    Key lock = Keys.workloadLock(reservation.hostname(), reservation.orchestratorId(), reservation.workloadId());
    Key key = keyOf(endpoint);
    TxnResult r =
        datastore.commit(
            Transaction.builder()
                .guard(Guard.atRevision(lock, reservation.revision()))
                .guard(Guard.absent(key))
                .put(key, CalicoJson.endpoint(endpoint, format))
                .build());
    if (!r.succeeded()) {
      throw new ConflictException(
          "The reservation of " + reservation.workloadId() + " was lost before its endpoint was written");
    }
    return endpoint.withRevision(r.revision());
  }

  /** Drops a reservation (rollback). Idempotent. */
  public void release(Reservation reservation) {
    Key lock = Keys.workloadLock(reservation.hostname(), reservation.orchestratorId(), reservation.workloadId());
    try {
      datastore.delete(lock, reservation.revision());
    } catch (ResourceNotFoundException | RevisionConflictException e) {
      // already gone, or no longer ours
    }
  }

  /**
   * A marker without an endpoint is an add in progress, or the remains of one that died. A live
   * add holds it for milliseconds to seconds; one older than this (by the writing host's clock,
   * the same host as ours) is taken as dead. A value without a time is from an older writer.
   */
  private static final long STALE_AFTER_MILLIS = 120_000;

  private static boolean isStale(KeyValue marker) {
    String[] parts = marker.value().split(" ", -1);
    if (parts.length != 2 || !parts[1].matches("\\d{1,19}")) {
      return true;
    }
    return System.currentTimeMillis() - Long.parseLong(parts[1]) > STALE_AFTER_MILLIS;
  }

  /** Unconditionally writes the endpoint (pycalico {@code set_endpoint}). */
  public WorkloadEndpoint put(WorkloadEndpoint endpoint) {
    KeyValue kv = datastore.put(keyOf(endpoint), CalicoJson.endpoint(endpoint, format));
    return endpoint.withRevision(kv.revision());
  }

  /**
   * Re-reads the endpoint, applies {@code change} and writes it back with compare-and-set,
   * retrying on conflict up to 100 times. {@code change} may throw to abort without writing.
   *
   * @return the endpoint as written
   * @throws NotFoundException if the endpoint does not exist
   * @throws ConflictException if the retries run out
   */
  public WorkloadEndpoint modify(WorkloadEndpoint endpoint, UnaryOperator<WorkloadEndpoint> change) {
    Key key = keyOf(endpoint);
    Keys.EndpointKey ek =
        new Keys.EndpointKey(
            endpoint.hostname(), endpoint.orchestratorId(), endpoint.workloadId(), endpoint.endpointId());
    for (int attempt = 0; attempt < MAX_RETRIES; attempt++) {
      Optional<KeyValue> current = datastore.get(key);
      if (current.isEmpty()) {
        throw new NotFoundException("Endpoint " + endpoint.endpointId() + " could not be found.");
      }
      WorkloadEndpoint read = CalicoJson.readEndpoint(ek, current.get().value(), current.get().revision());
      WorkloadEndpoint changed = change.apply(read);
      if (changed.sameContent(read)) {
        return read;
      }
      try {
        KeyValue kv =
            datastore.update(key, CalicoJson.endpoint(changed, format), current.get().revision());
        return changed.withRevision(kv.revision());
      } catch (RevisionConflictException e) {
        // changed underneath us: re-read and re-apply
      } catch (ResourceNotFoundException e) {
        throw new NotFoundException("Endpoint " + endpoint.endpointId() + " could not be found.");
      }
    }
    throw new ConflictException("Hit max retries updating endpoint " + endpoint.endpointId());
  }

  /**
   * Appends profiles (reference semantics): if any of {@code names} is already in the list,
   * nothing is written.
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
   * Deletes a workload: every key under {@code /calico/v1/host/<h>/workload/<o>/<w>/}, then its
   * marker.
   *
   * @throws NotFoundException "{@code <w> is not a configured workload on host <h>}" if it has no
   *     keys
   */
  public void removeWorkload(String hostname, String orchestratorId, String workloadId) {
    long deleted = datastore.deletePrefix(Keys.workload(hostname, orchestratorId, workloadId));
    boolean marker = datastore.delete(Keys.workloadLock(hostname, orchestratorId, workloadId));
    if (deleted == 0 && !marker) {
      throw new NotFoundException(
          workloadId + " is not a configured workload on host " + hostname);
    }
  }

  /** The endpoint's key. */
  public static Key keyOf(WorkloadEndpoint ep) {
    return Keys.endpoint(ep.hostname(), ep.orchestratorId(), ep.workloadId(), ep.endpointId());
  }

  private static AlreadyExistsException alreadyConfigured(String workloadId) {
    return new AlreadyExistsException(
        workloadId + " has already been configured with Calico Networking.");
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
