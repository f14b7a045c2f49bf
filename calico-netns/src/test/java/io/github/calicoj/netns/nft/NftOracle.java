package io.github.calicoj.netns.nft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.calicoj.testkit.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The independent oracle for nftables results: the {@code nft} tool (Debian package {@code
 * nftables}) run inside a test namespace with {@code ip netns exec}. Tests only.
 */
final class NftOracle {
  static final ObjectMapper JSON = new ObjectMapper();

  private NftOracle() {}

  /** {@code ip netns exec NS nft -j ARGS...}, parsed. */
  static JsonNode nftJson(String namespace, String... args) {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace, "nft", "-j"));
    cmd.addAll(List.of(args));
    return parse(Processes.run(cmd, Duration.ofSeconds(20)));
  }

  /** The namespace's whole ruleset ({@code nft -j list ruleset}). */
  static JsonNode ruleset(String namespace) {
    return nftJson(namespace, "list", "ruleset");
  }

  /** The names of the namespace's tables as {@code "family name"}, sorted. */
  static TreeSet<String> tables(String namespace) {
    TreeSet<String> out = new TreeSet<>();
    for (JsonNode o : ruleset(namespace).path("nftables")) {
      if (o.has("table")) {
        out.add(
            o.get("table").path("family").asText() + " " + o.get("table").path("name").asText());
      }
    }
    return out;
  }

  /** The elements of a set as text, sorted; empty if the set has none; absent if no such set. */
  static Optional<TreeSet<String>> setElements(String namespace, NftTable table, String set) {
    for (JsonNode o : ruleset(namespace).path("nftables")) {
      JsonNode s = o.path("set");
      if (s.path("family").asText().equals(table.family().keyword())
          && s.path("table").asText().equals(table.name())
          && s.path("name").asText().equals(set)) {
        TreeSet<String> out = new TreeSet<>();
        s.path("elem").forEach(e -> out.add(e.asText()));
        return Optional.of(out);
      }
    }
    return Optional.empty();
  }

  /** The named objects ({@code chain}, {@code set}, {@code rule}) of one table, as JSON nodes. */
  static List<JsonNode> objects(String namespace, NftTable table, String kind) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode o : ruleset(namespace).path("nftables")) {
      JsonNode x = o.path(kind);
      if (x.path("family").asText().equals(table.family().keyword())
          && x.path("table").asText().equals(table.name())) {
        out.add(x);
      }
    }
    return out;
  }

  /** Applies an nft script inside the namespace with {@code nft -f}. */
  static void apply(String namespace, String script) {
    try {
      Path f = Files.createTempFile("cjt-nft", ".nft");
      try {
        Files.writeString(f, script, StandardCharsets.UTF_8);
        Processes.run(
            List.of("ip", "netns", "exec", namespace, "nft", "-f", f.toString()),
            Duration.ofSeconds(20));
      } finally {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses JSON text; blank text is an empty object. */
  static JsonNode parse(@Nullable String text) {
    try {
      return JSON.readTree(text == null || text.isBlank() ? "{}" : text);
    } catch (IOException e) {
      throw new UncheckedIOException("Bad JSON: " + text, e);
    }
  }
}
