package io.github.calicoj.core.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.net.InetAddresses;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.codec.EndpointJson;
import io.github.calicoj.core.internal.PyJson;
import io.github.calicoj.core.ipam.BlockJson;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads a {@link ClusterState} in three list calls, in an order that keeps calicoj's own atomic
 * writes from looking like problems: calicoj's keys (markers and first-seen records), then IPAM
 * (blocks, handles and affinities at one revision), then the endpoints. An add commits its
 * allocation, marker and endpoint together, so an allocation or a marker seen before the endpoints
 * were read has its endpoint in them unless it was removed meanwhile, which {@link Finder}'s
 * confirming reads catch. Stateless and thread-safe.
 */
final class StateReader {
  private static final Pattern BLOCK =
      Pattern.compile("^/calico/ipam/v2/assignment/ipv[46]/block/([^/]+)$");
  private static final Pattern HANDLE = Pattern.compile("^/calico/ipam/v2/handle/([^/]+)$");
  private static final Pattern AFFINITY =
      Pattern.compile("^/calico/ipam/v2/host/([^/]+)/ipv[46]/block/([^/]+)$");
  private static final Pattern MARKER =
      Pattern.compile("^/calicoj/v1/workload/([^/]+)/([^/]+)/([^/]+)$");

  private final Datastore datastore;

  StateReader(Datastore datastore) {
    this.datastore = datastore;
  }

  ClusterState read() {
    List<String> notes = new ArrayList<>();
    Map<Key, ClusterState.MarkerEntry> markers = new HashMap<>();
    Map<Key, KeyValue> sightings = new HashMap<>();
    for (KeyValue kv : datastore.list(CalicoKeys.CALICOJ).entries()) {
      Matcher m = MARKER.matcher(kv.key().path());
      if (m.matches()) {
        markers.put(kv.key(), new ClusterState.MarkerEntry(kv, m.group(1), m.group(2), m.group(3)));
      } else if (kv.key().startsWith(CalicoKeys.CHECK_SIGHTINGS)) {
        sightings.put(kv.key(), kv);
      }
    }

    Map<Cidr, ClusterState.StoredBlock> blocks = new HashMap<>();
    Set<Cidr> unreadableBlocks = new HashSet<>();
    Map<String, KeyValue> handles = new HashMap<>();
    Map<Key, ClusterState.Affinity> affinities = new HashMap<>();
    for (KeyValue kv : datastore.list(CalicoKeys.IPAM).entries()) {
      String path = kv.key().path();
      Matcher b = BLOCK.matcher(path);
      Matcher h = HANDLE.matcher(path);
      Matcher a = AFFINITY.matcher(path);
      if (b.matches()) {
        try {
          var block = BlockJson.read(kv.value());
          blocks.put(block.cidr(), new ClusterState.StoredBlock(kv, block));
        } catch (IllegalArgumentException e) {
          cidrOf(b.group(1)).ifPresent(unreadableBlocks::add);
          notes.add("Block " + kv.key() + " is unreadable (" + e.getMessage() + ").");
        }
      } else if (h.matches()) {
        handles.put(h.group(1), kv);
      } else if (a.matches()) {
        Optional<Cidr> cidr = cidrOf(a.group(2));
        if (cidr.isPresent()) {
          affinities.put(kv.key(), new ClusterState.Affinity(a.group(1), cidr.get(), kv));
        }
      }
    }

    List<WorkloadEndpoint> endpoints = new ArrayList<>();
    List<ClusterState.OddEndpoint> odd = new ArrayList<>();
    for (KeyValue kv : datastore.list(CalicoKeys.HOSTS).entries()) {
      Optional<CalicoKeys.EndpointKey> k = CalicoKeys.parseEndpoint(kv.key());
      if (k.isEmpty()) {
        continue;
      }
      try {
        endpoints.add(EndpointJson.read(k.get(), kv.value(), kv.revision()));
      } catch (IllegalArgumentException e) {
        ClusterState.OddEndpoint o = lenient(kv, k.get().hostname());
        odd.add(o);
        notes.add(
            "Endpoint "
                + kv.key()
                + " is not readable as an endpoint"
                + (o.ips() == null ? ", nor are its addresses" : "")
                + ": "
                + e.getMessage());
      }
    }
    return new ClusterState(
        endpoints, odd, blocks, unreadableBlocks, handles, affinities, markers, sightings, notes);
  }

  private static Optional<Cidr> cidrOf(String segment) {
    try {
      return Optional.of(Cidr.fromKeySegment(segment));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** What can be read of an endpoint value the strict reader refused. */
  private static ClusterState.OddEndpoint lenient(KeyValue kv, String host) {
    @Nullable String name = null;
    @Nullable Set<InetAddress> ips = null;
    try {
      JsonNode o = PyJson.parse(kv.value(), "endpoint");
      name = o.path("name").isTextual() ? o.get("name").asText() : null;
      Set<InetAddress> found = new LinkedHashSet<>();
      for (String field : List.of("ipv4_nets", "ipv6_nets")) {
        for (JsonNode n : o.path(field)) {
          String text = n.asText();
          int slash = text.indexOf('/');
          found.add(InetAddresses.forString(slash < 0 ? text : text.substring(0, slash)));
        }
      }
      ips = found;
    } catch (IllegalArgumentException e) {
      // neither strict nor lenient: its addresses are unknown
    }
    return new ClusterState.OddEndpoint(kv.key(), host, name, ips);
  }
}
