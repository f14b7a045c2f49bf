package io.github.calicoj.core.check;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * What one {@code ipam check} run looks at and may do. Immutable; start from {@link #DEFAULT} or
 * {@link #builder()}.
 *
 * @param allHosts check every host's datastore state ({@code --all-hosts}), not only the checking
 *     host's; what needs the kernel or Docker is still checked for the checking host alone
 * @param repair fix what is found ({@code --repair}); without it nothing is written
 * @param grace nothing younger than this is repaired ({@code --grace}); default {@link
 *     #DEFAULT_GRACE}
 * @param dataplane look at this host's cali links, Docker containers and network namespaces; off
 *     for a host the caller does not run on (a simulated or remote host), leaving the datastore's
 *     own consistency
 */
public record CheckOptions(boolean allHosts, boolean repair, Duration grace, boolean dataplane) {

  /** The default grace period: 15 minutes. */
  public static final Duration DEFAULT_GRACE = Duration.ofMinutes(15);

  /** This host, report only, the default grace, with the dataplane. */
  public static final CheckOptions DEFAULT = builder().build();

  /** Checks the grace. */
  public CheckOptions {
    requireNonNull(grace, "grace");
    checkArgument(!grace.isNegative(), "The grace period must not be negative: %s", grace);
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these options. */
  public Builder toBuilder() {
    return new Builder().allHosts(allHosts).repair(repair).grace(grace).dataplane(dataplane);
  }

  /** Builds {@link CheckOptions}. Not thread-safe. */
  public static final class Builder {
    private boolean allHosts;
    private boolean repair;
    private Duration grace = DEFAULT_GRACE;
    private boolean dataplane = true;

    private Builder() {}

    /** Every host's datastore state ({@code --all-hosts}); default only the checking host's. */
    public Builder allHosts(boolean allHosts) {
      this.allHosts = allHosts;
      return this;
    }

    /** Repair what is found ({@code --repair}); default report only. */
    public Builder repair(boolean repair) {
      this.repair = repair;
      return this;
    }

    /**
     * Nothing younger than this is repaired ({@code --grace}); default 15 minutes.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder grace(Duration grace) {
      requireNonNull(grace, "grace");
      checkArgument(!grace.isNegative(), "The grace period must not be negative: %s", grace);
      this.grace = grace;
      return this;
    }

    /** Look at this host's links, containers and namespaces; default on. */
    public Builder dataplane(boolean dataplane) {
      this.dataplane = dataplane;
      return this;
    }

    /** The options. */
    public CheckOptions build() {
      return new CheckOptions(allHosts, repair, grace, dataplane);
    }
  }
}
