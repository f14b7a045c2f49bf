package io.github.calicoj.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The spec's DNS structure, which this plugin copies from the configuration into its result.
 * Immutable.
 *
 * @param nameservers name servers, in priority order
 * @param domain the local domain, or null
 * @param search search domains, in priority order
 * @param options resolver options
 */
record Dns(
    List<String> nameservers, @Nullable String domain, List<String> search, List<String> options) {

  /** No DNS information. */
  static final Dns NONE = new Dns(List.of(), null, List.of(), List.of());

  /** Copies the lists. */
  Dns {
    nameservers = List.copyOf(nameservers);
    search = List.copyOf(search);
    options = List.copyOf(options);
  }

  /** Reads a {@code dns} object; {@link #NONE} if there is none. */
  static Dns parse(@Nullable JsonNode dns, String where) {
    if (dns == null) {
      return NONE;
    }
    String w = where + "dns.";
    return new Dns(
        Json.texts(dns, "nameservers", w),
        Json.text(dns, "domain", w),
        Json.texts(dns, "search", w),
        Json.texts(dns, "options", w));
  }

  /** The JSON object, with only the fields that have values (empty when there are none). */
  ObjectNode toJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    list(o, "nameservers", nameservers);
    if (domain != null) {
      o.put("domain", domain);
    }
    list(o, "search", search);
    list(o, "options", options);
    return o;
  }

  private static void list(ObjectNode o, String field, List<String> values) {
    if (!values.isEmpty()) {
      ArrayNode a = o.putArray(field);
      values.forEach(a::add);
    }
  }
}
