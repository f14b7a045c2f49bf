package io.github.calicoj.core.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.calicoj.core.internal.PyJson;
import io.github.calicoj.core.model.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A profile's {@code tags} and {@code labels} values under {@code
 * /calico/v1/policy/profile/<name>/} (its rules are {@link RulesJson}'s). Stateless and
 * thread-safe.
 */
public final class ProfileJson {
  private ProfileJson() {}

  /** A tags value: a JSON list of strings. */
  public static String tags(List<String> tags) {
    ArrayNode a = PyJson.NODES.arrayNode();
    tags.forEach(a::add);
    return PyJson.write(a);
  }

  /** Reads a tags value tolerantly (each element as text). */
  public static List<String> readTags(String json) {
    List<String> out = new ArrayList<>();
    PyJson.parse(json, "tags").forEach(t -> out.add(t.asText()));
    return out;
  }

  /**
   * Reads a tags value as Felix validates it: a JSON list of strings, each a valid tag.
   *
   * @throws IllegalArgumentException naming the problem
   */
  public static List<String> parseTags(String json) {
    JsonNode a = PyJson.parse(json, "tags");
    if (!a.isArray()) {
      throw new IllegalArgumentException("Tags must be a JSON list: " + PyJson.quote(json));
    }
    List<String> out = new ArrayList<>();
    for (JsonNode t : a) {
      if (!t.isTextual()) {
        throw new IllegalArgumentException("A tag must be a string: " + PyJson.quote(t.toString()));
      }
      out.add(Names.checkTag(t.asText()));
    }
    return out;
  }

  /** A labels value: a JSON object of strings, in key order. */
  public static String labels(Map<String, String> labels) {
    ObjectNode o = PyJson.NODES.objectNode();
    new TreeMap<>(labels).forEach(o::put);
    return PyJson.write(o);
  }

  /** Reads a labels value. */
  public static Map<String, String> readLabels(String json) {
    return PyJson.stringMap(PyJson.parse(json, "labels"));
  }
}
