package io.github.calicoj.node.internal.decode;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import com.google.common.net.InetAddresses;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.HostConfig;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.node.internal.model.FelixConfig;
import io.github.calicoj.node.internal.model.PolicyProfile;
import io.github.calicoj.node.internal.model.PolicyRules;
import io.github.calicoj.node.internal.model.Problem;
import io.github.calicoj.node.internal.model.Snapshot;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The agent's decoded view of the datastore, fed key by key: {@link #put} and {@link #delete}
 * decode only the entity whose key changed, so a watch event costs what its value costs, and {@link
 * #snapshot()} freezes the view. Keys outside what the agent reads are ignored. A value that fails
 * validation leaves its entity absent (Felix treats it as deleted) and a {@link Problem} under its
 * key until the key is written again. Not thread-safe: one owner feeds it.
 *
 * <p>It stays one class (about 430 lines) because it is the one place that maps a key path to the
 * entity it changes; each entity's validation is in its own decoder ({@code EndpointDecoder},
 * {@code RuleDecoder}, {@code ConfigDecoder}).
 */
public final class SnapshotDecoder {
  private static final Pattern CONFIG = Pattern.compile("/calico/v1/config/([^/]+)");
  private static final Pattern HOST_CONFIG =
      Pattern.compile("/calico/v1/host/([^/]+)/config/([^/]+)");
  private static final Pattern BIRD_IP = Pattern.compile("/calico/v1/host/([^/]+)/bird(6?)_ip");
  private static final Pattern BGP_IP =
      Pattern.compile("/calico/bgp/v1/host/([^/]+)/ip_addr_v([46])");
  private static final Pattern PROFILE =
      Pattern.compile("/calico/v1/policy/profile/([^/]+)/(tags|rules)");
  private static final Pattern POOL = Pattern.compile("/calico/v1/ipam/v([46])/pool/([^/]+)");
  private static final Pattern AFFINITY =
      Pattern.compile("/calico/ipam/v2/host/([^/]+)/ipv([46])/block/([^/]+)");
  private static final String READY = "/calico/v1/Ready";

  private final String hostname;
  private final Map<String, String> configOverrides;
  private @Nullable String ready;
  private final SortedMap<String, String> globalConfig = new TreeMap<>();
  private final SortedMap<String, String> hostConfig = new TreeMap<>();
  private final SortedMap<String, String> endpointValues = new TreeMap<>();
  private final SortedMap<String, WorkloadEndpoint> endpoints = new TreeMap<>();
  private final SortedMap<String, @Nullable List<String>> tags = new TreeMap<>();
  private final SortedMap<String, @Nullable PolicyRules> rules = new TreeMap<>();
  private final SortedMap<String, PolicyProfile> profiles = new TreeMap<>();
  private final Set<String> changedProfiles = new HashSet<>();
  private final SortedMap<String, IpPool> pools = new TreeMap<>();
  private final SortedMap<String, String> hostIps = new TreeMap<>(); // "<host> <bgp4|...>" → ip
  private final SortedMap<String, TreeSet<Cidr>> affinities = new TreeMap<>();
  private final SortedMap<String, List<Problem>> problems = new TreeMap<>();
  private FelixConfig config;
  private List<Problem> configProblems = List.of();

  /**
   * A view for {@code hostname} ({@code FelixHostname}); {@code configOverrides} take precedence
   * over every Felix configuration key (Felix's {@code FELIX_<PARAM>} environment).
   */
  public SnapshotDecoder(String hostname, Map<String, String> configOverrides) {
    this.hostname = requireNonNull(hostname, "hostname");
    this.configOverrides = Map.copyOf(configOverrides);
    this.config = resolveConfig();
  }

  /** Decodes a full listing (e.g. one {@code list} of each prefix) into a snapshot. */
  public static Snapshot decode(String hostname, Iterable<KeyValue> entries) {
    SnapshotDecoder d = new SnapshotDecoder(hostname, Map.of());
    for (KeyValue kv : entries) {
      d.put(kv.key(), kv.value());
    }
    return d.snapshot();
  }

