package io.github.calicoj.node.internal.track;

import static java.util.Objects.requireNonNull;

import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.node.internal.decode.EndpointDecoder;
import io.github.calicoj.node.internal.decode.SnapshotDecoder;
import io.github.calicoj.node.internal.decode.SnapshotDecoder.Change;
import io.github.calicoj.node.internal.model.FelixConfig;
import io.github.calicoj.node.internal.model.PolicyProfile;
import io.github.calicoj.node.internal.model.Problem;
import io.github.calicoj.node.internal.model.Snapshot;
import io.github.calicoj.node.internal.nft.NftBatch;
import io.github.calicoj.node.internal.nft.NftDiff;
import io.github.calicoj.node.internal.nft.NftTable;
import io.github.calicoj.node.internal.render.LiveTable;
import io.github.calicoj.node.internal.route.LiveRoutes;
import io.github.calicoj.node.internal.route.Route;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import org.jspecify.annotations.Nullable;

/**
 * The {@link DesiredTracker} whose work follows the change: endpoint and profile changes (the
 * frequent ones) go to a {@link LiveTable} and {@link LiveRoutes}, which touch only the chains, set
 * elements, map entries and routes concerned; the batch is made from what they touched. A change of
 * configuration, pools, host addresses or affinities (rare) rebuilds both from the whole data and
 * compares with the previous table and routes. Its results equal {@link FullTracker}'s (a property
 * test checks it change by change). Not thread-safe.
 */
public final class IncrementalTracker implements DesiredTracker {
  private final String hostname;
  private final Map<String, String> overrides;
  private SnapshotDecoder decoder;
  private LiveTable table;
  private LiveRoutes routes;
  private FelixConfig config;

  /** Problems the decoder finds only over the whole data: configuration, pools, host addresses. */
  private Set<Problem> wholeDataProblems = Set.of();

  /** The decoder's problems by key, for the keys of endpoints and profiles. */
  private final Map<String, List<Problem>> keyProblems = new HashMap<>();

  private final Map<String, WorkloadEndpoint> local = new HashMap<>();
  private final Set<String> invalidLocal = new TreeSet<>();
  private final Set<String> touched = new HashSet<>();
  private boolean rebuildDue;
  // While a rebuild is due: the batch's earlier incremental changes, and the state after them.
  private @Nullable NftBatch pendingNft;
  private final Map<Cidr, Route> pendingSet = new HashMap<>();
  private final Set<Cidr> pendingRemoved = new HashSet<>();
  private @Nullable NftTable baseTable;
  private Map<Cidr, Route> baseRoutes = Map.of();
  private Set<String> baseLocal = Set.of();

  /** A tracker for {@code hostname} with Felix configuration {@code overrides}. */
  public IncrementalTracker(String hostname, Map<String, String> overrides) {
    this.hostname = requireNonNull(hostname, "hostname");
    this.overrides = Map.copyOf(overrides);
    this.decoder = new SnapshotDecoder(hostname, this.overrides);
    this.config = decoder.config();
    this.table = new LiveTable(hostname, config, List.of());
    this.routes = new LiveRoutes(hostname, List.of(), Map.of(), Map.of());
  }

  @Override
  public NftBatch reset(Iterable<KeyValue> entries) {
    decoder = new SnapshotDecoder(hostname, overrides);
    keyProblems.clear();
    for (KeyValue kv : entries) {
      if (DesiredTracker.reads(kv.key())) {
        decoder.put(kv.key(), kv.value());
      }
    }
    rebuild();
    touched.clear();
    rebuildDue = false;
    pendingNft = null;
    baseTable = null;
    pendingSet.clear();
    pendingRemoved.clear();
    NftBatch b = NftBatch.replacing(table.table());
    table.markApplied();
    routes.markApplied();
    return b;
  }

  /** Builds the table and routes again from the decoder's whole data. */
  private void rebuild() {
    Snapshot s = decoder.snapshot();
    config = s.config();
    table = new LiveTable(hostname, config, s.pools().values());
    routes = new LiveRoutes(hostname, s.pools().values(), s.hosts(), s.affinities());
    keyProblems.clear();
    local.clear();
    invalidLocal.clear();
    s.profiles().forEach(table::profile);
    Set<Problem> perKey = new HashSet<>();
    for (Problem p : s.problems()) {
      List<Problem> mine = decoder.problemsOf(p.subject());
      if (mine.contains(p)) {
        perKey.add(p);
        keyProblems.put(p.subject(), mine);
      }
    }
    Set<Problem> whole = new HashSet<>(s.problems());
    whole.removeAll(perKey);
    wholeDataProblems = Set.copyOf(whole);
    for (Map.Entry<String, WorkloadEndpoint> e : s.endpoints().entrySet()) {
      table.endpoint(e.getKey(), e.getValue());
      routes.endpoint(e.getKey(), e.getValue());
      if (e.getValue().hostname().equals(hostname)) {
        local.put(e.getKey(), e.getValue());
      }
    }
    for (String key : keyProblems.keySet()) {
      if (isLocalEndpointKey(key) && !local.containsKey(key)) {
        invalidLocal.add(key);
      }
    }
  }

