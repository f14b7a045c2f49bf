package io.github.calicoj.datastore.etcd;

import io.github.calicoj.datastore.AuthenticationFailedException;
import io.github.calicoj.datastore.DatastoreException;
import io.github.calicoj.datastore.DatastoreTimeoutException;
import io.github.calicoj.datastore.DatastoreUnavailableException;
import io.github.calicoj.datastore.Guard;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.LeaseExpiredException;
import io.github.calicoj.datastore.PermissionDeniedException;
import io.github.calicoj.datastore.ResourceNotFoundException;
import io.github.calicoj.datastore.Revision;
import io.github.calicoj.datastore.RevisionCompactedException;
import io.github.calicoj.datastore.RevisionConflictException;
import io.github.calicoj.datastore.Transaction;
import io.github.calicoj.datastore.TxnResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What both etcd datastores share without touching gRPC classes (so that {@link
 * EtcdGatewayDatastore} never loads them): the mapping from an etcd status code to our exceptions,
 * the outcome note, and prefix range ends.
 */
final class EtcdStatus {
  private EtcdStatus() {}

  private static final String[] NAMES = {
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED"
  };

  /** The gRPC name of a status code. */
  static String name(int code) {
    return code >= 0 && code < NAMES.length ? NAMES[code] : "code " + code;
  }

  /**
   * The exception for an etcd failure with gRPC status {@code code} and its description.
   *
   * @param write true for writes, whose outcome is unknown after a transport failure
   */
  static DatastoreException toException(
      int code,
      String description,
      String operation,
      @Nullable Key key,
      boolean write,
      String where,
      @Nullable Throwable cause) {
    String subject = key == null ? operation : operation + " " + key;
    String detail = subject + " failed: " + name(code) + " " + description + " (" + where + ")";
    return switch (code) {
      case 16 -> new AuthenticationFailedException(detail, key, cause);
      // The lease's ID is not in the message; writers that name a lease put it in (see callers).
      case 5 ->
          description.contains("requested lease not found")
              ? new LeaseExpiredException(operation, key, 0, cause)
              : new DatastoreException(detail, key, cause);
      case 7 -> new PermissionDeniedException(detail, key, cause);
      // etcd 3.4 reports missing or wrong credentials as INVALID_ARGUMENT with these texts.
      case 3 ->
          description.contains("user name is empty")
                  || description.contains("authentication failed")
              ? new AuthenticationFailedException(detail, key, cause)
              : new DatastoreException(detail, key, cause);
      case 4 -> new DatastoreTimeoutException(withOutcome(detail, write), key, write, cause);
      case 14, 1, 10, 8 ->
          new DatastoreUnavailableException(withOutcome(detail, write), key, write, cause);
      // OUT_OF_RANGE is both "required revision has been compacted" and a future revision; only
      // the text tells them apart, and the compact revision itself is not given.
      case 11 ->
          description.contains("compacted")
              ? new RevisionCompactedException(operation, key, Revision.of(1), cause)
              : new DatastoreException(detail, key, cause);
      default -> new DatastoreException(detail, key, cause);
    };
  }

  /**
   * True if etcd's error with this description means that the request was not applied and may be
   * sent again, to any member, without risk of applying it twice. These are the refusals etcd makes
   * before a request enters the raft log:
   *
   * <ul>
   *   <li>{@code etcdserver: leader changed}: a linearizable read (a range, or the read index that
   *       authentication and read-only transactions take) lost its leader before it was served.
   *       etcd's own code marks it "a retryable error"; it is never an answer to a proposal.
   *   <li>{@code etcdserver: no leader}: refused by the member's interceptor before the request
   *       reaches the server.
   *   <li>{@code etcdserver: too many requests}: refused before proposing because the member's
   *       applied index lags its committed index.
   *   <li>{@code raft proposal dropped}: raft dropped the proposal (no leader known, or a leader
   *       transfer in progress) instead of appending it.
   * </ul>
   *
   * <p>Anything else is not retried for a write: in particular {@code etcdserver: request timed
   * out} (and its variants naming a leader failure or a lost connection) and {@code etcdserver:
   * server stopped} are answers to a proposal that may yet be committed, so the write's outcome is
   * unknown.
   */
  static boolean notApplied(String description) {
    // Matched on etcd's texts, which are stable across releases; the gRPC codes that carry them
    // (UNAVAILABLE, RESOURCE_EXHAUSTED, UNKNOWN) carry other, non-retryable errors too.
    return description.contains("etcdserver: leader changed")
        || description.contains("etcdserver: no leader")
        || description.contains("etcdserver: too many requests")
        || description.contains("raft proposal dropped");
  }

