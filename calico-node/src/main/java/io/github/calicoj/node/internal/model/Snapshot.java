package io.github.calicoj.node.internal.model;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.HostConfig;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.model.WorkloadEndpoint;
import java.util.List;

/**
 * Everything the agent reads, decoded and validated: the input of the pure function from the
 * datastore to the desired dataplane. Invalid data is absent here (Felix treats it as deleted) and
 * listed in {@link #problems()}. Immutable and thread-safe.
 *
 * @param hostname this host ({@code FelixHostname})
 * @param ready {@code /calico/v1/Ready} is {@code true}
 * @param config the resolved Felix configuration
 * @param endpoints valid workload endpoints of every host, by datastore key
 * @param profiles profiles that have a tags or rules key, by name
 * @param pools valid IPv4 and IPv6 pools, by CIDR
 * @param hosts every host with a known IPv4 or IPv6 address
 * @param affinities the blocks affine to each host (IPAM affinity markers)
 * @param problems what was invalid or unsupported, each with its key
 */
public record Snapshot(
    String hostname,
    boolean ready,
    FelixConfig config,
    ImmutableSortedMap<String, WorkloadEndpoint> endpoints,
    ImmutableSortedMap<String, PolicyProfile> profiles,
    ImmutableSortedMap<Cidr, IpPool> pools,
    ImmutableSortedMap<String, HostConfig> hosts,
    ImmutableSortedMap<String, ImmutableSortedSet<Cidr>> affinities,
    ImmutableSortedSet<Problem> problems) {

  /** Rejects nulls. */
  public Snapshot {
    requireNonNull(hostname, "hostname");
    requireNonNull(config, "config");
    requireNonNull(endpoints, "endpoints");
    requireNonNull(profiles, "profiles");
    requireNonNull(pools, "pools");
    requireNonNull(hosts, "hosts");
    requireNonNull(affinities, "affinities");
    requireNonNull(problems, "problems");
  }

  /** This host's endpoints, in key order. */
  public List<WorkloadEndpoint> localEndpoints() {
    return endpoints.values().stream().filter(e -> e.hostname().equals(hostname)).toList();
  }
}
