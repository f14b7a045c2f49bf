package io.github.calicoj.core.model;

import static java.util.Objects.requireNonNull;

import com.google.common.base.Preconditions;
import io.github.calicoj.datastore.Revision;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A profile: a name, its tags, its rules and labels, stored under {@code
 * /calico/v1/policy/profile/<name>/}. Immutable.
 *
 * @param name the profile name ({@code ^[a-zA-Z0-9_.-]+$})
 * @param tags tags in order, each at most once
 * @param rules the rules
 * @param labels labels (written only where the wire format has them)
 * @param tagsRevision the revision of the tags key as read, or null
 * @param rulesRevision the revision of the rules key as read, or null
 */
public record Profile(
    String name,
    List<String> tags,
    Rules rules,
    Map<String, String> labels,
    @Nullable Revision tagsRevision,
    @Nullable Revision rulesRevision) {

  /** Validates the name and tags. */
  public Profile {
    Names.checkProfileName(name);
    tags = List.copyOf(tags);
    tags.forEach(Names::checkTag);
    Preconditions.checkArgument(
        tags.stream().distinct().count() == tags.size(), "Duplicate tag in %s", tags);
    requireNonNull(rules, "rules");
    labels = Map.copyOf(labels);
  }

  /** What {@code profile add NAME} creates: tag NAME and the default rules. */
  public static Profile withDefaults(String name) {
    return new Profile(name, List.of(name), Rules.defaultsFor(name), Map.of(), null, null);
  }

  /** The tags key's revision, if read from a store. */
  public Optional<Revision> storedTagsRevision() {
    return Optional.ofNullable(tagsRevision);
  }

  /** The rules key's revision, if read from a store. */
  public Optional<Revision> storedRulesRevision() {
    return Optional.ofNullable(rulesRevision);
  }
}