  /** The longest back-off between attempts of a call that etcd refused as retryable. */
  private static final long MAX_BACKOFF_MS = 500;

  /** The first back-off between attempts of a call that etcd refused as retryable. */
  static final long FIRST_BACKOFF_MS = 25;

  /**
   * Sleeps for {@code backoffMs}, never past {@code deadline} ({@link System#nanoTime()}), and
   * returns the next back-off.
   */
  static long pause(long backoffMs, long deadline) {
    long left = (deadline - System.nanoTime()) / 1_000_000;
    try {
      Thread.sleep(Math.max(0, Math.min(backoffMs, left)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DatastoreUnavailableException("interrupted", null, false, e);
    }
    return Math.min(MAX_BACKOFF_MS, backoffMs * 2);
  }

  /** The outcome note appended to transport failures of writes. */
  static String withOutcome(String detail, boolean write) {
    return write ? detail + "; outcome unknown: the write may have been applied" : detail;
  }

  /** The smallest key greater than every key with this prefix (etcd's range end for a prefix). */
  static byte[] prefixEnd(Key prefix) {
    byte[] end = prefix.path().getBytes(StandardCharsets.UTF_8);
    for (int i = end.length - 1; i >= 0; i--) {
      if (end[i] != (byte) 0xff) {
        end[i]++;
        return Arrays.copyOf(end, i + 1);
      }
    }
    return new byte[] {0}; // "\0" means "to the end of the keyspace" in etcd
  }

  /**
   * A transaction's result from etcd's reply, the same for both clients. The reply's range
   * responses come in the order the request asked for them: on failure the guarded keys (each once,
   * in guard order) and then the prefix reads; on success the prefix reads alone.
   */
  static TxnResult txnResult(
      Transaction transaction, boolean succeeded, Revision revision, List<List<KeyValue>> ranges) {
    Set<Key> guarded = guardedKeys(transaction);
    int firstRead = succeeded ? 0 : guarded.size();
    Map<Key, List<KeyValue>> reads = new HashMap<>();
    for (int i = 0; i < transaction.reads().size(); i++) {
      reads.put(transaction.reads().get(i), ranges.get(firstRead + i));
    }
    if (succeeded) {
      return new TxnResult(true, revision, Map.of(), List.of(), reads);
    }
    Map<Key, KeyValue> current = new HashMap<>();
    for (List<KeyValue> got : ranges.subList(0, guarded.size())) {
      got.forEach(kv -> current.put(kv.key(), kv));
    }
    List<Guard> failed = new ArrayList<>();
    for (Guard g : transaction.guards()) {
      if (!g.holds(Optional.ofNullable(current.get(g.key())))) {
        failed.add(g);
      }
    }
    return new TxnResult(false, revision, current, failed, reads);
  }

  /** The keys a transaction guards, each once, in guard order (its failure branch reads them). */
  static Set<Key> guardedKeys(Transaction transaction) {
    Set<Key> guarded = new LinkedHashSet<>();
    transaction.guards().forEach(g -> guarded.add(g.key()));
    return guarded;
  }

  /**
   * A failed compare-and-set's exception, from the key's entry as the failure branch read it:
   * absent means not found, present means it moved on.
   */
  static DatastoreException casFailure(
      String operation, Key key, Revision expected, Optional<KeyValue> current) {
    if (current.isEmpty()) {
      return new ResourceNotFoundException(operation, key);
    }
    return new RevisionConflictException(operation, key, expected, current.get().revision());
  }
}
