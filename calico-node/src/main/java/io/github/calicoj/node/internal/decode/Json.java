package io.github.calicoj.node.internal.decode;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** JSON reading with Python's type rules, as Felix applied them to etcd values. */
final class Json {
  private static final ObjectMapper MAPPER = JsonMapper.builder().build();

  /** Felix's {@code VALID_ID_RE}: profile ids, tags, endpoint ids. */
  static final Pattern VALID_ID = Pattern.compile("[a-zA-Z0-9_.\\-]+");

  private Json() {}

  /** Parses a value; malformed JSON is an {@link IllegalArgumentException} naming it. */
  static JsonNode parse(String json, String what) {
    try {
      JsonNode node = MAPPER.readTree(json);
      if (node == null || node.isMissingNode()) {
        throw new IllegalArgumentException(what + " is empty");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(what + " is not JSON: " + abbreviate(json), e);
    }
  }

  /** The object's fields without those whose value is {@code null} (Felix drops them). */
  static Map<String, JsonNode> fields(JsonNode object) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    object
        .properties()
        .forEach(
            e -> {
              if (!e.getValue().isNull()) {
                out.put(e.getKey(), e.getValue());
              }
            });
    return out;
  }

  /** A JSON integer (Python {@code int}; booleans and floats are not). */
  static boolean isInt(@Nullable JsonNode n) {
    return n != null && n.isIntegralNumber() && n.canConvertToInt();
  }

  /** The text of a JSON string, or null for anything else. */
  static @Nullable String text(@Nullable JsonNode n) {
    return n != null && n.isTextual() ? n.textValue() : null;
  }

  /** True if {@code s} matches {@code ^[a-zA-Z0-9_.-]+$}. */
  static boolean validId(@Nullable String s) {
    return s != null && VALID_ID.matcher(s).matches();
  }

  /** The value cut to 200 characters, for messages. */
  static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "…";
  }
}