  private boolean isLocalEndpointKey(String key) {
    Matcher m = EndpointDecoder.KEY.matcher(key);
    return m.matches() && m.group(1).equals(hostname);
  }

  @Override
  public boolean put(Key key, String value) {
    if (!DesiredTracker.reads(key)) {
      return false;
    }
    changed(key.path(), decoder.put(key, value));
    return true;
  }

  @Override
  public boolean delete(Key key) {
    if (!DesiredTracker.reads(key)) {
      return false;
    }
    changed(key.path(), decoder.delete(key));
    return true;
  }

  private void changed(String key, Change c) {
    List<Problem> problems = decoder.problemsOf(key);
    if (problems.isEmpty()) {
      keyProblems.remove(key);
    } else {
      keyProblems.put(key, problems);
    }
    switch (c.kind()) {
      case ENDPOINT -> endpoint(key);
      case PROFILE -> {
        String name = c.subject();
        PolicyProfile p = decoder.profile(name);
        table.profile(name, p);
        for (String member : table.membersOf(name)) {
          if (local.containsKey(member)) {
            touched.add(member);
          }
        }
      }
      case CONFIG, POOL, AFFINITY, HOST -> {
        if (!rebuildDue) {
          // What this batch changed incrementally so far goes first; the rebuild is compared
          // with the state after it.
          rebuildDue = true;
          pendingNft = table.drain();
          routes.drain(pendingSet, pendingRemoved);
          baseTable = table.table();
          baseRoutes = new HashMap<>(routes.routes());
          baseLocal = localKeys();
        }
      }
      case NONE -> {
        // a key the renderer does not use (such as Ready), or an invalid profile name
      }
    }
  }

  private void endpoint(String key) {
    WorkloadEndpoint ep = decoder.endpoint(key);
    if (rebuildDue) {
      return; // the rebuild reads it
    }
    table.endpoint(key, ep);
    routes.endpoint(key, ep);
    if (isLocalEndpointKey(key)) {
      touched.add(key);
      if (ep == null) {
        local.remove(key);
      } else {
        local.put(key, ep);
      }
      if (ep == null && keyProblems.containsKey(key)) {
        invalidLocal.add(key);
      } else {
        invalidLocal.remove(key);
      }
    }
  }

  @Override
  public Update update() {
    if (rebuildDue) {
      rebuildDue = false;
      rebuild();
      Map<Cidr, Route> set = new HashMap<>(pendingSet);
      Set<Cidr> removed = new HashSet<>(pendingRemoved);
      routes
          .routes()
          .forEach(
              (d, r) -> {
                if (!r.equals(baseRoutes.get(d))) {
                  set.put(d, r);
                  removed.remove(d);
                }
              });
      for (Cidr d : baseRoutes.keySet()) {
        if (!routes.routes().containsKey(d)) {
          set.remove(d);
          removed.add(d);
        }
      }
      NftBatch batch =
          requireNonNull(pendingNft)
              .append(NftDiff.between(requireNonNull(baseTable), table.table()));
      table.markApplied();
      routes.markApplied();
      Set<String> all = new HashSet<>(baseLocal);
      all.addAll(localKeys());
      all.addAll(touched);
      touched.clear();
      pendingNft = null;
      baseTable = null;
      pendingSet.clear();
      pendingRemoved.clear();
      return new Update(batch, set, removed, all);
    }
    Map<Cidr, Route> set = new HashMap<>();
    Set<Cidr> removed = new HashSet<>();
    routes.drain(set, removed);
    Update u = new Update(table.drain(), set, removed, touched);
    touched.clear();
    return u;
  }

  private Set<String> localKeys() {
    Set<String> out = new HashSet<>(local.keySet());
    out.addAll(invalidLocal);
    return out;
  }

  @Override
  public Map<Cidr, Route> routes() {
    return routes.routes();
  }

  @Override
  public Map<String, WorkloadEndpoint> localEndpoints() {
    return Collections.unmodifiableMap(local);
  }

  @Override
  public Set<String> invalidLocalEndpoints() {
    return Collections.unmodifiableSet(invalidLocal);
  }

  @Override
  public boolean inError(String key) {
    if (invalidLocal.contains(key)) {
      return true;
    }
    WorkloadEndpoint ep = local.get(key);
    if (ep == null) {
      return false;
    }
    for (String p : ep.profileIds()) {
      if (keyProblems.containsKey(CalicoKeys.profileTags(p).path())
          || keyProblems.containsKey(CalicoKeys.profileRules(p).path())) {
        return true;
      }
    }
    return false;
  }

  @Override
  public Set<Problem> problems() {
    Set<Problem> out = new TreeSet<>(wholeDataProblems);
    keyProblems.values().forEach(out::addAll);
    out.addAll(table.problems());
    out.addAll(routes.problems());
    return out;
  }

  @Override
  public FelixConfig config() {
    return config;
  }

  /** The whole desired table now (for tests and the benchmark). */
  public NftTable table() {
    return table.table();
  }

  @Override
  public String toString() {
    return "IncrementalTracker{" + hostname + ", " + local.size() + " local endpoints}";
  }
}
