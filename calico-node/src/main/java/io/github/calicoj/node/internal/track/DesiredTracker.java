package io.github.calicoj.node.internal.track;

import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.node.internal.model.FelixConfig;
import io.github.calicoj.node.internal.model.Problem;
import io.github.calicoj.node.internal.nft.NftBatch;
import io.github.calicoj.node.internal.route.Route;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The desired dataplane of one host, fed with the datastore's keys: a full listing ({@link
 * #reset}), then one change at a time ({@link #put}, {@link #delete}), with {@link #update()} after
 * each batch saying what the batch did. Its table and routes always equal {@code
 * DesiredState.of(snapshot)} of the same keys. Not thread-safe: the agent's loop owns it.
 */
public interface DesiredTracker {

  /** The datastore prefixes whose keys the agent reads. */
  List<String> PREFIXES = List.of("/calico/v1/", "/calico/ipam/v2/host/", "/calico/bgp/v1/host/");

  /** True if the agent reads {@code key}. */
  static boolean reads(Key key) {
    String p = key.path();
    for (String prefix : PREFIXES) {
      if (p.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Forgets everything and takes the full listing (keys the agent does not read are skipped).
   *
   * @return the whole table as one replacement batch
   */
  NftBatch reset(Iterable<KeyValue> entries);

  /** Takes a written key; false (and nothing changes) if the agent does not read it. */
  boolean put(Key key, String value);

  /** Takes a deleted key; false (and nothing changes) if the agent does not read it. */
  boolean delete(Key key);

  /** What the changes since the last reset or update did to the desired dataplane. */
  Update update();

  /** Every route wanted now, by destination. */
  Map<Cidr, Route> routes();

  /** This host's valid endpoints, by datastore key. */
  Map<String, WorkloadEndpoint> localEndpoints();

  /** The datastore keys of this host's endpoints whose values failed validation. */
  Set<String> invalidLocalEndpoints();

  /**
   * True if the local endpoint at {@code key} is affected by bad data: its own value is invalid, or
   * the tags or rules of a profile it uses are.
   */
  boolean inError(String key);

  /** Every problem in the data now. */
  Set<Problem> problems();

  /** The Felix configuration in force. */
  FelixConfig config();
}
