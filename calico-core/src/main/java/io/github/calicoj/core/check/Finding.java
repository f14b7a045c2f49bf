package io.github.calicoj.core.check;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * One problem {@code ipam check} found: its {@link FindingKind kind}, the host it concerns, its
 * subject (an address, a workload, an endpoint, a link, a block or a handle), the evidence in
 * words, the same facts as {@link #details()} for machines, and its age when known. Immutable.
 *
 * <p><b>Ages.</b> The grace period protects work in flight, so an age says how long the finding's
 * subject has been there: an allocation's {@code created} attribute (written with every allocation
 * since {@code Owners} carries it) or a workload marker's write time ({@link AgeSource#CREATED}).
 * Everything else has no time of its own (a link, a block, an endpoint whose link or allocation
 * vanished later, allocations by other tools): its age counts from when a repairing check first saw
 * it, a record kept in the datastore under {@code /calicoj/v1/check/<host>/} so that every process
 * (the CLI, the node agent's sweep) shares it ({@link AgeSource#FIRST_SEEN}). A finding no
 * repairing check has seen yet has no age ({@link AgeSource#UNKNOWN}); a repair counts it as zero.
 */
public final class Finding {

  /** Where a finding's age comes from. */
  public enum AgeSource {
    /** The subject's own time: an allocation's {@code created} attribute, a marker's write time. */
    CREATED,
    /** When a repairing check first saw this finding unchanged. */
    FIRST_SEEN,
    /** Unknown: no time of its own and not seen by a repairing check before. */
    UNKNOWN
  }

  private final FindingKind kind;
  private final String host;
  private final String subject;
  private final String evidence;
  private final Map<String, String> details;
  private final @Nullable Duration age;
  private final AgeSource ageSource;

  /** Unique per kind and host: names the finding's first-seen record. */
  final String id;

  /** What must stay the same for a first-seen record to keep counting. */
  final String continuity;

  /** What must stay the same between a check and its repair for the repair to act. */
  final String identity;

  /** The subject's own time, if it has one. */
  final @Nullable Instant created;

  /** What the repair acts on. */
  final Target target;

  /** Built by {@link Draft}; aged by {@link Sightings}. */
  Finding(
      FindingKind kind,
      String host,
      String subject,
      String evidence,
      Map<String, String> details,
      String id,
      String continuity,
      String identity,
      @Nullable Instant created,
      Target target,
      @Nullable Duration age,
      AgeSource ageSource) {
    this.kind = requireNonNull(kind, "kind");
    this.host = requireNonNull(host, "host");
    this.subject = requireNonNull(subject, "subject");
    this.evidence = requireNonNull(evidence, "evidence");
    this.details = Collections.unmodifiableMap(new TreeMap<>(details));
    this.id = requireNonNull(id, "id");
    this.continuity = requireNonNull(continuity, "continuity");
    this.identity = requireNonNull(identity, "identity");
    this.created = created;
    this.target = requireNonNull(target, "target");
    this.age = age;
    this.ageSource = requireNonNull(ageSource, "ageSource");
  }

  /** This finding with its age. */
  Finding withAge(@Nullable Duration age, AgeSource source) {
    return new Finding(
        kind,
        host,
        subject,
        evidence,
        details,
        id,
        continuity,
        identity,
        created,
        target,
        age,
        source);
  }

  /** What kind of problem it is. */
  public FindingKind kind() {
    return kind;
  }

  /** The host it concerns; empty for an allocation in a block without an affine host. */
  public String host() {
    return host;
  }

  /** What it is about, such as {@code 10.65.0.7} or {@code namespace/-var-run-netns-x}. */
  public String subject() {
    return subject;
  }

  /** Why it is a problem, in words. */
  public String evidence() {
    return evidence;
  }

  /**
   * The facts behind it, for machines, in key order: {@code ip}, {@code block}, {@code handle},
   * {@code endpoint} (its key), {@code endpoints}, {@code marker}, {@code link}, {@code workload},
   * {@code netns}, {@code container}, as they apply.
   */
  public Map<String, String> details() {
    return details;
  }

  /** How old it is (see the class comment), if known. */
  public Optional<Duration> age() {
    return Optional.ofNullable(age);
  }

  /** Where {@link #age()} comes from. */
  public AgeSource ageSource() {
    return ageSource;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Finding f
        && kind == f.kind
        && host.equals(f.host)
        && id.equals(f.id)
        && identity.equals(f.identity)
        && subject.equals(f.subject)
        && evidence.equals(f.evidence)
        && Objects.equals(age, f.age)
        && ageSource == f.ageSource;
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, host, id, identity);
  }

  @Override
  public String toString() {
    return kind.id()
        + " "
        + (host.isEmpty() ? "-" : host)
        + " "
        + subject
        + ": "
        + evidence
        + (age == null ? "" : " (" + Ages.format(age) + ", " + ageSource + ")");
  }
}
