package io.github.calicoj.examples.bench;

import io.github.calicoj.testkit.EtcdCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What the module path would cost the CLI's start-up: wall time of whole {@code calicoctl pool
 * show} processes against one etcd member, with the jars on the class path ({@code java -jar}, as
 * {@code bin/calicoctl} runs it) and on the module path (calicoj's jars and those of its
 * dependencies that resolve as automatic modules), each without and with a class-data archive of
 * its own, rounds interleaved. Run with {@code scripts/bench cli --module-path}; {@code
 * -Dbench.runs=N} sets the rounds (default 15). No root needed.
 *
 * <p>jetcd's tree cannot be on the module path at all: {@code jsr305} and {@code
 * javax.annotation-api} both export {@code javax.annotation}, and the boot layer refuses the split
 * package. Those jars, and jffi's native jar (its automatic name clashes with jffi's), stay on the
 * class path in the module-path runs, which is what a user of module descriptors would face too.
 */
public final class ModulePathBench {
  private static final int RUNS = Integer.getInteger("bench.runs", 15);
  private static final String MAIN =
      "io.github.calicoj.examples/io.github.calicoj.examples.cli" + ".Calicoctl";

  /** The jars that resolve as automatic modules; every other dependency stays on the class path. */
  private static final List<String> MODULE_JARS =
      List.of(
          "calico-",
          "guava-",
          "failureaccess-",
          "jackson-",
          "jnr-",
          "slf4j-",
          "jspecify-",
          "error_prone_annotations-",
          "checker-qual-",
          "j2objc-annotations-",
          "asm-");

  private ModulePathBench() {}

  /** Runs the rounds and prints the table; {@code examples/target} must hold the packaged CLI. */
  public static void run() throws Exception {
    Path target = Path.of("examples", "target");
    Path jar = target.resolve("calicoctl.jar");
    List<Path> lib;
    try (Stream<Path> s = Files.list(target.resolve("lib"))) {
      lib = s.sorted().collect(Collectors.toList());
    }
    String modulePath =
        Stream.concat(
                Stream.of(jar.toString()),
                lib.stream().filter(ModulePathBench::onModulePath).map(Path::toString))
            .collect(Collectors.joining(":"));
    String classPath =
        lib.stream()
            .filter(p -> !onModulePath(p))
            .map(Path::toString)
            .collect(Collectors.joining(":"));
    Path tmp = Files.createTempDirectory("calicoj-modulepath");
    try (EtcdCluster etcd = EtcdCluster.startSingle()) {
      List<String> options = new ArrayList<>(Launch.options());
      List<String> onClassPath = List.of("-jar", jar.toString(), "pool", "show");
      List<String> onModulePath =
          List.of(
              "-p",
              modulePath,
              "-cp",
              classPath,
              "--add-modules",
              "ALL-MODULE-PATH",
              "-m",
              MAIN,
              "pool",
              "show");
      Path cpArchive = tmp.resolve("classpath.jsa");
      Path mpArchive = tmp.resolve("modulepath.jsa");
      List<List<String>> variants =
          List.of(
              Launch.command(options, List.of(), onClassPath),
              Launch.command(options, List.of(), onModulePath),
              Launch.command(options, Launch.archive(cpArchive), onClassPath),
              Launch.command(options, Launch.archive(mpArchive), onModulePath));
      String endpoints = etcd.endpoints();
      // Each archive is made by one ordinary run of the same command, then reused.
      Launch.exec(Launch.command(options, Launch.makeArchive(cpArchive), onClassPath), endpoints);
      Launch.exec(Launch.command(options, Launch.makeArchive(mpArchive), onModulePath), endpoints);
      long[][] t = new long[variants.size()][RUNS];
      for (int i = 0; i < RUNS; i++) {
        for (int v = 0; v < variants.size(); v++) {
          long s = System.nanoTime();
          Launch.exec(variants.get(v), endpoints);
          t[v][i] = System.nanoTime() - s;
        }
      }
      System.out.printf(
          "ModulePathBench: %d rounds of `calicoctl pool show`, %d cores, JDK %s; load average"
              + " %s%n%n",
          RUNS,
          Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.vm.version"),
          Files.readString(Path.of("/proc/loadavg")).strip());
      System.out.println("| jars on | median ms | min ms | max ms | median / class path's |");
      System.out.println("|---|---|---|---|---|");
      CliBench.row("class path (java -jar), no archive", t[0], CliBench.median(t[0]));
      CliBench.row("module path, no archive", t[1], CliBench.median(t[0]));
      CliBench.row("class path, its class-data archive", t[2], CliBench.median(t[2]));
      CliBench.row("module path, its class-data archive", t[3], CliBench.median(t[2]));
    } finally {
      try (Stream<Path> s = Files.list(tmp)) {
        for (Path p : s.collect(Collectors.toList())) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(tmp);
    }
  }

  private static boolean onModulePath(Path jar) {
    String name = jar.getFileName().toString();
    return MODULE_JARS.stream().anyMatch(name::startsWith) && !name.contains("-native");
  }

  /** Command lines for the JVMs this bench starts. */
  private static final class Launch {
    private Launch() {}

    /** The launcher's JVM options (bin/calicoctl). */
    static List<String> options() {
      return List.of(
          "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-Djnr.ffi.asm.enabled=false");
    }

    static List<String> archive(Path jsa) {
      return List.of("-XX:SharedArchiveFile=" + jsa, "-Xshare:auto");
    }

    static List<String> makeArchive(Path jsa) {
      return List.of("-XX:ArchiveClassesAtExit=" + jsa, "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    }

    static List<String> command(List<String> options, List<String> cds, List<String> launch) {
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(options);
      cmd.addAll(cds);
      cmd.addAll(launch);
      return cmd;
    }

    static void exec(List<String> cmd, String endpoints) throws IOException, InterruptedException {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.environment().put("ETCD_ENDPOINTS", endpoints);
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0 || !out.contains("IPv4 CIDR")) {
        throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
      }
    }
  }
}
