package io.github.calicoj.core;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * Root of calico-core's operational failures. {@link #reason()} says what went wrong, so that
 * callers (the CLI among them) branch on it and never on message text; the message is the
 * reference's text where the reference had one. Each reason belongs to one {@link Kind}, which is
 * also the subclass the exception has ({@link NotFoundException}, {@link AlreadyExistsException},
 * {@link ConflictException}, {@link WorkloadException}; {@link Kind#OTHER} is this class or a
 * subclass that carries more detail). Failures of the datastore itself (unreachable, timed out, no
 * permission) arrive as the datastore module's {@link
 * io.github.calicoj.datastore.DatastoreException}s, and kernel refusals as {@link
 * io.github.calicoj.netns.NetnsException}s.
 */
public class CalicoException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The family a {@link Reason} belongs to, and so the exception's class. */
  public enum Kind {
    /** {@link NotFoundException}. */
    NOT_FOUND,
    /** {@link AlreadyExistsException}. */
    ALREADY_EXISTS,
    /** {@link ConflictException}. */
    CONFLICT,
    /** {@link WorkloadException}. */
    WORKLOAD,
    /** {@link CalicoException} itself, or a subclass with more detail. */
    OTHER
  }

  /** What went wrong. */
  public enum Reason {
    /** The workload has no Calico endpoint on this host. */
    WORKLOAD_NOT_CONFIGURED(Kind.NOT_FOUND),
    /** No endpoint matches the criteria. */
    ENDPOINT_NOT_FOUND(Kind.NOT_FOUND),
    /** A profile does not exist. */
    PROFILE_NOT_FOUND(Kind.NOT_FOUND),
    /** A profile is not in an endpoint's profile list ({@link ProfileNotInEndpointException}). */
    PROFILE_NOT_IN_ENDPOINT(Kind.NOT_FOUND),
    /** A tag is not on a profile. */
    TAG_NOT_FOUND(Kind.NOT_FOUND),
    /** A rule is not in a profile's rules. */
    RULE_NOT_FOUND(Kind.NOT_FOUND),
    /** No pool has this CIDR, or an address is in no (IPAM-enabled) pool. */
    POOL_NOT_FOUND(Kind.NOT_FOUND),
    /** The host has no BGP configuration. */
    HOST_NOT_FOUND(Kind.NOT_FOUND),
    /** An interface does not exist in the workload. */
    INTERFACE_NOT_FOUND(Kind.NOT_FOUND),
    /** An address is not one of the endpoint's. */
    ADDRESS_NOT_ON_ENDPOINT(Kind.NOT_FOUND),
    /** An address is not assigned in IPAM. */
    ADDRESS_NOT_ASSIGNED(Kind.NOT_FOUND),

    /** The workload already has an endpoint: "X has already been configured with Calico…". */
    ALREADY_CONFIGURED(Kind.ALREADY_EXISTS),
    /** A profile exists already. */
    PROFILE_EXISTS(Kind.ALREADY_EXISTS),
    /** A profile is already in an endpoint's list ({@link ProfileAlreadyInEndpointException}). */
    PROFILE_ALREADY_IN_ENDPOINT(Kind.ALREADY_EXISTS),
    /** A specific address is already assigned. */
    ADDRESS_ALREADY_ASSIGNED(Kind.ALREADY_EXISTS),

    /** Concurrent writers kept changing a resource; the bounded compare-and-set retries ran out. */
    RETRIES_EXHAUSTED(Kind.CONFLICT),
    /** More than one endpoint matched criteria that had to pick one. */
    MULTIPLE_ENDPOINTS(Kind.CONFLICT),
    /** A pool overlaps another, or a range conflicts with a pool. */
    POOL_OVERLAP(Kind.CONFLICT),
    /** A profile cannot be removed while endpoints use it. */
    PROFILE_IN_USE(Kind.CONFLICT),
    /**
     * A namespace path now names another network namespace than the one its workload was added for
     * (two paths that escape to one workload id, or a namespace that was replaced).
     */
    WORKLOAD_MISMATCH(Kind.CONFLICT),

    /** No such container or namespace. */
    CONTAINER_NOT_FOUND(Kind.WORKLOAD),
    /** The container is not running. */
    NOT_RUNNING(Kind.WORKLOAD),
    /** The container uses the host's network ({@code --net=host}). */
    HOST_NETWORK(Kind.WORKLOAD),
    /**
     * The workload's network namespace is the host side's own namespace or the caller's (by
     * namespace identity, not path): adding it would put the workload's interface and default route
     * on the host.
     */
    HOST_NAMESPACE(Kind.WORKLOAD),
    /** The Docker daemon cannot be reached. */
    DAEMON_UNREACHABLE(Kind.WORKLOAD),
    /** No permission to talk to the Docker daemon. */
    PERMISSION_DENIED(Kind.WORKLOAD),
    /** The Docker daemon answered with an error. */
    DAEMON_ERROR(Kind.WORKLOAD),
    /** The requested interface already exists in the workload, and no Calico endpoint has it. */
    INTERFACE_EXISTS(Kind.WORKLOAD),

    /** No address could be assigned: the pools (or the requested pool) are full. */
    POOL_EXHAUSTED(Kind.OTHER),
    /** This host has no next hop for the IP version ({@link NodeNotConfiguredException}). */
    NODE_NOT_CONFIGURED(Kind.OTHER),
    /**
     * The datastore did not confirm a write in time, so whether it was applied is not known; what
     * the command did locally was undone, and the next command on the same workload finishes the
     * clean-up if the write turns up later.
     */
    OUTCOME_UNKNOWN(Kind.OTHER),
    /** Part of the dataplane work did not finish in time. */
    DATAPLANE_TIMEOUT(Kind.OTHER);

    private final Kind kind;

    Reason(Kind kind) {
      this.kind = kind;
    }

    /** The family, and so the exception class, of this reason. */
    public Kind kind() {
      return kind;
    }
  }

  private final Reason reason;

  /**
   * Creates the exception.
   *
   * @throws IllegalArgumentException if {@code reason} belongs to another {@link Kind} than this
   *     class (use {@link #of} to get the right class)
   */
  public CalicoException(Reason reason, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.reason = requireNonNull(reason, "reason");
    if (reason.kind() != kindOf(getClass())) {
      throw new IllegalArgumentException(
          "Reason " + reason + " is of kind " + reason.kind() + ", not " + getClass().getName());
    }
  }

  /** Creates the exception without a cause. */
  public CalicoException(Reason reason, String message) {
    this(reason, message, null);
  }

  /** An exception of the class that {@code reason}'s {@link Kind} calls for. */
  public static CalicoException of(Reason reason, String message, @Nullable Throwable cause) {
    return switch (reason.kind()) {
      case NOT_FOUND -> new NotFoundException(reason, message, cause);
      case ALREADY_EXISTS -> new AlreadyExistsException(reason, message, cause);
      case CONFLICT -> new ConflictException(reason, message, cause);
      case WORKLOAD -> new WorkloadException(reason, message, cause);
      case OTHER -> new CalicoException(reason, message, cause);
    };
  }

  /** {@link #of(Reason, String, Throwable)} without a cause. */
  public static CalicoException of(Reason reason, String message) {
    return of(reason, message, null);
  }

  /** What went wrong. */
  public Reason reason() {
    return reason;
  }

  private static Kind kindOf(Class<?> type) {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      if (c == NotFoundException.class) {
        return Kind.NOT_FOUND;
      } else if (c == AlreadyExistsException.class) {
        return Kind.ALREADY_EXISTS;
      } else if (c == ConflictException.class) {
        return Kind.CONFLICT;
      } else if (c == WorkloadException.class) {
        return Kind.WORKLOAD;
      }
    }
    return Kind.OTHER;
  }
}
