package io.github.calicoj.node.internal.nft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.calicoj.testkit.Processes;
import io.github.calicoj.testkit.Requirements;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs the real {@code nft} inside a throwaway network namespace of a throwaway user namespace
 * ({@code unshare -r -n}): no root needed, nothing outside the process is touched, and everything
 * vanishes with the process. The oracle for the JSON the agent writes.
 */
final class NftSandbox {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private NftSandbox() {}

  /** Skips (strict mode: fails) unless nft and unprivileged user namespaces are there. */
  static void require() {
    Requirements.require(
        Requirements.onPath("nft") != null, "the nft binary (apt-get install nftables)");
    Requirements.require(Requirements.onPath("unshare") != null, "unshare (util-linux)");
    Processes.Result r =
        Processes.runForResult(
            List.of("unshare", "-r", "-n", "nft", "list", "ruleset"), Duration.ofSeconds(20));
    Requirements.require(
        r.exitCode() == 0, "user and network namespaces for nft (" + r.output().strip() + ")");
  }

  /**
   * Runs {@code script} with {@code sh -e} in a new namespace, in {@code dir} holding {@code
   * files}; returns the exit code and output.
   */
  static Processes.Result run(Path dir, Map<String, String> files, String script) {
    try {
      for (Map.Entry<String, String> f : files.entrySet()) {
        Files.writeString(dir.resolve(f.getKey()), f.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Processes.runForResult(
        List.of("unshare", "-r", "-n", "sh", "-ec", "cd '" + dir + "'; " + script),
        Duration.ofSeconds(60));
  }

  /** Like {@link #run}, failing with the output unless the script succeeds. */
  static String ok(Path dir, Map<String, String> files, String script) {
    Processes.Result r = run(dir, files, script);
    if (r.exitCode() != 0) {
      throw new AssertionError("exit " + r.exitCode() + ": " + script + "\n" + r.output());
    }
    return r.output();
  }

  /**
   * A {@code nft -j list table} output in a form that does not depend on creation order: each set,
   * map and chain without its handle (set elements sorted), and each chain's rules in order.
   */
  static Map<String, Object> canonical(String listJson) {
    try {
      Map<String, Object> out = new TreeMap<>();
      for (JsonNode item : MAPPER.readTree(listJson).get("nftables")) {
        String kind = item.fieldNames().next();
        ObjectNode o = ((ObjectNode) item.get(kind)).deepCopy();
        o.remove("handle");
        switch (kind) {
          case "set", "map", "chain" -> {
            if (o.has("elem")) {
              List<String> elems = new ArrayList<>();
              o.get("elem").forEach(e -> elems.add(e.toString()));
              elems.sort(null);
              o.remove("elem");
              o.put("elem", elems.toString());
            }
            out.put(kind + " " + o.get("name").asText(), o.toString());
          }
          case "rule" -> {
            @SuppressWarnings("unchecked")
            List<String> rules =
                (List<String>)
                    out.computeIfAbsent(
                        "rules " + o.get("chain").asText(), k -> new ArrayList<String>());
            rules.add(o.toString());
          }
          default -> {
            // metainfo, table
          }
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
