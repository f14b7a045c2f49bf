package io.github.calicoj.core.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.github.calicoj.core.model.Cidr;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * JSON the way pycalico's {@code json.dumps} writes it ({@code ", "} and {@code ": "} separators,
 * non-ASCII escaped), and the shared reading helpers of the codecs. Thread-safe.
 */
public final class PyJson {
  /** The node factory the codecs build trees with. */
  public static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** How much of a bad value an error message quotes. */
  private static final int QUOTE_LIMIT = 80;

  private static final ObjectMapper MAPPER =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
  private static final ObjectWriter WRITER =
      MAPPER.writer(new PythonStyle()).with(JsonWriteFeature.ESCAPE_NON_ASCII);

  private PyJson() {}

  /** {@code json.dumps} spacing: {@code ", "} between items and {@code ": "} after keys. */
  private static final class PythonStyle extends MinimalPrettyPrinter {
    private static final long serialVersionUID = 1L;

    @Override
    public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
      g.writeRaw(": ");
    }

    @Override
    public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
      g.writeRaw(", ");
    }

    @Override
    public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
      g.writeRaw(", ");
    }
  }

  /** Serializes a tree in the reference's style. */
  public static String write(JsonNode node) {
    try {
      return WRITER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot serialize " + node, e);
    }
  }

  /**
   * Parses one JSON value; anything after it (but whitespace) is refused. A malformed value is an
   * {@link IllegalArgumentException} naming {@code what} and quoting the start of the text.
   */
  public static JsonNode parse(String json, String what) {
    JsonNode node;
    try {
      node = MAPPER.readTree(json); // FAIL_ON_TRAILING_TOKENS: garbage after the value is refused
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("Malformed JSON for " + what + ": " + quote(json), e);
    }
    if (node == null || node.isMissingNode()) {
      throw new IllegalArgumentException("Empty JSON for " + what);
    }
    return node;
  }

  /** The start of {@code text}, at most {@value #QUOTE_LIMIT} characters, for error messages. */
  public static String quote(String text) {
    String oneLine = text.replace('\n', ' ').replace('\r', ' ');
    return oneLine.length() <= QUOTE_LIMIT
        ? oneLine
        : oneLine.substring(0, QUOTE_LIMIT) + "… (" + text.length() + " characters)";
  }

  /** The field as text, or {@code dflt} if absent or null. */
  public static String text(JsonNode o, String field, String dflt) {
    JsonNode v = o.get(field);
    return v == null || v.isNull() ? dflt : v.asText();
  }

  /** The field as text, or null if absent or null. */
  public static @Nullable String nullableText(JsonNode o, String field) {
    JsonNode v = o.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  /** The field as an int, or null if absent or null. */
  public static @Nullable Integer intOrNull(JsonNode o, String field) {
    JsonNode v = o.get(field);
    return v == null || v.isNull() ? null : Integer.valueOf(v.asInt());
  }

  /** The field as a CIDR, or null if absent or null. */
  public static @Nullable Cidr cidrOrNull(JsonNode o, String field) {
    String s = nullableText(o, field);
    return s == null ? null : Cidr.parse(s);
  }

  /** A JSON list of CIDR strings; null or absent is empty. */
  public static List<Cidr> cidrs(@Nullable JsonNode a) {
    List<Cidr> out = new ArrayList<>();
    if (a != null) {
      a.forEach(c -> out.add(Cidr.parse(c.asText())));
    }
    return out;
  }

  /** A JSON object of strings; anything else is empty. */
  public static Map<String, String> stringMap(@Nullable JsonNode o) {
    Map<String, String> out = new LinkedHashMap<>();
    if (o != null && o.isObject()) {
      o.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
    }
    return out;
  }
}
