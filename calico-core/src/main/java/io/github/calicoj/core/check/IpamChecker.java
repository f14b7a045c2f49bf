package io.github.calicoj.core.check;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.github.calicoj.core.client.DockerEngine;
import io.github.calicoj.core.internal.Durations;
import io.github.calicoj.core.ipam.Ipam;
import io.github.calicoj.core.model.Names;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * {@code calicoctl ipam check [--repair] [--grace DURATION] [--all-hosts]}: finds what outlived its
 * workload or lost its partner, for one host or all, and repairs it.
 *
 * <pre>{@code
 * IpamChecker checker = IpamChecker.builder(datastore, "calico-01").build();
 * CheckReport report = checker.run(CheckOptions.builder().repair(true).build());
 * System.out.print(json ? report.json() : report.table());
 * System.exit(report.found() ? 1 : 0);
 * }</pre>
 *
 * <p><b>What is read.</b> A check reads calicoj's own keys ({@code /calicoj/v1/}), all of Calico's
 * IPAM ({@code /calico/ipam/v2/}, at one revision) and every host's endpoints, in that order, in
 * three list calls; then, for the checking host and with {@link CheckOptions#dataplane()}, the host
 * side's links in one netlink dump, every Docker container in one Engine API call (only if the host
 * has Docker endpoints), and a {@code stat} of each namespace workload's recorded path. Finally it
 * reads again, one by one, the few keys its findings rest on, and drops a finding whose keys
 * changed meanwhile (a workload added or removed while the check read). Its cost hardly grows with
 * the number of endpoints beyond the parsing of the lists; see {@code scripts/bench lifecycle}.
 * Nothing is written by {@link #check}.
 *
 * <p><b>What is repaired, and when.</b> {@link #repair} (or {@link #run} with {@link
 * CheckOptions#repair()}) looks again, and acts only on findings it finds again unchanged and at
 * least the grace period old ({@link Finding} explains ages), each with one guarded transaction
 * ({@link FindingKind} says what each kind's repair does). It records when it first saw findings
 * without a time of their own, so that a later run can count their age. A second run after a repair
 * with a zero grace finds nothing, apart from findings left to a person ({@link
 * Repair.Outcome#MANUAL}) and what changed meanwhile.
 *
 * <p><b>Thread safety:</b> thread-safe; runs may overlap (their repairs are guarded, so one of two
 * racing repairs of a finding wins and the other finds it changed or gone). Holds nothing open
 * between runs: each run opens its own netlink socket and closes it. Borrows the datastore and the
 * IPAM service.
 */
public final class IpamChecker {
  private final Datastore datastore;
  private final String hostname;
  private final Ipam ipam;
  private final Clock clock;
  private final Supplier<HostSide> hostSides;
  private final StateReader reader;
  private final Sightings sightings;
  private final @Nullable Restorer restorer;

  private IpamChecker(Builder b) {
    this.datastore = b.datastore;
    this.hostname = b.hostname;
    this.ipam = b.ipam != null ? b.ipam : Ipam.on(b.datastore);
    this.clock = b.clock;
    Path ns = b.hostNamespace;
    DockerEngine docker =
        b.docker != null ? b.docker : DockerEngine.fromEnvironment(b.dockerTimeout);
    this.hostSides = b.hostSides != null ? b.hostSides : () -> new LiveHostSide(ns, docker);
    this.reader = new StateReader(b.datastore);
    this.sightings = new Sightings(b.datastore);
    this.restorer = b.restorer;
  }

  /** A builder for checks of {@code hostname}, reading and repairing {@code datastore}. */
  public static Builder builder(Datastore datastore, String hostname) {
    return new Builder(datastore, hostname);
  }

  /** The checking host: the one whose dataplane is looked at, and the default scope. */
  public String hostname() {
    return hostname;
  }

  /**
   * Checks, writing nothing ({@link CheckOptions#repair()} is not looked at). What cannot be seen
   * (the Docker daemon, the host side's links, a namespace) is a note in the report, never a
   * finding.
   *
   * @throws io.github.calicoj.datastore.DatastoreException if the datastore cannot be read
   */
  public CheckReport check(CheckOptions options) {
    requireNonNull(options, "options");
    Instant now = clock.instant();
    try (HostSide side = options.dataplane() ? hostSides.get() : null) {
      Pass p = pass(options, side);
      List<Finding> aged = Sightings.age(p.findings(), p.state().sightings(), now);
      return new CheckReport(
          hostname, options.toBuilder().repair(false).build(), now, aged, List.of(), p.notes());
    }
  }

  /**
   * Repairs the findings of {@code report} (a {@link #check} of this checker), under its options'
   * scope and grace: each is looked for again and acted on only if it is found unchanged and old
   * enough. Findings the report does not hold are not repaired (but their first sighting is
   * recorded).
   *
   * @return the report's findings with what was done about each
   * @throws IllegalArgumentException if the report is of another host
   * @throws io.github.calicoj.datastore.DatastoreException if the datastore fails during the run
   *     (what was repaired before stays repaired; each repair is one transaction)
   */
  public CheckReport repair(CheckReport report) {
    requireNonNull(report, "report");
    checkArgument(
        report.host().equals(hostname),
        "A report of host %s cannot be repaired by the checker of %s",
        report.host(),
        hostname);
    return repairPass(report.options().toBuilder().repair(true).build(), report.findings());
  }

  /**
   * {@link #check}, or with {@link CheckOptions#repair()} a check and repair in one pass: the
   * findings are those the pass finds, each with what was done about it.
   *
   * @throws io.github.calicoj.datastore.DatastoreException if the datastore fails during the run
   */
  public CheckReport run(CheckOptions options) {
    requireNonNull(options, "options");
    return options.repair() ? repairPass(options, null) : check(options);
  }

  private record Pass(ClusterState state, List<Finding> findings, List<String> notes) {}

  private Pass pass(CheckOptions options, @Nullable HostSide side) {
    ClusterState state = reader.read();
    HostView view = side == null ? null : HostView.observe(side, state, hostname);
    Finder finder = new Finder(hostname, options.allHosts(), state, view);
    List<Finder.Candidate> candidates = finder.find();
    List<Finding> confirmed = new ArrayList<>();
    Map<Key, Optional<KeyValue>> reread = new HashMap<>();
    for (Finder.Candidate c : candidates) {
      boolean holds = true;
      for (Finder.Confirm k : c.confirms()) {
        Optional<KeyValue> now = reread.computeIfAbsent(k.key(), datastore::get);
        try {
          holds = k.holds().test(now);
        } catch (IllegalArgumentException e) {
          holds = false; // unreadable now: changed
        }
        if (!holds) {
          break;
        }
      }
      if (holds) {
        confirmed.add(c.finding());
      }
    }
    List<String> notes = new ArrayList<>(state.notes());
    if (view != null) {
      notes.addAll(view.notes());
    }
    notes.addAll(finder.notes());
    return new Pass(state, confirmed, notes);
  }

  private CheckReport repairPass(CheckOptions options, @Nullable List<Finding> checked) {
    Instant now = clock.instant();
    try (HostSide side = options.dataplane() ? hostSides.get() : null) {
      Pass p = pass(options, side);
      List<Finding> fresh =
          sightings.record(
              Sightings.age(p.findings(), p.state().sightings(), now),
              p.state().sightings(),
              now,
              (h, kind) ->
                  (options.allHosts() || h.equals(hostname))
                      && (!kind.dataplane() || (options.dataplane() && h.equals(hostname))));
      Map<String, Finding> byId = new HashMap<>();
      fresh.forEach(f -> byId.put(matchKey(f), f));
      List<Finding> subjects = checked != null ? checked : fresh;
      Repairer repairer =
          new Repairer(
              datastore, ipam, hostname, options.allHosts(), side, restorer, p.state(), now);
      for (Finding f : subjects) {
        Finding again = byId.get(matchKey(f));
        if (again == null) {
          repairer.skip(f, Repair.Outcome.GONE, "not found any more");
        } else if (!again.identity.equals(f.identity)) {
          repairer.skip(f, Repair.Outcome.CHANGED, "changed since the check; left alone");
        } else if (again.age().orElse(Duration.ZERO).compareTo(options.grace()) < 0) {
          repairer.skip(
              f,
              Repair.Outcome.TOO_YOUNG,
              "inside the grace period ("
                  + Ages.format(again.age().orElse(Duration.ZERO))
                  + " old, "
                  + (again.ageSource() == Finding.AgeSource.CREATED ? "created" : "first seen")
                  + "; grace "
                  + Ages.format(options.grace())
                  + ")");
        } else {
          repairer.repair(f, again);
        }
      }
      List<Repair> repairs = repairer.finish();
      sightings.forget(
          repairs.stream().filter(r -> r.outcome().resolved()).map(Repair::finding).toList());
      return new CheckReport(hostname, options, now, subjects, repairs, p.notes());
    }
  }

  private static String matchKey(Finding f) {
    return f.kind().id() + "|" + f.host() + "|" + f.id;
  }

  /**
   * Re-plumbs a live workload's interface in place (as {@code CalicoClient.restoreContainer} does),
   * for the repair of an endpoint whose cali link is missing.
   */
  @FunctionalInterface
  public interface Restorer {
    /**
     * Restores the workload's interface if it is gone.
     *
     * @param workload a Docker container's id, or the network namespace path the workload was added
     *     by
     * @return the endpoint as it is now
     */
    WorkloadEndpoint restore(String workload);
  }

  /** Configures an {@link IpamChecker}. Not thread-safe. */
  public static final class Builder {
    private final Datastore datastore;
    private final String hostname;
    private @Nullable Path hostNamespace;
    private @Nullable DockerEngine docker;
    private Duration dockerTimeout = Duration.ofSeconds(10);
    private @Nullable Ipam ipam;
    private Clock clock = Clock.systemUTC();
    private @Nullable Supplier<HostSide> hostSides;
    private @Nullable Restorer restorer;

    private Builder(Datastore datastore, String hostname) {
      this.datastore = requireNonNull(datastore, "datastore");
      this.hostname = Names.checkHostname(hostname);
    }

    /**
     * The network namespace the host ends of the veths (the cali links) live in, as {@code
     * CalicoClient.Builder.hostNamespace} takes it. Default: the caller's own.
     */
    public Builder hostNamespace(Path path) {
      this.hostNamespace = requireNonNull(path, "path");
      return this;
    }

    /**
     * The Docker daemon to list containers from. Default: {@code DOCKER_HOST} or the default
     * socket.
     */
    public Builder docker(DockerEngine docker) {
      this.docker = requireNonNull(docker, "docker");
      return this;
    }

    /** The bound on the Docker call when the default daemon is used. Default 10 s. */
    public Builder dockerTimeout(Duration timeout) {
      this.dockerTimeout = Durations.requirePositive(timeout, "timeout", "dockerTimeout");
      return this;
    }

    /**
     * The IPAM service repairs go through; pass a client's own ({@code CalicoClient.ipam()}) so
     * that its cache sees the repairs. Default: a new one on the datastore.
     */
    public Builder ipam(Ipam ipam) {
      this.ipam = requireNonNull(ipam, "ipam");
      return this;
    }

    /** The clock ages are measured with. Default: the system's. */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How a repair re-plumbs a live workload whose cali link is missing ({@link
     * FindingKind#ENDPOINT_WITHOUT_LINK}); a {@code CalicoClient}'s checker uses the client's
     * {@code restoreContainer}. Default: none, and such an endpoint is removed as a gone workload's
     * is.
     */
    public Builder restorer(Restorer restorer) {
      this.restorer = requireNonNull(restorer, "restorer");
      return this;
    }

    /** Where each run's view of the host comes from: the seam for tests. */
    Builder hostSides(Supplier<HostSide> sides) {
      this.hostSides = requireNonNull(sides, "sides");
      return this;
    }

    /** Builds the checker; nothing is opened until a run. */
    public IpamChecker build() {
      return new IpamChecker(this);
    }
  }
}
