package io.github.calicoj.cni;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Reading the plugin's JSON input field by field, with errors that name the field and its value
 * ({@link CniCode#INVALID_CONFIG}), and the one shared mapper. Stateless.
 */
final class Json {
  /** The mapper (thread-safe once configured). */
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  /**
   * Parses a JSON object.
   *
   * @throws CniException ({@link CniCode#DECODE_FAILURE}) if it is not one
   */
  static JsonNode parseObject(byte[] bytes, String what) {
    JsonNode node;
    try {
      node = MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new CniException(
          CniCode.DECODE_FAILURE, what + " is not valid JSON: " + e.getOriginalMessage(), null, e);
    } catch (java.io.IOException e) {
      throw new CniException(CniCode.IO_FAILURE, "Cannot read " + what, e.getMessage(), e);
    }
    if (node == null || node.isMissingNode()) {
      throw new CniException(CniCode.DECODE_FAILURE, what + " is not a JSON object (it is empty)");
    }
    if (!node.isObject()) {
      throw new CniException(
          CniCode.DECODE_FAILURE, what + " is not a JSON object: " + brief(node));
    }
    return node;
  }

  /** A field's text, or null if absent or null; an error if it is not a string. */
  static @Nullable String text(JsonNode o, String field, String where) {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw invalid(where + field, v, "a string");
    }
    return v.asText();
  }

  /** A field's text, or {@code dflt}. */
  static String text(JsonNode o, String field, String where, String dflt) {
    String v = text(o, field, where);
    return v == null ? dflt : v;
  }

  /** A field that must be a non-empty string. */
  static String requiredText(JsonNode o, String field, String where) {
    String v = text(o, field, where);
    if (v == null || v.isEmpty()) {
      throw new CniException(CniCode.INVALID_CONFIG, where + field + " is missing");
    }
    return v;
  }

  /** A boolean given as JSON true/false or as the strings "true"/"false" (as Calico's were). */
  static boolean flag(JsonNode o, String field, String where, boolean dflt) {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    if (v.isTextual()) {
      String t = v.asText().trim().toLowerCase(Locale.ROOT);
      if (t.equals("true") || t.equals("false")) {
        return t.equals("true");
      }
    }
    throw invalid(where + field, v, "true or false");
  }

  /** A whole number in {@code min..max}, or {@code dflt} if absent. */
  static long number(JsonNode o, String field, String where, long min, long max, long dflt) {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isIntegralNumber() || v.longValue() < min || v.longValue() > max) {
      throw invalid(where + field, v, "a whole number in " + min + ".." + max);
    }
    return v.longValue();
  }

  /** A list of strings, or an empty list if absent. */
  static List<String> texts(JsonNode o, String field, String where) {
    JsonNode v = o.get(field);
    List<String> out = new ArrayList<>();
    if (v == null || v.isNull()) {
      return out;
    }
    if (!v.isArray()) {
      throw invalid(where + field, v, "a list of strings");
    }
    for (JsonNode e : v) {
      if (!e.isTextual()) {
        throw invalid(where + field, v, "a list of strings");
      }
      out.add(e.asText());
    }
    return out;
  }

  /** An object field, or null if absent or null; an error if it is something else. */
  static @Nullable JsonNode object(JsonNode o, String field, String where) {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      throw invalid(where + field, v, "an object");
    }
    return v;
  }

  /** The error for a field whose value is not what it must be. */
  static CniException invalid(String field, JsonNode value, String expected) {
    return new CniException(
        CniCode.INVALID_CONFIG, field + " must be " + expected + ", not " + brief(value));
  }

  /** A value's JSON, cut to a readable length. */
  static String brief(JsonNode value) {
    String s = value.toString();
    return s.length() <= 80 ? s : s.substring(0, 80) + "…";
  }
}