  /** What a key changed: the kind of entity and its identity. */
  public enum Kind {
    /** A key the agent does not read, or one that changes nothing it renders ({@code Ready}). */
    NONE,
    /** A workload endpoint; the subject is its key. */
    ENDPOINT,
    /** A profile's tags or rules; the subject is the profile's name. */
    PROFILE,
    /** Felix configuration (global or this host's). */
    CONFIG,
    /** An IP pool. */
    POOL,
    /** A block affinity; the subject is the host. */
    AFFINITY,
    /** A host's address; the subject is the host. */
    HOST
  }

  /**
   * What one {@link #put} or {@link #delete} changed.
   *
   * @param kind the kind of entity
   * @param subject the endpoint key, profile name or host ({@code ""} for the others)
   */
  public record Change(Kind kind, String subject) {
    static final Change NONE = new Change(Kind.NONE, "");
  }

  /** Applies a created or changed key and says what it concerned. */
  public Change put(Key key, String value) {
    requireNonNull(value, "value");
    return apply(key.path(), value);
  }

  /** Applies a deleted key and says what it concerned. */
  public Change delete(Key key) {
    return apply(key.path(), null);
  }

  /** The valid endpoint stored at {@code key}, or null. */
  public @Nullable WorkloadEndpoint endpoint(String key) {
    return endpoints.get(key);
  }

  /** The profile {@code name} as it is now, or null if it has neither a tags nor a rules key. */
  public @Nullable PolicyProfile profile(String name) {
    if (!tags.containsKey(name) && !rules.containsKey(name)) {
      return null;
    }
    List<String> t = tags.get(name);
    return new PolicyProfile(name, t == null ? List.of() : t, rules.get(name));
  }

  /** The problems found in the value of {@code key} (empty if none). */
  public List<Problem> problemsOf(String key) {
    return problems.getOrDefault(key, List.of());
  }

  /** The resolved Felix configuration. */
  public FelixConfig config() {
    return config;
  }

  /** Forgets everything (before a full resync). */
  public void clear() {
    ready = null;
    globalConfig.clear();
    hostConfig.clear();
    endpointValues.clear();
    endpoints.clear();
    tags.clear();
    rules.clear();
    profiles.clear();
    changedProfiles.clear();
    pools.clear();
    hostIps.clear();
    affinities.clear();
    problems.clear();
    config = resolveConfig();
  }

  private Change apply(String key, @Nullable String value) {
    problems.remove(key);
    if (key.equals(READY)) {
      ready = value;
      return Change.NONE;
    }
    if (EndpointDecoder.KEY.matcher(key).matches()) {
      endpoint(key, value);
      return new Change(Kind.ENDPOINT, key);
    }
    Matcher m = PROFILE.matcher(key);
    if (m.matches()) {
      return profilePart(key, m.group(1), m.group(2), value)
          ? new Change(Kind.PROFILE, m.group(1))
          : Change.NONE;
    }
    m = CONFIG.matcher(key);
    if (m.matches()) {
      configParam(globalConfig, m.group(1), value);
      return new Change(Kind.CONFIG, "");
    }
    m = HOST_CONFIG.matcher(key);
    if (m.matches()) {
      if (m.group(1).equals(hostname)) {
        configParam(hostConfig, m.group(2), value);
        return new Change(Kind.CONFIG, "");
      }
      return Change.NONE;
    }
    m = POOL.matcher(key);
    if (m.matches()) {
      pool(key, Integer.parseInt(m.group(1)), m.group(2), value);
      return new Change(Kind.POOL, "");
    }
    m = AFFINITY.matcher(key);
    if (m.matches()) {
      affinity(key, m.group(1), Integer.parseInt(m.group(2)), m.group(3), value);
      return new Change(Kind.AFFINITY, m.group(1));
    }
    m = BGP_IP.matcher(key);
    if (m.matches()) {
      hostIp(m.group(1), "bgp" + m.group(2), value);
      return new Change(Kind.HOST, m.group(1));
    }
    m = BIRD_IP.matcher(key);
    if (m.matches()) {
      hostIp(m.group(1), m.group(2).isEmpty() ? "bird4" : "bird6", value);
      return new Change(Kind.HOST, m.group(1));
    }
    return Change.NONE;
  }

