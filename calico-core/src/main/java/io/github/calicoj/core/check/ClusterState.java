package io.github.calicoj.core.check;

import io.github.calicoj.core.client.Owners;
import io.github.calicoj.core.ipam.AllocationBlock;
import io.github.calicoj.core.ipam.IpOwner;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.core.repository.WorkloadMarker;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The datastore's side of one check, as {@link StateReader} read it in three list calls: calicoj's
 * own keys, Calico's IPAM, and every host's endpoints. Immutable once built: {@link StateReader}
 * builds each collection and hands it over.
 *
 * @param endpoints every readable endpoint of every host, with its revision
 * @param oddEndpoints endpoint keys whose value the strict reader refused
 * @param blocks every readable block
 * @param unreadableBlocks blocks whose value could not be read
 * @param handles every handle entry, by id
 * @param affinities every host affinity marker, by key
 * @param markers every workload marker, by key
 * @param sightings every first-seen record, by key
 * @param notes what could not be read, in words
 */
record ClusterState(
    List<WorkloadEndpoint> endpoints,
    List<OddEndpoint> oddEndpoints,
    Map<Cidr, StoredBlock> blocks,
    Set<Cidr> unreadableBlocks,
    Map<String, KeyValue> handles,
    Map<Key, Affinity> affinities,
    Map<Key, MarkerEntry> markers,
    Map<Key, KeyValue> sightings,
    List<String> notes) {

  /** Wraps the collections read-only (the reader hands over fresh ones, so nothing is copied). */
  ClusterState {
    endpoints = Collections.unmodifiableList(endpoints);
    oddEndpoints = Collections.unmodifiableList(oddEndpoints);
    blocks = Collections.unmodifiableMap(blocks);
    unreadableBlocks = Collections.unmodifiableSet(unreadableBlocks);
    handles = Collections.unmodifiableMap(handles);
    affinities = Collections.unmodifiableMap(affinities);
    markers = Collections.unmodifiableMap(markers);
    sightings = Collections.unmodifiableMap(sightings);
    notes = Collections.unmodifiableList(notes);
  }

  /**
   * The handle that owns a workload's addresses: the one its marker records (a workload added with
   * its own IPAM owner), else calicoj's default for it.
   */
  String handleOf(String host, String orchestrator, String workload) {
    MarkerEntry m = markers.get(WorkloadMarker.key(host, orchestrator, workload));
    WorkloadMarker marker = m == null ? null : m.marker();
    String recorded = marker == null ? null : marker.handleId();
    return recorded != null ? recorded : Owners.handleId(host, orchestrator, workload);
  }

  /**
   * The owner of addresses a repair gives a workload: {@link #handleOf} and calicoj's attributes.
   */
  IpOwner ownerOf(String host, String orchestrator, String workload, Instant created) {
    IpOwner dflt = Owners.of(host, orchestrator, workload, created);
    return IpOwner.of(handleOf(host, orchestrator, workload), dflt.attributes());
  }

  /** A block as stored and as read. */
  record StoredBlock(KeyValue entry, AllocationBlock block) {}

  /** A host affinity marker. */
  record Affinity(String host, Cidr block, KeyValue entry) {}

  /**
   * A workload marker: its entry and its key's segments. Its value is read only when asked (most
   * checks need few of them).
   */
  record MarkerEntry(KeyValue entry, String host, String orchestrator, String workload) {
    /** The marker's value, or null if it is unreadable. */
    @Nullable WorkloadMarker marker() {
      return WorkloadMarker.parse(entry.value()).orElse(null);
    }
  }

  /**
   * An endpoint the strict reader refused (another tool's, or damaged): what could still be read of
   * it. Its addresses count as held, so that their allocations are not taken for leaks.
   *
   * @param key its key
   * @param host the host segment of its key
   * @param name its host interface name, if readable
   * @param ips its addresses, if readable; null if not even those could be read
   */
  record OddEndpoint(Key key, String host, @Nullable String name, @Nullable Set<InetAddress> ips) {}
}
