package io.github.calicoj.core.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.internal.PyJson;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Transaction;
import io.github.calicoj.datastore.TxnOp;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import org.jspecify.annotations.Nullable;

/**
 * When a repairing check first saw each finding that has no time of its own: one record per finding
 * at {@code /calicoj/v1/check/<host>/<kind>/<subject>}, value {@code {"first_seen": ISO-8601,
 * "continuity": TEXT}}. A record counts only while the finding's continuity (what makes it the same
 * finding: the same link index, the same endpoint revision, the same block revision) is unchanged;
 * otherwise it starts again. Records of findings no longer found are deleted by the next repairing
 * check whose scope covers them. Kept in the datastore so that every process that checks the host
 * (the CLI, the node agent's sweep) shares them; a check that only reports reads them and writes
 * nothing. Stateless apart from the borrowed datastore; thread-safe.
 */
final class Sightings {
  /** Writes per transaction (etcd allows 128 operations). */
  private static final int BATCH = 100;

  private final Datastore datastore;

  Sightings(Datastore datastore) {
    this.datastore = datastore;
  }

  /** Writes collected into transactions of at most {@value #BATCH} operations. */
  private final class Batch {
    private Transaction.Builder txn = Transaction.builder();
    private int ops;

    void add(TxnOp op) {
      txn.op(op);
      if (++ops == BATCH) {
        flush();
      }
    }

    void flush() {
      if (ops > 0) {
        datastore.commit(txn.build());
        txn = Transaction.builder();
        ops = 0;
      }
    }
  }

  /** The record key of a finding. */
  static Key key(Finding f) {
    return Key.of(
        CalicoKeys.CHECK_SIGHTINGS.path()
            + (f.host().isEmpty() ? "-" : f.host())
            + "/"
            + f.kind().id()
            + "/"
            + URLEncoder.encode(f.id, StandardCharsets.UTF_8));
  }

  /**
   * Each finding with its age: its own time if it has one, else the time its record was first seen
   * if the record's continuity matches, else unknown.
   */
  static List<Finding> age(List<Finding> findings, Map<Key, KeyValue> records, Instant now) {
    List<Finding> out = new ArrayList<>(findings.size());
    for (Finding f : findings) {
      if (f.created != null) {
        out.add(
            f.withAge(nonNegative(Duration.between(f.created, now)), Finding.AgeSource.CREATED));
        continue;
      }
      Instant first = firstSeen(records.get(key(f)), f);
      out.add(
          first == null
              ? f.withAge(null, Finding.AgeSource.UNKNOWN)
              : f.withAge(nonNegative(Duration.between(first, now)), Finding.AgeSource.FIRST_SEEN));
    }
    return out;
  }

  private static Duration nonNegative(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }

  private static @Nullable Instant firstSeen(@Nullable KeyValue record, Finding f) {
    if (record == null) {
      return null;
    }
    try {
      JsonNode o = PyJson.parse(record.value(), "check record");
      if (!f.continuity.equals(o.path("continuity").asText(null))) {
        return null;
      }
      return Instant.parse(o.path("first_seen").asText(""));
    } catch (IllegalArgumentException | DateTimeParseException e) {
      return null;
    }
  }

  /**
   * Records the first sighting of every aged finding that has no age yet (its age becomes zero),
   * and deletes the records that {@code inScope} covers and no finding matches.
   *
   * @param inScope whether this check covers a record's host and kind
   * @return the findings with their ages after recording
   */
  List<Finding> record(
      List<Finding> aged,
      Map<Key, KeyValue> records,
      Instant now,
      BiPredicate<String, FindingKind> inScope) {
    List<Finding> out = new ArrayList<>(aged.size());
    Set<Key> kept = new HashSet<>();
    Batch batch = new Batch();
    for (Finding f : aged) {
      if (f.created != null) {
        out.add(f);
        continue;
      }
      Key k = key(f);
      kept.add(k);
      if (f.ageSource() == Finding.AgeSource.FIRST_SEEN) {
        out.add(f);
        continue;
      }
      ObjectNode o = PyJson.NODES.objectNode();
      o.put("first_seen", now.toString());
      o.put("continuity", f.continuity);
      batch.add(TxnOp.put(k, PyJson.write(o)));
      out.add(f.withAge(Duration.ZERO, Finding.AgeSource.FIRST_SEEN));
    }
    for (Key k : records.keySet()) {
      String[] seg = k.path().substring(CalicoKeys.CHECK_SIGHTINGS.path().length()).split("/", -1);
      boolean covered;
      try {
        covered =
            seg.length == 3
                && inScope.test(seg[0].equals("-") ? "" : seg[0], FindingKind.fromId(seg[1]));
      } catch (IllegalArgumentException e) {
        covered = true; // a record of no kind this version knows: not worth keeping
      }
      if (covered && !kept.contains(k)) {
        batch.add(TxnOp.delete(k));
      }
    }
    batch.flush();
    return out;
  }

  /** Deletes the records of findings that are dealt with. */
  void forget(List<Finding> resolved) {
    Batch batch = new Batch();
    for (Finding f : resolved) {
      if (f.created == null) {
        batch.add(TxnOp.delete(key(f)));
      }
    }
    batch.flush();
  }
}
