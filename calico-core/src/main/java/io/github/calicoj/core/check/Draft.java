package io.github.calicoj.core.check;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A finding being put together by a {@link Finder} part, with the reads that must confirm it. Not
 * thread-safe; use once.
 */
final class Draft {
  private final FindingKind kind;
  private final String host;
  private final String subject;
  private final String id;
  private final Map<String, String> details = new TreeMap<>();
  private final List<Finder.Confirm> confirms = new ArrayList<>();
  private String evidence = "";
  private String continuity = "";
  private @Nullable String identity;
  private @Nullable Instant created;
  private @Nullable Target target;

  /** A finding of {@code kind} about {@code subject}; {@code id} is unique per kind and host. */
  Draft(FindingKind kind, String host, String subject, String id) {
    this.kind = kind;
    this.host = host;
    this.subject = subject;
    this.id = id;
  }

  Draft evidence(String text) {
    this.evidence = text;
    return this;
  }

  Draft detail(String key, @Nullable String value) {
    if (value != null) {
      details.put(key, value);
    }
    return this;
  }

  Draft details(Map<String, String> d) {
    details.putAll(d);
    return this;
  }

  /** What keeps it the same finding (for first-seen records and, by default, for repairs). */
  Draft fingerprint(String fp) {
    this.continuity = fp;
    return this;
  }

  /** What must not change between the check and the repair, if more than the fingerprint. */
  Draft identity(String id) {
    this.identity = id;
    return this;
  }

  Draft created(@Nullable Instant at) {
    this.created = at;
    return this;
  }

  Draft target(Target t) {
    this.target = t;
    return this;
  }

  Draft confirm(List<Finder.Confirm> c) {
    confirms.addAll(c);
    return this;
  }

  Finder.Candidate build() {
    return new Finder.Candidate(
        new Finding(
            kind,
            host,
            subject,
            evidence,
            details,
            id,
            continuity,
            identity != null ? identity : continuity,
            created,
            requireNonNull(target, "target"),
            null,
            Finding.AgeSource.UNKNOWN),
        confirms);
  }
}
