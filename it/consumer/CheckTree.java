import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a consumer module's verbose {@code mvn dependency:tree} (every requested version is
 * listed, also those that lost a conflict). Run with the JDK's source launcher:
 *
 * <pre>
 * java CheckTree.java core-only|full TREE_FILE CALICOJ_VERSION
 * java CheckTree.java --self-test
 * </pre>
 *
 * <p>Rules: calico-core at the version under test is a direct dependency; no calicoj test artifact
 * (calico-testkit, a test-jar, anything in test scope) and no test library (JUnit, AssertJ,
 * opentest4j, slf4j-simple) is in the tree; Guava appears in exactly one version, and so does each
 * Jackson artifact, all of one Jackson release (major.minor); {@code core-only} has no jetcd, gRPC,
 * Netty, Vert.x or protobuf, while {@code full} has jetcd-core (so the parser is seen to find it
 * when it is there). The self-test feeds good and broken trees through the same rules and fails
 * unless each broken one is refused.
 */
public final class CheckTree {
  /** groupId:artifactId:type[:classifier]:version:scope, as the tree prints a node. */
  private static final Pattern NODE =
      Pattern.compile(
          "([A-Za-z0-9_.\\-]+):([A-Za-z0-9_.\\-]+):([A-Za-z0-9_\\-]+)(?::([A-Za-z0-9_.\\-]+))?"
              + ":([A-Za-z0-9_.\\-]+):(compile|runtime|provided|test|system)\\b");

  private static final Set<String> TEST_LIBRARIES =
      Set.of("org.junit.jupiter", "org.junit.platform", "org.assertj", "org.opentest4j");

  private static final Set<String> JETCD_STACK =
      Set.of("io.etcd", "io.grpc", "io.netty", "io.vertx", "com.google.protobuf");

  private CheckTree() {}

  record Node(String group, String artifact, String type, String version, String scope) {
    String ga() {
      return group + ":" + artifact;
    }
  }

  public static void main(String[] args) throws IOException {
    if (args.length == 1 && args[0].equals("--self-test")) {
      selfTest();
      return;
    }
    if (args.length != 3) {
      System.err.println("usage: CheckTree core-only|full TREE_FILE VERSION | --self-test");
      System.exit(2);
    }
    List<String> problems = check(args[0], Files.readAllLines(Path.of(args[1])), args[2]);
    if (!problems.isEmpty()) {
      System.err.println("dependency tree of " + args[0] + " (" + args[1] + "):");
      problems.forEach(p -> System.err.println("  " + p));
      System.exit(1);
    }
    System.out.println("dependency tree of " + args[0] + ": OK");
  }

  static List<Node> parse(List<String> lines) {
    // The first line, the module itself, has no scope and does not match.
    List<Node> nodes = new ArrayList<>();
    for (String line : lines) {
      Matcher m = NODE.matcher(line);
      if (m.find()) {
        nodes.add(new Node(m.group(1), m.group(2), m.group(3), m.group(5), m.group(6)));
      }
    }
    return nodes;
  }

