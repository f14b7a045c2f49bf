package io.github.calicoj.node.internal.model;

import io.github.calicoj.core.model.Names;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A profile as the agent sees it: its tags and its rules, each possibly absent. Felix treats an
 * invalid {@code tags} value as no tags and an invalid {@code rules} value as no rules; a profile
 * without rules drops every packet that reaches it. Immutable.
 *
 * @param name the profile name
 * @param tags the valid tags, each once; empty if the key is absent or invalid
 * @param rules the valid rules, or null if the key is absent or invalid
 */
public record PolicyProfile(String name, List<String> tags, @Nullable PolicyRules rules) {

  /** Checks the name, copies the tags. */
  public PolicyProfile {
    Names.checkProfileName(name);
    tags = List.copyOf(tags);
  }

  /** The rules, if the profile has valid ones. */
  public Optional<PolicyRules> validRules() {
    return Optional.ofNullable(rules);
  }
}
