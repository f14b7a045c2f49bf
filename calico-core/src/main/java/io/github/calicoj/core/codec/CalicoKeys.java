package io.github.calicoj.core.codec;

import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.datastore.Key;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Calico v1's etcd key layout, in one place: endpoints, profiles, pools, IPAM blocks, affinities
 * and handles, BGP host keys, and calicoj's own workload markers. Stateless and thread-safe.
 */
public final class CalicoKeys {
  /** {@code true} here tells Felix the data is ready. */
  public static final Key READY = Key.of("/calico/v1/Ready");

  /** Felix's global configuration parameters, one key each. */
  public static final Key CONFIG = Key.of("/calico/v1/config/");

  /** Every host's keys: endpoints, {@code bird_ip}, per-host config. */
  public static final Key HOSTS = Key.of("/calico/v1/host/");

  /** Every profile's {@code tags}, {@code rules} and {@code labels}. */
  public static final Key PROFILES = Key.of("/calico/v1/policy/profile/");

  /** The IPAM config ({@code strict_affinity}, {@code auto_allocate_blocks}). */
  public static final Key IPAM_CONFIG = Key.of("/calico/ipam/v2/config");

  /** The global BGP AS number. */
  public static final Key BGP_GLOBAL_AS = Key.of("/calico/bgp/v1/global/as_num");

  /** The global BGP node-to-node mesh switch. */
  public static final Key BGP_GLOBAL_MESH = Key.of("/calico/bgp/v1/global/node_mesh");

  /**
   * Library-private, outside Calico's tree: one marker per workload that makes "create the
   * workload's endpoint unless it has one" a single atomic transaction.
   */
  public static final Key WORKLOAD_MARKERS = Key.of("/calicoj/v1/workload/");

  /** Everything of Calico's IPAM v2: blocks, handles, host affinities and the config. */
  public static final Key IPAM = Key.of("/calico/ipam/v2/");

  /** Everything calicoj keeps outside Calico's tree: workload markers and check records. */
  public static final Key CALICOJ = Key.of("/calicoj/v1/");

  /**
   * Library-private: when {@code ipam check} first saw each finding that carries no time of its
   * own, at {@code /calicoj/v1/check/<host>/<kind>/<subject>}.
   */
  public static final Key CHECK_SIGHTINGS = Key.of("/calicoj/v1/check/");

  /** Felix's endpoint key regex. */
  public static final Pattern ENDPOINT =
      Pattern.compile("^/calico/v1/host/([^/]+)/workload/([^/]+)/([^/]+)/endpoint/([^/]+)$");

  private CalicoKeys() {}

  /** {@code /calico/v1/host/<h>/}. */
  public static Key host(String hostname) {
    return HOSTS.child(hostname + "/");
  }

  /** {@code /calico/v1/host/<h>/workload/<o>/<w>/}. */
  public static Key workload(String hostname, String orchestrator, String workload) {
    return Key.of(
        "/calico/v1/host/" + hostname + "/workload/" + orchestrator + "/" + workload + "/");
  }

  /** The endpoint key. */
  public static Key endpoint(String hostname, String orchestrator, String workload, String id) {
    return Key.of(workload(hostname, orchestrator, workload).path() + "endpoint/" + id);
  }

  /** A workload's marker ({@code io.github.calicoj.core.repository.WorkloadMarker}). */
  public static Key workloadMarker(String hostname, String orchestrator, String workload) {
    return Key.of(WORKLOAD_MARKERS.path() + hostname + "/" + orchestrator + "/" + workload);
  }

  /**
   * A parsed endpoint key.
   *
   * @param hostname the host
   * @param orchestrator the orchestrator id
   * @param workload the workload id
   * @param id the endpoint id
   */
  public record EndpointKey(String hostname, String orchestrator, String workload, String id) {}

  /** Parses an endpoint key, if it is one. */
  public static Optional<EndpointKey> parseEndpoint(Key key) {
    Matcher m = ENDPOINT.matcher(key.path());
    if (!m.matches()) {
      return Optional.empty();
    }
    return Optional.of(new EndpointKey(m.group(1), m.group(2), m.group(3), m.group(4)));
  }

  /** {@code /calico/v1/policy/profile/<name>/}. */
  public static Key profile(String name) {
    return PROFILES.child(name + "/");
  }

  /** {@code …/<name>/tags}. */
  public static Key profileTags(String name) {
    return Key.of(profile(name).path() + "tags");
  }

  /** {@code …/<name>/rules}. */
  public static Key profileRules(String name) {
    return Key.of(profile(name).path() + "rules");
  }

  /** {@code …/<name>/labels}. */
  public static Key profileLabels(String name) {
    return Key.of(profile(name).path() + "labels");
  }

  /** {@code /calico/v1/ipam/v<v>/pool/}. */
  public static Key pools(int version) {
    return Key.of("/calico/v1/ipam/v" + version + "/pool/");
  }

  /** {@code /calico/v1/ipam/v<v>/pool/<cidr-dash>}. */
  public static Key pool(Cidr cidr) {
    return Key.of(pools(cidr.version()).path() + cidr.toKeySegment());
  }

  /** {@code /calico/ipam/v2/assignment/ipv<v>/block/}. */
  public static Key blocks(int version) {
    return Key.of("/calico/ipam/v2/assignment/ipv" + version + "/block/");
  }

  /** A block's key. */
  public static Key block(Cidr cidr) {
    return Key.of(blocks(cidr.version()).path() + cidr.toKeySegment());
  }

  /** {@code /calico/ipam/v2/host/<h>/ipv<v>/block/}. */
  public static Key affinities(String hostname, int version) {
    return Key.of("/calico/ipam/v2/host/" + hostname + "/ipv" + version + "/block/");
  }

  /** A block affinity marker key. */
  public static Key affinity(String hostname, Cidr block) {
    return Key.of(affinities(hostname, block.version()).path() + block.toKeySegment());
  }

  /** {@code /calico/ipam/v2/handle/<id>}. */
  public static Key handle(String id) {
    return Key.of("/calico/ipam/v2/handle/" + id);
  }

  /** {@code /calico/bgp/v1/host/<h>/}. */
  public static Key bgpHost(String hostname) {
    return Key.of("/calico/bgp/v1/host/" + hostname + "/");
  }

  /** {@code /calico/bgp/v1/host/<h>/ip_addr_v<v>}. */
  public static Key bgpIp(String hostname, int version) {
    return Key.of(bgpHost(hostname).path() + "ip_addr_v" + version);
  }

  /** {@code /calico/bgp/v1/host/<h>/as_num}. */
  public static Key bgpAs(String hostname) {
    return Key.of(bgpHost(hostname).path() + "as_num");
  }

  /** The last path segment of a key. */
  public static String lastSegment(Key key) {
    String p = key.path();
    return p.substring(p.lastIndexOf('/') + 1);
  }
}
