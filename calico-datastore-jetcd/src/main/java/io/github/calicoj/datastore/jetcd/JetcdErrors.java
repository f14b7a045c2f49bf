package io.github.calicoj.datastore.jetcd;

import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.common.exception.EtcdException;
import io.github.calicoj.datastore.DatastoreException;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.Revision;
import io.github.calicoj.datastore.RevisionCompactedException;
import io.github.calicoj.datastore.etcd.internal.EtcdFailures;
import io.grpc.Status;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * The one place where jetcd, gRPC and future exceptions become {@link DatastoreException}s. The
 * jetcd exception stays attached as the cause.
 */
final class JetcdErrors {
  private JetcdErrors() {}

  /**
   * Translates a failure of {@code operation} on {@code key}.
   *
   * @param write true for writes, whose outcome is unknown after a transport failure
   * @param where the endpoints, for the message
   */
  static DatastoreException translate(
      Throwable failure, String operation, @Nullable Key key, boolean write, String where) {
    Throwable t = unwrap(failure);
    if (t instanceof CompactedException compacted) {
      return new RevisionCompactedException(
          operation, key, Revision.of(Math.max(1, compacted.getCompactedRevision())), t);
    }
    Status status = Status.fromThrowable(t);
    String description = status.getDescription() == null ? "" : status.getDescription();
    if (t instanceof EtcdException etcd && status.getCode() == Status.Code.UNKNOWN) {
      // jetcd builds its own EtcdExceptions (closed clients, watch failures) without a gRPC status.
      description = String.valueOf(etcd.getMessage());
      status = codeOf(etcd);
    }
    return EtcdFailures.toException(
        status.getCode().value(), description, operation, key, write, where, t);
  }

  /** True if etcd refused the call before applying it; see {@link EtcdFailures#notApplied}. */
  static boolean notApplied(Throwable failure) {
    Throwable t = unwrap(failure);
    String description = Status.fromThrowable(t).getDescription();
    return EtcdFailures.notApplied(
        description != null ? description : String.valueOf(t.getMessage()));
  }

  /**
   * True for a failure that lost the connection instead of getting an answer: gRPC UNAVAILABLE (no
   * connection, no leader, member stopping) or "channel closed" ({@link
   * EtcdFailures#connectionLost}).
   */
  static boolean isUnavailable(Throwable failure) {
    Status status = Status.fromThrowable(unwrap(failure));
    String description = status.getDescription() == null ? "" : status.getDescription();
    return EtcdFailures.connectionLost(status.getCode().value(), description);
  }

  private static Status codeOf(EtcdException etcd) {
    return switch (etcd.getErrorCode()) {
      case UNAUTHENTICATED -> Status.UNAUTHENTICATED;
      case PERMISSION_DENIED -> Status.PERMISSION_DENIED;
      case NOT_FOUND -> Status.NOT_FOUND;
      case DEADLINE_EXCEEDED -> Status.DEADLINE_EXCEEDED;
      case UNAVAILABLE -> Status.UNAVAILABLE;
      case CANCELLED -> Status.CANCELLED;
      case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
      case OUT_OF_RANGE -> Status.OUT_OF_RANGE;
      default -> Status.UNKNOWN;
    };
  }

  private static Throwable unwrap(Throwable t) {
    Throwable current = t;
    while ((current instanceof ExecutionException || current instanceof CompletionException)
        && current.getCause() != null) {
      current = current.getCause();
    }
    // jetcd sometimes wraps a gRPC StatusRuntimeException in an EtcdException of its own; prefer
    // the innermost exception that carries a real status.
    Throwable probe = current;
    while (probe != null) {
      if (probe instanceof CompactedException) {
        return probe;
      }
      if (Status.fromThrowable(probe).getCode() != Status.Code.UNKNOWN
          && !(probe instanceof EtcdException)) {
        return probe;
      }
      probe = probe.getCause();
    }
    return current;
  }
}