  static List<String> check(String kind, List<String> lines, String version) {
    List<String> problems = new ArrayList<>();
    if (!kind.equals("core-only") && !kind.equals("full")) {
      problems.add("unknown module kind " + kind + " (core-only or full)");
      return problems;
    }
    List<Node> nodes = parse(lines);
    if (nodes.isEmpty()) {
      problems.add("no dependency found: not a dependency:tree output");
      return problems;
    }
    Map<String, Set<String>> versions = new TreeMap<>();
    for (Node n : nodes) {
      versions.computeIfAbsent(n.ga(), k -> new TreeSet<>()).add(n.version());
      if (n.group().equals("io.github.calicoj")) {
        if (n.artifact().equals("calico-testkit")) {
          problems.add("test fixtures on the classpath: " + n.ga() + ":" + n.version());
        }
        if (n.type().equals("test-jar") || n.scope().equals("test")) {
          problems.add("a calicoj test artifact: " + n.ga() + ":" + n.type() + ":" + n.scope());
        }
      }
      if (TEST_LIBRARIES.contains(n.group()) || n.ga().equals("org.slf4j:slf4j-simple")) {
        problems.add("a test library leaked from calicoj's POMs: " + n.ga() + ":" + n.version());
      }
      if (kind.equals("core-only") && JETCD_STACK.contains(n.group())) {
        problems.add("calico-core alone brings the jetcd stack: " + n.ga() + ":" + n.version());
      }
    }
    boolean core =
        nodes.stream()
            .anyMatch(
                n ->
                    n.ga().equals("io.github.calicoj:calico-core")
                        && n.version().equals(version)
                        && n.scope().equals("compile"));
    if (!core) {
      problems.add("calico-core " + version + " is not a compile dependency");
    }
    Set<String> guava = versions.getOrDefault("com.google.guava:guava", Set.of());
    if (guava.size() != 1) {
      problems.add("Guava must appear in exactly one version, found " + guava);
    }
    Set<String> jacksonLines = new TreeSet<>();
    boolean databind = false;
    for (Map.Entry<String, Set<String>> e : versions.entrySet()) {
      if (!e.getKey().startsWith("com.fasterxml.jackson")) {
        continue;
      }
      databind |= e.getKey().equals("com.fasterxml.jackson.core:jackson-databind");
      if (e.getValue().size() != 1) {
        problems.add(e.getKey() + " must appear in exactly one version, found " + e.getValue());
      }
      for (String v : e.getValue()) {
        String[] p = v.split("\\.", -1);
        jacksonLines.add(p.length >= 2 ? p[0] + "." + p[1] : v);
      }
    }
    if (!databind) {
      problems.add("jackson-databind is missing (calico-core's JSON codec needs it)");
    }
    if (jacksonLines.size() > 1) {
      problems.add("Jackson artifacts from more than one release: " + jacksonLines);
    }
    if (kind.equals("full") && !versions.containsKey("io.etcd:jetcd-core")) {
      problems.add("calico-datastore-jetcd did not bring jetcd-core");
    }
    return problems;
  }

  private static void selfTest() {
    String v = "0.1.0-SNAPSHOT";
    List<String> good =
        List.of(
            "com.example.calicoj:consumer-core-only:jar:1",
            "\\- io.github.calicoj:calico-core:jar:" + v + ":compile",
            "   +- io.github.calicoj:calico-datastore:jar:" + v + ":compile",
            "   |  +- com.google.guava:guava:jar:33.4.0-jre:compile",
            "   |  \\- com.fasterxml.jackson.core:jackson-databind:jar:2.21.3:compile",
            "   |     +- com.fasterxml.jackson.core:jackson-annotations:jar:2.21:compile",
            "   |     \\- com.fasterxml.jackson.core:jackson-core:jar:2.21.3:compile",
            "   \\- (com.google.guava:guava:jar:33.4.0-jre:compile - omitted for duplicate)");
    List<String> jetcd = new ArrayList<>(good);
    jetcd.add("   \\- io.etcd:jetcd-core:jar:0.8.5:compile");
    Map<String, List<String>> bad = new TreeMap<>();
    bad.put("testkit", with(good, "   \\- io.github.calicoj:calico-testkit:jar:" + v + ":compile"));
    bad.put(
        "test-jar",
        with(good, "   \\- io.github.calicoj:calico-datastore:test-jar:tests:" + v + ":compile"));
    bad.put("junit", with(good, "   \\- org.junit.jupiter:junit-jupiter-api:jar:5.14.4:compile"));
    bad.put(
        "two guavas",
        with(
            good,
            "   \\- (com.google.guava:guava:jar:32.1.3-jre:compile - omitted for conflict with"
                + " 33.4.0-jre)"));
    bad.put(
        "jackson lines",
        with(
            good,
            "   \\- com.fasterxml.jackson.datatype:jackson-datatype-jdk8:jar:2.17.2:compile"));
    bad.put("jetcd in core-only", jetcd);
    bad.put("no core", good.subList(0, 1));
    List<String> failures = new ArrayList<>();
    if (!check("core-only", good, v).isEmpty()) {
      failures.add("a good tree was refused: " + check("core-only", good, v));
    }
    if (!check("full", jetcd, v).isEmpty()) {
      failures.add("a good full tree was refused: " + check("full", jetcd, v));
    }
    if (check("full", good, v).isEmpty()) {
      failures.add("a full tree without jetcd passed");
    }
    for (Map.Entry<String, List<String>> e : bad.entrySet()) {
      if (check("core-only", e.getValue(), v).isEmpty()) {
        failures.add("a broken tree passed: " + e.getKey());
      }
    }
    if (!failures.isEmpty()) {
      failures.forEach(f -> System.err.println("CheckTree self-test: " + f));
      System.exit(1);
    }
    System.out.println("CheckTree self-test: " + (bad.size() + 3) + " trees judged as expected");
  }

  private static List<String> with(List<String> lines, String extra) {
    List<String> out = new ArrayList<>(lines);
    out.add(extra);
    return out;
  }
}
