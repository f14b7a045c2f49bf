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
 * Workload endpoints in the datastore (spec §1.4, §2): lookup by criteria, atomic create-if-absent
 * per workload, compare-and-set updates with bounded retries, profile membership, and workload
 * removal.
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
   * exactly one succeeds. The endpoint is written together with the workload's marker, a
   * library-private key {@code /calicoj/v1/workload/<host>/<orch>/<workload>}, in one transaction
   * that requires the marker to be absent. The same transaction reads the workload's endpoints: if
   * another tool (which writes no marker) had already stored one, the new endpoint is removed again
   * and "already configured" thrown.
   *
   * @return the endpoint with its stored revision
   * @throws AlreadyExistsException "{@code <workload> has already been configured with Calico
   *     Networking.}" if the workload has an endpoint
   */
  public WorkloadEndpoint create(WorkloadEndpoint endpoint) {
    requireNonNull(endpoint, "endpoint");
    for (int attempt = 0; attempt < MAX_RETRIES; attempt++) {
      Transaction.Builder txn = Transaction.builder();
      addCreate(txn, endpoint);
      TxnResult r = datastore.commit(txn.build());
      if (r.succeeded()) {
        if (!createdAlone(r, endpoint)) {
          undoCreate(endpoint);
          throw alreadyConfigured(endpoint.workloadId());
        }
        return endpoint.withRevision(r.revision());
      }
      checkCreate(r, endpoint);
    }
    throw new ConflictException(
        "Hit max retries creating the endpoint of " + endpoint.workloadId());
  }

  /**
   * Adds to {@code txn} what creates a workload's first endpoint atomically: guards that the
   * workload's marker and the endpoint key are absent, writes of both, and a read of the workload's
   * endpoints. After it commits, check {@link #createdAlone}; if it fails, call {@link
   * #checkCreate}. See {@link #create}.
   */
  public void addCreate(Transaction.Builder txn, WorkloadEndpoint endpoint) {
    Key lock =
        Keys.workloadLock(endpoint.hostname(), endpoint.orchestratorId(), endpoint.workloadId());
    Key key = keyOf(endpoint);
    txn.guard(Guard.absent(lock))
        .guard(Guard.absent(key))
        .put(lock, endpoint.endpointId() + " " + System.currentTimeMillis())
        .put(key, CalicoJson.endpoint(endpoint, format))
        .readPrefix(
            Keys.workload(endpoint.hostname(), endpoint.orchestratorId(), endpoint.workloadId()));
  }

  /**
   * True if the committed transaction (with {@link #addCreate}) left {@code endpoint} as its
   * workload's only endpoint; false if another tool had stored one before, in which case the caller
   * must {@link #undoCreate} and report "already configured".
   */
  public boolean createdAlone(TxnResult committed, WorkloadEndpoint endpoint) {
    Key mine = keyOf(endpoint);
    return committed
        .read(Keys.workload(endpoint.hostname(), endpoint.orchestratorId(), endpoint.workloadId()))
        .stream()
        .allMatch(kv -> kv.key().equals(mine) || Keys.parseEndpoint(kv.key()).isEmpty());
  }

  /** Deletes an endpoint that {@link #addCreate} wrote, with the marker it holds. Idempotent. */
  public void undoCreate(WorkloadEndpoint endpoint) {
    Key lock =
        Keys.workloadLock(endpoint.hostname(), endpoint.orchestratorId(), endpoint.workloadId());
    Optional<KeyValue> marker = datastore.get(lock);
    Transaction.Builder txn = Transaction.builder().delete(keyOf(endpoint));
    if (marker.isPresent() && marker.get().value().startsWith(endpoint.endpointId() + " ")) {
      txn.guard(Guard.atRevision(lock, marker.get().revision())).delete(lock);
    }
    if (!datastore.commit(txn.build()).succeeded()) {
      datastore.delete(keyOf(endpoint)); // the marker changed hands: leave it, drop ours
    }
  }

  /**
   * Looks at a failed transaction that included {@link #addCreate}. If the workload is taken (its
   * marker belongs to an endpoint or to an add in progress), throws "already configured". A stale
   * marker (see below) is deleted, and this returns: the caller may retry. It also returns when the
   * workload's guards held, and the failure lay in the caller's other guards.
   *
   * @throws AlreadyExistsException "{@code <workload> has already been configured with Calico
   *     Networking.}"
   */
  public void checkCreate(TxnResult failed, WorkloadEndpoint endpoint) {
    Key lock =
        Keys.workloadLock(endpoint.hostname(), endpoint.orchestratorId(), endpoint.workloadId());
    if (failed.current(keyOf(endpoint)).isPresent()) {
      throw alreadyConfigured(endpoint.workloadId());
    }
    Optional<KeyValue> marker = failed.current(lock);
    if (marker.isEmpty()) {
      return;
    }
    if (isStale(marker.get())
        && findForWorkload(endpoint.hostname(), endpoint.orchestratorId(), endpoint.workloadId())
            .isEmpty()) {
      try {
        datastore.delete(lock, marker.get().revision());
      } catch (RevisionConflictException | ResourceNotFoundException e) {
        // someone else is on it
      }
      return;
    }
    throw alreadyConfigured(endpoint.workloadId());
  }

  /**
   * A marker without an endpoint is a remove in progress, or the remains of one that died (a marker
   * is only ever written together with its endpoint). One older than this (by the writing host's
   * clock, the same host as ours) is taken as dead. A value without a time is from an older writer.
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
   * Re-reads the endpoint, applies {@code change} and writes it back with compare-and-set, retrying
   * on conflict up to 100 times. {@code change} may throw to abort without writing.
   *
   * @return the endpoint as written
   * @throws NotFoundException if the endpoint does not exist
   * @throws ConflictException if the retries run out
   */
  public WorkloadEndpoint modify(
      WorkloadEndpoint endpoint, UnaryOperator<WorkloadEndpoint> change) {
    Key key = keyOf(endpoint);
    Keys.EndpointKey ek =
        new Keys.EndpointKey(
            endpoint.hostname(),
            endpoint.orchestratorId(),
            endpoint.workloadId(),
            endpoint.endpointId());
    for (int attempt = 0; attempt < MAX_RETRIES; attempt++) {
      Optional<KeyValue> current = datastore.get(key);
      if (current.isEmpty()) {
        throw new NotFoundException("Endpoint " + endpoint.endpointId() + " could not be found.");
      }
      WorkloadEndpoint read =
          CalicoJson.readEndpoint(ek, current.get().value(), current.get().revision());
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
      throw new NotFoundException(workloadId + " is not a configured workload on host " + hostname);
    }
  }

  /** The endpoint's key. */
  public static Key keyOf(WorkloadEndpoint ep) {
    return Keys.endpoint(ep.hostname(), ep.orchestratorId(), ep.workloadId(), ep.endpointId());
  }

  /**
   * The reference's error for a workload that has an endpoint: "{@code <workload> has already been
   * configured with Calico Networking.}"
   */
  public static AlreadyExistsException alreadyConfigured(String workloadId) {
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
