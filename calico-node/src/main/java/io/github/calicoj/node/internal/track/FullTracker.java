package io.github.calicoj.node.internal.track;

import static java.util.Objects.requireNonNull;

import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.node.internal.decode.EndpointDecoder;
import io.github.calicoj.node.internal.decode.SnapshotDecoder;
import io.github.calicoj.node.internal.model.FelixConfig;
import io.github.calicoj.node.internal.model.Problem;
import io.github.calicoj.node.internal.model.Snapshot;
import io.github.calicoj.node.internal.nft.NftBatch;
import io.github.calicoj.node.internal.nft.NftTable;
import io.github.calicoj.node.internal.render.DesiredState;
import io.github.calicoj.node.internal.render.Renderer;
import io.github.calicoj.node.internal.route.Route;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The simplest {@link DesiredTracker}: a {@link SnapshotDecoder} and a {@link Renderer}, the whole
 * desired state rendered again after every batch and compared with the previous one. Its work grows
 * with the size of the data; it is the reference the incremental tracker is checked against. Not
 * thread-safe.
 */
public final class FullTracker implements DesiredTracker {
  private final String hostname;
  private final Map<String, String> overrides;
  private SnapshotDecoder decoder;
  private Renderer renderer = new Renderer();
  private Snapshot snapshot;
  private DesiredState state;
  private boolean dirty;

  /** A tracker for {@code hostname} with Felix configuration {@code overrides}. */
  public FullTracker(String hostname, Map<String, String> overrides) {
    this.hostname = requireNonNull(hostname, "hostname");
    this.overrides = Map.copyOf(overrides);
    this.decoder = new SnapshotDecoder(hostname, this.overrides);
    this.snapshot = decoder.snapshot();
    this.state = renderer.render(snapshot);
  }

  @Override
  public NftBatch reset(Iterable<KeyValue> entries) {
    decoder = new SnapshotDecoder(hostname, overrides);
    renderer = new Renderer();
    for (KeyValue kv : entries) {
      if (DesiredTracker.reads(kv.key())) {
        decoder.put(kv.key(), kv.value());
      }
    }
    snapshot = decoder.snapshot();
    state = renderer.render(snapshot);
    dirty = false;
    return state.replacement();
  }

  @Override
  public boolean put(Key key, String value) {
    if (!DesiredTracker.reads(key)) {
      return false;
    }
    decoder.put(key, value);
    dirty = true;
    return true;
  }

  @Override
  public boolean delete(Key key) {
    if (!DesiredTracker.reads(key)) {
      return false;
    }
    decoder.delete(key);
    dirty = true;
    return true;
  }

  @Override
  public Update update() {
    if (!dirty) {
      return new Update(
          new NftBatch(state.table().family(), state.table().name()), Map.of(), Set.of(), Set.of());
    }
    dirty = false;
    Snapshot before = snapshot;
    DesiredState previous = state;
    snapshot = decoder.snapshot();
    state = renderer.render(snapshot);
    Map<Cidr, Route> set = new LinkedHashMap<>();
    state
        .routes()
        .forEach(
            (d, r) -> {
              if (!r.equals(previous.routes().get(d))) {
                set.put(d, r);
              }
            });
    Set<Cidr> removed = new HashSet<>(previous.routes().keySet());
    removed.removeAll(state.routes().keySet());
    Set<String> touched = new HashSet<>();
    touched.addAll(localKeys(before));
    touched.addAll(localKeys(snapshot));
    return new Update(state.changesSince(previous), set, removed, touched);
  }

  /** Every local endpoint key, valid or not. */
  private Set<String> localKeys(Snapshot s) {
    Set<String> out = new HashSet<>();
    s.endpoints()
        .forEach(
            (k, e) -> {
              if (e.hostname().equals(hostname)) {
                out.add(k);
              }
            });
    out.addAll(invalid(s));
    return out;
  }

  private Set<String> invalid(Snapshot s) {
    Set<String> out = new TreeSet<>();
    for (Problem p : s.problems()) {
      var m = EndpointDecoder.KEY.matcher(p.subject());
      if (m.matches() && m.group(1).equals(hostname) && !s.endpoints().containsKey(p.subject())) {
        out.add(p.subject());
      }
    }
    return out;
  }

  @Override
  public Map<Cidr, Route> routes() {
    return state.routes();
  }

  @Override
  public Map<String, WorkloadEndpoint> localEndpoints() {
    Map<String, WorkloadEndpoint> out = new HashMap<>();
    snapshot
        .endpoints()
        .forEach(
            (k, e) -> {
              if (e.hostname().equals(hostname)) {
                out.put(k, e);
              }
            });
    return out;
  }

  @Override
  public Set<String> invalidLocalEndpoints() {
    return invalid(snapshot);
  }

  @Override
  public boolean inError(String key) {
    WorkloadEndpoint e = snapshot.endpoints().get(key);
    if (e == null) {
      return invalid(snapshot).contains(key);
    }
    Set<String> bad = new HashSet<>();
    for (String p : e.profileIds()) {
      bad.add(CalicoKeys.profileTags(p).path());
      bad.add(CalicoKeys.profileRules(p).path());
    }
    return state.problems().stream().anyMatch(p -> bad.contains(p.subject()));
  }

  @Override
  public Set<Problem> problems() {
    return state.problems();
  }

  @Override
  public FelixConfig config() {
    return snapshot.config();
  }

  /** The whole desired table now. */
  public NftTable table() {
    return state.table();
  }

  @Override
  public String toString() {
    return "FullTracker{"
        + hostname
        + ", "
        + Objects.requireNonNull(snapshot).endpoints().size()
        + " endpoints}";
  }
}