  private void endpoint(String key, @Nullable String value) {
    endpoints.remove(key);
    if (value == null) {
      endpointValues.remove(key);
      return;
    }
    endpointValues.put(key, value);
    decodeEndpoint(key, value);
  }

  private void decodeEndpoint(String key, String value) {
    try {
      endpoints.put(key, EndpointDecoder.decode(key, value, hostname, config.interfacePrefixes()));
    } catch (IllegalArgumentException e) {
      problem(key, "invalid endpoint, treated as deleted: " + e.getMessage());
    }
  }

  /** False if the profile name is invalid (the key is then ignored). */
  private boolean profilePart(String key, String name, String part, @Nullable String value) {
    if (!Json.validId(name)) {
      if (value != null) {
        problem(key, "invalid profile name '" + name + "', ignored");
      }
      return false;
    }
    boolean isTags = part.equals("tags");
    changedProfiles.add(name);
    if (value == null) {
      (isTags ? tags : rules).remove(name);
      return true;
    }
    try {
      if (isTags) {
        tags.put(name, ValueDecoder.tags(value));
      } else {
        rules.put(name, RuleDecoder.decode(value));
      }
    } catch (IllegalArgumentException e) {
      (isTags ? tags : rules).put(name, null); // present but invalid
      String effect = isTags ? "the profile has no tags" : "the profile drops all its traffic";
      problem(key, "invalid " + part + ", " + effect + ": " + e.getMessage());
    }
    return true;
  }

  private void configParam(Map<String, String> into, String name, @Nullable String value) {
    if (value == null) {
      into.remove(name);
    } else {
      into.put(name, value);
    }
    List<String> before = config.interfacePrefixes();
    config = resolveConfig();
    if (!before.equals(config.interfacePrefixes())) {
      // Local endpoints are validated against the prefixes: decode them again.
      endpointValues.forEach(
          (k, v) -> {
            if (k.startsWith("/calico/v1/host/" + hostname + "/")) {
              problems.remove(k);
              endpoints.remove(k);
              decodeEndpoint(k, v);
            }
          });
    }
  }

  private FelixConfig resolveConfig() {
    List<Problem> found = new ArrayList<>();
    FelixConfig c = ConfigDecoder.resolve(globalConfig, hostConfig, configOverrides, found);
    configProblems = List.copyOf(found);
    return c;
  }

  private void pool(String key, int version, String id, @Nullable String value) {
    pools.remove(key);
    if (value == null) {
      return;
    }
    try {
      pools.put(key, ValueDecoder.pool(id, version, value));
    } catch (IllegalArgumentException e) {
      problem(key, "invalid pool, ignored: " + e.getMessage());
    }
  }

  private void affinity(String key, String host, int version, String seg, @Nullable String value) {
    Cidr block;
    try {
      block = Cidr.fromKeySegment(seg).normalized();
      if (block.version() != version) {
        throw new IllegalArgumentException(block + " is not IPv" + version);
      }
    } catch (IllegalArgumentException e) {
      if (value != null) {
        problem(key, "invalid affinity block, ignored: " + e.getMessage());
      }
      return;
    }
    TreeSet<Cidr> blocks = affinities.computeIfAbsent(host, h -> new TreeSet<>());
    if (value == null) {
      blocks.remove(block);
    } else {
      blocks.add(block);
    }
    if (blocks.isEmpty()) {
      affinities.remove(host);
    }
  }

