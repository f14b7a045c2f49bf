import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Checks what calicoj deployed to a repository as Maven Central would, and against calico-bom. Run
 * with the JDK's source launcher:
 *
 * <pre>
 * java CheckRepository.java REPO VERSION [--signed]
 * </pre>
 *
 * <p>Rules: the artifacts deployed under {@code io/github/calicoj} are exactly calico-parent,
 * calico-bom and the artifacts calico-bom manages (so the BOM lists every deployable artifact and
 * nothing undeployed); each POM has a name and a description, and the parent and the BOM carry url,
 * licenses, developers and scm (children inherit them); each jar artifact comes with a sources jar
 * holding .java files and a javadoc jar holding index.html; with {@code --signed}, every file has
 * an ascii-armoured signature that {@code gpg --verify} accepts (GNUPGHOME names the keyring).
 */
public final class CheckRepository {
  private static final String GROUP = "io.github.calicoj";

  private final Path repo;
  private final String version;
  private final boolean signed;
  private final List<String> problems = new ArrayList<>();
  private int files;

  private CheckRepository(Path repo, String version, boolean signed) {
    this.repo = repo;
    this.version = version;
    this.signed = signed;
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 2 || args.length > 3 || (args.length == 3 && !args[2].equals("--signed"))) {
      System.err.println("usage: CheckRepository REPO VERSION [--signed]");
      System.exit(2);
    }
    CheckRepository c = new CheckRepository(Path.of(args[0]), args[1], args.length == 3);
    c.run();
    if (!c.problems.isEmpty()) {
      System.err.println("deployed artifacts in " + args[0] + ":");
      c.problems.forEach(p -> System.err.println("  " + p));
      System.exit(1);
    }
    System.out.println(
        "deployed artifacts: OK ("
            + c.files
            + " files"
            + (c.signed ? ", every one signed" : "")
            + ")");
  }

  private void run() throws Exception {
    Path groupDir = repo.resolve(GROUP.replace('.', '/'));
    Set<String> deployed = new TreeSet<>();
    try (Stream<Path> dirs = Files.list(groupDir)) {
      dirs.filter(d -> Files.isDirectory(d.resolve(version)))
          .forEach(d -> deployed.add(d.getFileName().toString()));
    }
    Optional<Path> bomPom = file("calico-bom", "", "pom");
    if (bomPom.isEmpty()) {
      problems.add("calico-bom " + version + " is not deployed");
      return;
    }
    Set<String> expected = new TreeSet<>(Set.of("calico-parent", "calico-bom"));
    Document bom = parse(bomPom.get());
    NodeList managed = bom.getElementsByTagName("dependency");
    for (int i = 0; i < managed.getLength(); i++) {
      Element d = (Element) managed.item(i);
      if (GROUP.equals(text(d, "groupId"))) {
        expected.add(text(d, "artifactId"));
      }
    }
    if (!deployed.equals(expected)) {
      Set<String> extra = new TreeSet<>(deployed);
      extra.removeAll(expected);
      Set<String> missing = new TreeSet<>(expected);
      missing.removeAll(deployed);
      problems.add(
          "deployed artifacts differ from calico-bom's: deployed but not in the BOM "
              + extra
              + ", in the BOM but not deployed "
              + missing);
    }
    for (String artifact : deployed) {
      checkArtifact(artifact);
    }
  }

  private void checkArtifact(String artifact) throws Exception {
    Optional<Path> pomFile = file(artifact, "", "pom");
    if (pomFile.isEmpty()) {
      problems.add(artifact + ": no POM");
      return;
    }
    Element pom = parse(pomFile.get()).getDocumentElement();
    for (String required : List.of("name", "description")) {
      if (text(pom, required).isBlank()) {
        problems.add(artifact + ": the POM has no <" + required + ">");
      }
    }
    boolean standalone = artifact.equals("calico-parent") || artifact.equals("calico-bom");
    if (standalone) {
      for (String required : List.of("url", "licenses", "developers", "scm")) {
        if (child(pom, required).isEmpty()) {
          problems.add(artifact + ": the POM has no <" + required + "> (Maven Central needs it)");
        }
      }
    } else if (child(pom, "parent").map(p -> text(p, "artifactId")).orElse("").isEmpty()) {
      problems.add(artifact + ": no parent to inherit url, licenses, developers and scm from");
    }
    checkSigned(pomFile.get());
    String packaging = text(pom, "packaging");
    if (!packaging.isEmpty() && !packaging.equals("jar")) {
      return;
    }
    Optional<Path> jar = file(artifact, "", "jar");
    Optional<Path> sources = file(artifact, "sources", "jar");
    Optional<Path> javadoc = file(artifact, "javadoc", "jar");
    if (jar.isEmpty() || sources.isEmpty() || javadoc.isEmpty()) {
      problems.add(
          artifact
              + ": jar "
              + jar.isPresent()
              + ", sources jar "
              + sources.isPresent()
              + ", javadoc jar "
              + javadoc.isPresent()
              + " (all three are needed)");
      return;
    }
    if (!contains(sources.get(), ".java")) {
      problems.add(artifact + ": the sources jar holds no .java file");
    }
    if (!contains(javadoc.get(), "index.html")) {
      problems.add(artifact + ": the javadoc jar holds no index.html");
    }
    for (Path p : List.of(jar.get(), sources.get(), javadoc.get())) {
      checkSigned(p);
    }
    Optional<Path> tests = file(artifact, "tests", "jar");
    if (tests.isPresent()) {
      checkSigned(tests.get());
    }
  }

  /**
   * The newest deployed file of the artifact with this classifier and extension: for a SNAPSHOT,
   * the one maven-metadata.xml names; else ARTIFACT-VERSION[-CLASSIFIER].EXT.
   */
  private Optional<Path> file(String artifact, String classifier, String extension)
      throws Exception {
    Path dir = repo.resolve(GROUP.replace('.', '/')).resolve(artifact).resolve(version);
    String value = version;
    Path metadata = dir.resolve("maven-metadata.xml");
    if (version.endsWith("-SNAPSHOT") && Files.exists(metadata)) {
      NodeList versions = parse(metadata).getElementsByTagName("snapshotVersion");
      for (int i = 0; i < versions.getLength(); i++) {
        Element v = (Element) versions.item(i);
        if (text(v, "classifier").equals(classifier) && text(v, "extension").equals(extension)) {
          value = text(v, "value");
        }
      }
    }
    String name = artifact + "-" + value + (classifier.isEmpty() ? "" : "-" + classifier);
    Path p = dir.resolve(name + "." + extension);
    if (Files.exists(p)) {
      files++;
      return Optional.of(p);
    }
    return Optional.empty();
  }

  private void checkSigned(Path file) throws IOException, InterruptedException {
    if (!signed) {
      return;
    }
    Path asc = file.resolveSibling(file.getFileName() + ".asc");
    if (!Files.exists(asc)) {
      problems.add(file.getFileName() + ": no signature");
      return;
    }
    Process gpg =
        new ProcessBuilder("gpg", "--batch", "--verify", asc.toString(), file.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(gpg.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!gpg.waitFor(30, TimeUnit.SECONDS) || gpg.exitValue() != 0) {
      problems.add(file.getFileName() + ": gpg --verify failed: " + out.strip());
    }
  }

  private static boolean contains(Path jar, String suffix) throws IOException {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      return zip.stream().map(ZipEntry::getName).anyMatch(n -> n.endsWith(suffix));
    }
  }

  private static Document parse(Path xml) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    try (InputStream in = Files.newInputStream(xml)) {
      return f.newDocumentBuilder().parse(in);
    }
  }

  /** The direct child element of that name. */
  private static Optional<Element> child(Element parent, String name) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  /** The trimmed text of the direct child element of that name, or "". */
  private static String text(Element parent, String name) {
    return child(parent, name).map(e -> e.getTextContent().strip()).orElse("");
  }
}
