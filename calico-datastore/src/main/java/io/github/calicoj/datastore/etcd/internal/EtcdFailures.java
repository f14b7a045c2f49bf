package io.github.calicoj.datastore.etcd.internal;

import io.github.calicoj.datastore.AuthenticationFailedException;
import io.github.calicoj.datastore.DatastoreException;
import io.github.calicoj.datastore.DatastoreTimeoutException;
import io.github.calicoj.datastore.DatastoreUnavailableException;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.LeaseExpiredException;
import io.github.calicoj.datastore.PermissionDeniedException;
import io.github.calicoj.datastore.Revision;
import io.github.calicoj.datastore.RevisionCompactedException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What etcd's errors mean, for both clients alike and without touching gRPC classes (so that the
 * gateway client never loads them): the exception for a status code and its text, which refusals
 * leave a write unapplied, and the wording of timeouts and unknown outcomes.
 */
public final class EtcdFailures {
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

  private EtcdFailures() {}

  /** The gRPC name of a status code. */
  public static String name(int code) {
    return code >= 0 && code < NAMES.length ? NAMES[code] : "code " + code;
  }

  /**
   * The exception for an etcd failure with gRPC status {@code code} and its description.
   *
   * @param write true for writes, whose outcome is unknown after a transport failure
   */
  public static DatastoreException toException(
      int code,
      String description,
      String operation,
      @Nullable Key key,
      boolean write,
      String where,
      @Nullable Throwable cause) {
    String detail =
        subject(operation, key) + " failed: " + name(code) + " " + description + " (" + where + ")";
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
      // gRPC's "UNKNOWN: channel closed": the connection to a member went away under the call
      // (the member died), so the outcome of a write is unknown, as for UNAVAILABLE.
      case 2 ->
          connectionLost(code, description)
              ? new DatastoreUnavailableException(withOutcome(detail, write), key, write, cause)
              : new DatastoreException(detail, key, cause);
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
   * True if the call's connection was lost rather than answered: gRPC's UNAVAILABLE (14), or its
   * UNKNOWN (2) "channel closed" when the connection to a member that died is torn down under the
   * call. A read that failed so may be sent again; a write's outcome is unknown.
   */
  public static boolean connectionLost(int code, String description) {
    return code == 14 || (code == 2 && description.contains("channel closed"));
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
  public static boolean notApplied(String description) {
    // Matched on etcd's texts, which are stable across releases; the gRPC codes that carry them
    // (UNAVAILABLE, RESOURCE_EXHAUSTED, UNKNOWN) carry other, non-retryable errors too.
    return description.contains("etcdserver: leader changed")
        || description.contains("etcdserver: no leader")
        || description.contains("etcdserver: too many requests")
        || description.contains("raft proposal dropped");
  }

  /**
   * True if etcd refused a read because the revision it asked for is ahead of the store's ({@code
   * mvcc: required revision is a future revision}).
   *
   * <p>The text is the only signal: etcd sends this refusal and "required revision has been
   * compacted" with the same gRPC code, OUT_OF_RANGE, and the {@link DatastoreException} built from
   * it carries no code, only the server's text in its message.
   */
  public static boolean isFutureRevision(DatastoreException e) {
    return !(e instanceof RevisionCompactedException)
        && String.valueOf(e.getMessage()).contains("future revision");
  }

  /**
   * Runs {@code readAtRevision}, a read of a watch's prefix at the revision the watch starts after,
   * to fail a watch from a compacted revision at once: the read fails exactly when that revision
   * was compacted. A future revision is fine for a watch, so that refusal is swallowed; every other
   * failure goes to the caller.
   *
   * @throws RevisionCompactedException if the revision was compacted
   */
  public static void checkNotCompacted(Runnable readAtRevision) {
    try {
      readAtRevision.run();
    } catch (DatastoreException e) {
      if (!isFutureRevision(e)) {
        throw e;
      }
    }
  }

  /**
   * True if etcd refused a request because its auth token expired or was revoked ({@code
   * etcdserver: invalid auth token}); the next request must authenticate again.
   *
   * <p>The text is the only signal the gateway gives everywhere: a unary reply carries the code
   * UNAUTHENTICATED beside it, but an error inside a watch stream names its code {@code grpc_code}
   * (read as UNKNOWN) and may reach the watch as a plain I/O failure, so only the server's text is
   * common to all the places it arrives.
   */
  public static boolean isInvalidAuthToken(@Nullable String text) {
    return text != null && text.contains("invalid auth token");
  }

  /** The outcome note appended to transport failures of writes. */
  public static String withOutcome(String detail, boolean write) {
    return write ? detail + "; outcome unknown: the write may have been applied" : detail;
  }

  /** An operation and its key for a message: {@code "put /calico/v1/x"}. */
  public static String subject(String operation, @Nullable Key key) {
    return key == null ? operation : operation + " " + key;
  }

  /**
   * The message of a call that got no answer within {@code timeout}.
   *
   * @param lastError what the last attempt ran into, if it was not the timeout itself
   * @param write true for writes, whose outcome is then unknown
   */
  public static String timeoutMessage(
      String operation,
      @Nullable Key key,
      Duration timeout,
      String where,
      @Nullable String lastError,
      boolean write) {
    return withOutcome(
        subject(operation, key)
            + " failed: no answer within "
            + timeout
            + " ("
            + where
            + (lastError == null ? "" : "; last error: " + lastError)
            + "; etcd down, no quorum, or a TLS or credential problem)",
        write);
  }
}