  private void hostIp(String host, String kind, @Nullable String value) {
    String k = host + " " + kind;
    if (value == null || value.isBlank()) {
      hostIps.remove(k); // python-etcd writes a missing address as ""
    } else {
      hostIps.put(k, value.strip());
    }
  }

  private void problem(String key, String message) {
    problems.computeIfAbsent(key, k -> new ArrayList<>()).add(new Problem(key, message));
  }

  /** The view as an immutable snapshot. */
  public Snapshot snapshot() {
    List<Problem> found = new ArrayList<>(configProblems);
    problems.values().forEach(found::addAll);
    ImmutableSortedMap<Cidr, IpPool> poolsByCidr = poolsByCidr(found);
    return new Snapshot(
        hostname,
        "true".equals(ready),
        config,
        ImmutableSortedMap.copyOfSorted(endpoints),
        profiles(),
        poolsByCidr,
        hosts(found),
        affinitiesSnapshot(),
        ImmutableSortedSet.copyOf(found));
  }

  /** The profiles; an unchanged profile keeps its instance, so renderers can memoize on it. */
  private ImmutableSortedMap<String, PolicyProfile> profiles() {
    for (String n : changedProfiles) {
      if (tags.containsKey(n) || rules.containsKey(n)) {
        List<String> t = tags.get(n);
        profiles.put(n, new PolicyProfile(n, t == null ? List.of() : t, rules.get(n)));
      } else {
        profiles.remove(n);
      }
    }
    changedProfiles.clear();
    return ImmutableSortedMap.copyOfSorted(profiles);
  }

  private ImmutableSortedMap<Cidr, IpPool> poolsByCidr(List<Problem> found) {
    SortedMap<Cidr, IpPool> out = new TreeMap<>();
    pools.forEach(
        (key, pool) -> {
          if (out.putIfAbsent(pool.cidr(), pool) != null) {
            found.add(
                new Problem(key, "pool " + pool.cidr() + " is stored twice; the first is used"));
          }
        });
    return ImmutableSortedMap.copyOfSorted(out);
  }

  private ImmutableSortedMap<String, HostConfig> hosts(List<Problem> found) {
    Set<String> names = new HashSet<>();
    hostIps.keySet().forEach(k -> names.add(k.substring(0, k.indexOf(' '))));
    ImmutableSortedMap.Builder<String, HostConfig> out = ImmutableSortedMap.naturalOrder();
    for (String h : names) {
      InetAddress v4 = hostIp(h, 4, found);
      InetAddress v6 = hostIp(h, 6, found);
      if (v4 != null || v6 != null) {
        out.put(h, new HostConfig(h, (Inet4Address) v4, (Inet6Address) v6, null));
      }
    }
    return out.build();
  }

  /** The host's BGP address of the version, else its {@code bird_ip}/{@code bird6_ip}. */
  private @Nullable InetAddress hostIp(String host, int version, List<Problem> found) {
    String[][] sources = {
      {"bgp" + version, "/calico/bgp/v1/host/" + host + "/ip_addr_v" + version},
      {"bird" + version, "/calico/v1/host/" + host + (version == 4 ? "/bird_ip" : "/bird6_ip")}
    };
    for (String[] source : sources) {
      String text = hostIps.get(host + " " + source[0]);
      if (text == null) {
        continue;
      }
      if (InetAddresses.isInetAddress(text)) {
        InetAddress a = InetAddresses.forString(text);
        if ((a instanceof Inet4Address) == (version == 4)) {
          return a;
        }
      }
      found.add(new Problem(source[1], "not an IPv" + version + " address: '" + text + "'"));
    }
    return null;
  }

  private ImmutableSortedMap<String, ImmutableSortedSet<Cidr>> affinitiesSnapshot() {
    ImmutableSortedMap.Builder<String, ImmutableSortedSet<Cidr>> out =
        ImmutableSortedMap.naturalOrder();
    affinities.forEach((h, blocks) -> out.put(h, ImmutableSortedSet.copyOfSorted(blocks)));
    return out.build();
  }
}
