package io.github.calicoj.core.check;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;

/**
 * The result of one {@code ipam check} run: what was found, what was done about it (after a
 * repair), and what could not be checked. Renders as a table for people ({@link #table()}) and as
 * JSON for machines ({@link #json()}, {@code --output json}); {@link #found()} is the CLI's exit
 * status. Immutable and thread-safe.
 */
public final class CheckReport {
  private final String host;
  private final CheckOptions options;
  private final Instant checkedAt;
  private final List<Finding> findings;
  private final List<Repair> repairs;
  private final List<String> notes;
  private final IdentityHashMap<Finding, Repair> byFinding = new IdentityHashMap<>();

  CheckReport(
      String host,
      CheckOptions options,
      Instant checkedAt,
      List<Finding> findings,
      List<Repair> repairs,
      List<String> notes) {
    this.host = requireNonNull(host, "host");
    this.options = requireNonNull(options, "options");
    this.checkedAt = requireNonNull(checkedAt, "checkedAt");
    this.findings = List.copyOf(findings);
    this.repairs = List.copyOf(repairs);
    this.notes = List.copyOf(notes);
    this.repairs.forEach(r -> byFinding.put(r.finding(), r));
  }

  /** The checking host. */
  public String host() {
    return host;
  }

  /** The options the run had; {@link CheckOptions#repair()} says whether it repaired. */
  public CheckOptions options() {
    return options;
  }

  /** When the run started (the time ages are measured to). */
  public Instant checkedAt() {
    return checkedAt;
  }

  /** What was found, in {@link FindingKind} order, then by host and subject. */
  public List<Finding> findings() {
    return findings;
  }

  /** What a repair did about each finding, in the same order; empty if the run did not repair. */
  public List<Repair> repairs() {
    return repairs;
  }

  /** What a repair did about {@code finding}, if this run repaired. */
  public Optional<Repair> repairOf(Finding finding) {
    return Optional.ofNullable(byFinding.get(requireNonNull(finding, "finding")));
  }

  /**
   * What could not be checked (an unreadable key, the Docker daemon not answering, a namespace that
   * could not be opened), in words. Findings that depend on it were not reported.
   */
  public List<String> notes() {
    return notes;
  }

  /** True if anything was found (whether or not it was then repaired): the CLI exits 1. */
  public boolean found() {
    return !findings.isEmpty();
  }

  /**
   * The findings still standing: all of them after a check, those whose repair did not resolve them
   * ({@link Repair.Outcome#resolved()}) after a repair.
   */
  public List<Finding> unresolved() {
    if (!options.repair()) {
      return findings;
    }
    List<Finding> out = new ArrayList<>();
    for (Finding f : findings) {
      Repair r = byFinding.get(f);
      if (r == null || !r.outcome().resolved()) {
        out.add(f);
      }
    }
    return List.copyOf(out);
  }

  /**
   * A table for people: one row per finding (Finding, Host, Subject, Evidence, Age, and after a
   * repair what was done), then a summary line and the notes. Ends with a newline.
   */
  public String table() {
    return ReportText.render(this);
  }

  /**
   * The report as one JSON object: {@code host}, {@code all_hosts}, {@code repair}, {@code
   * grace_seconds}, {@code checked_at} (ISO-8601), {@code found}, {@code unresolved} (a count),
   * {@code findings} (each with {@code kind}, {@code host}, {@code subject}, {@code evidence},
   * {@code details}, {@code age_seconds} or null, {@code age_source}, and after a repair {@code
   * repair}: {@code outcome}, {@code action}) and {@code notes}. Ends with a newline.
   */
  public String json() {
    return ReportJson.render(this);
  }

  @Override
  public String toString() {
    return "CheckReport{"
        + host
        + ", "
        + findings.size()
        + " findings, "
        + repairs.size()
        + " repairs}";
  }
}
