package io.github.calicoj.cni;

import io.github.calicoj.core.CalicoException;
import io.github.calicoj.datastore.DatastoreException;
import io.github.calicoj.datastore.DatastoreUnavailableException;
import io.github.calicoj.netns.NetnsException;
import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * Turns what the SDK throws into the CNI error the runtime sees: the code that tells it what kind
 * of failure it is, the SDK's message (which names the bad value) as {@code msg}, and the causes
 * (and failures of the rollback, attached as suppressed) as {@code details}, one line each; the
 * stack trace goes to the log only. Stateless.
 */
final class Failures {
  private Failures() {}

  /** The CNI error for a failure of {@code what} ("ADD of container 0123abcd…"). */
  static CniException toCni(Throwable t, String what) {
    if (t instanceof CniException c) {
      return c;
    }
    CniCode code = codeOf(t);
    String msg = what + " failed: " + messageOf(t);
    return new CniException(code, msg, details(t), t);
  }

  private static CniCode codeOf(Throwable t) {
    if (t instanceof DatastoreUnavailableException) {
      return CniCode.TRY_AGAIN_LATER;
    }
    if (t instanceof DatastoreException) {
      return CniCode.DATASTORE_FAILED;
    }
    if (t instanceof NetnsException) {
      return CniCode.DATAPLANE_FAILED;
    }
    if (t instanceof IllegalArgumentException) {
      return CniCode.INVALID_CONFIG;
    }
    if (t instanceof CalicoException c) {
      return switch (c.reason()) {
        case ALREADY_CONFIGURED -> CniCode.ALREADY_CONFIGURED;
        case ADDRESS_ALREADY_ASSIGNED, POOL_NOT_FOUND -> CniCode.ADDRESS_UNAVAILABLE;
        case POOL_EXHAUSTED -> CniCode.POOL_EXHAUSTED;
        // The datastore did not confirm, a part of the dataplane did not finish, or writers kept
        // colliding: everything was rolled back, and the same call may well succeed later.
        case OUTCOME_UNKNOWN, DATAPLANE_TIMEOUT, RETRIES_EXHAUSTED, PROFILE_NOT_FOUND ->
            CniCode.TRY_AGAIN_LATER;
        case CONTAINER_NOT_FOUND -> CniCode.UNKNOWN_CONTAINER;
        case HOST_NAMESPACE, INTERFACE_EXISTS -> CniCode.INVALID_ENVIRONMENT;
        case NODE_NOT_CONFIGURED -> CniCode.INVALID_CONFIG;
        default -> CniCode.INTERNAL;
      };
    }
    return CniCode.INTERNAL;
  }

  private static String messageOf(Throwable t) {
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
  }

  /**
   * The exception's type and message, then each cause's and each suppressed failure's, one per
   * line.
   */
  static String details(Throwable t) {
    StringBuilder b = new StringBuilder();
    append(b, t, "", new java.util.HashSet<>());
    return b.toString().strip();
  }

  private static void append(
      StringBuilder b, Throwable t, String prefix, java.util.Set<Throwable> seen) {
    if (!seen.add(t)) {
      return;
    }
    b.append(prefix).append(t.getClass().getName());
    if (t.getMessage() != null) {
      b.append(": ").append(t.getMessage());
    }
    b.append('\n');
    for (Throwable s : t.getSuppressed()) {
      append(b, s, "suppressed: ", seen);
    }
    Throwable cause = t.getCause();
    if (cause != null) {
      append(b, cause, "caused by: ", seen);
    }
  }

  /** The exception's stack trace, with causes and suppressed failures, for the log. */
  static String stackTrace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }
}
