package io.github.calicoj.core.check;

import static java.util.Objects.requireNonNull;

/**
 * What a repair did about one {@link Finding}. Immutable.
 *
 * @param finding the finding, as the check reported it
 * @param outcome what came of it
 * @param action what was done, or why nothing was, in words
 */
public record Repair(Finding finding, Outcome outcome, String action) {

  /** What came of a repair. */
  public enum Outcome {
    /** Fixed: the writes (and link deletions) in {@link Repair#action()} were made. */
    REPAIRED,
    /** Found again, but younger than the grace period: left alone. */
    TOO_YOUNG,
    /** Not found any more when the repair looked again (fixed meanwhile): nothing to do. */
    GONE,
    /**
     * What the finding is about changed between the check and the repair, or while the repair was
     * writing (a guard failed): left alone, for the next run to look at afresh.
     */
    CHANGED,
    /** Left to a person: the data does not say what the right fix is; see the action. */
    MANUAL,
    /** The repair failed; the action names the error. Nothing of it was written. */
    FAILED;

    /** The outcome's name in reports and JSON, such as {@code too-young}. */
    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** True if the finding is dealt with: repaired, or no longer there. */
    public boolean resolved() {
      return this == REPAIRED || this == GONE;
    }
  }

  /** Rejects nulls. */
  public Repair {
    requireNonNull(finding, "finding");
    requireNonNull(outcome, "outcome");
    requireNonNull(action, "action");
  }
}
