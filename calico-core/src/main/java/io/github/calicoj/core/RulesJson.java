package io.github.calicoj.core;

import io.github.calicoj.core.internal.CalicoJson;
import io.github.calicoj.core.model.Rules;
import java.util.Optional;

/**
 * A profile's rules in the wire JSON, for tools that show or edit them ({@code profile P rule
 * json|update}). Stateless and thread-safe.
 */
public final class RulesJson {
  private RulesJson() {}

  /** The rules value as stored: {@code {"id": NAME, "inbound_rules": [...], ...}}. */
  public static String write(String profileName, Rules rules, WireFormat format) {
    return CalicoJson.rules(profileName, rules, format);
  }

  /**
   * Parses a rules value.
   *
   * @throws IllegalArgumentException naming the problem if the JSON or a rule is invalid
   */
  public static Rules read(String json) {
    return CalicoJson.readRules(json);
  }

  /** The value's {@code "id"}, if it has one. */
  public static Optional<String> id(String json) {
    var tree = CalicoJson.parse(json, "rules");
    return tree.hasNonNull("id") ? Optional.of(tree.get("id").asText()) : Optional.empty();
  }
}
