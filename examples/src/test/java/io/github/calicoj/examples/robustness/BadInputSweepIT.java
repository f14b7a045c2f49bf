package io.github.calicoj.examples.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.examples.cli.Calicoctl;
import io.github.calicoj.netns.NetnsSupport;
import io.github.calicoj.testkit.Docker;
import io.github.calicoj.testkit.EtcdExtension;
import io.github.calicoj.testkit.EtcdTls;
import io.github.calicoj.testkit.Processes;
import io.github.calicoj.testkit.Requirements;
import io.github.calicoj.testkit.TestNamespace;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every bad input of {@link BadInputs} through calicoctl, against a real etcd member (and a TLS
 * one), in test namespaces: each is classified CLEAN (the expected exit code; one line, or the
 * reference's documented few; the bad value or the reference's wording; no Java class name and no
 * stack trace; done within the etcd timeout plus a margin; and etcd and {@code ip -j} of the test
 * namespaces exactly as before) or BAD. The inputs run in this JVM through {@link Calicoctl#run}
 * with an explicit environment and stdin, as {@code main} runs them (logging included: the JVM's
 * {@code System.out} and {@code System.err} are captured too); the first of each category, and a
 * few more, also run as {@code bin/calicoctl} processes, which must answer the same. Fails on any
 * BAD input; prints the counts per category.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class BadInputSweepIT {
  private static final String HOST = "cjt-sweep-host";
  private static final String NEXT_HOP = "172.31.241.1";
  private static final Path LAUNCHER =
      Path.of("..", "bin", "calicoctl").toAbsolutePath().normalize();

  @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.single();
  @RegisterExtension static final EtcdExtension TLS = EtcdExtension.mutualTls();

  private static final List<TestNamespace> NAMESPACES = new ArrayList<>();
  private static final List<String> CONTAINERS = new ArrayList<>();
  private static final List<AutoCloseable> CLOSE = new ArrayList<>();
  private static TestNamespace hostNs;
  private static TestNamespace w1;
  private static TestNamespace w2;
  private static BadInputs.Fixture fixture;
  private static Map<String, String> baseEnv;

  /** One answer: the exit code, stdout and stderr together, and the time taken. */
  record Answer(int exit, String output, Duration took) {}

  @BeforeAll
  static void setUp() throws Exception {
    Requirements.requireRoot();
    Requirements.require(NetnsSupport.isAvailable(), "netns support");
    Requirements.require(
        Files.isRegularFile(Path.of("target", "calicoctl.jar")),
        "examples/target/calicoctl.jar (mvn package)");
    Docker.requireDaemon();
    hostNs = TestNamespace.createHost(NEXT_HOP);
    NAMESPACES.add(hostNs);
    w1 = TestNamespace.create();
    w2 = TestNamespace.create();
    NAMESPACES.add(w1);
    NAMESPACES.add(w2);

    Path scratch = Files.createTempDirectory("cjt-sweep-");
    CLOSE.add(
        () -> Processes.run(List.of("rm", "-rf", scratch.toString()), Duration.ofSeconds(10)));
    Path bound = Files.createFile(scratch.resolve("hostns-bound"));
    Processes.run(
        List.of("mount", "--bind", hostNs.path().toString(), bound.toString()),
        Duration.ofSeconds(10));
    CLOSE.add(0, () -> Processes.run(List.of("umount", bound.toString()), Duration.ofSeconds(10)));
    Process sleeper =
        new ProcessBuilder("ip", "netns", "exec", hostNs.name(), "sleep", "900")
            .redirectErrorStream(true)
            .start();
    CLOSE.add(0, sleeper::destroyForcibly);
    Path empty = Files.createFile(scratch.resolve("empty"));
    Path dir = Files.createDirectory(scratch.resolve("dir"));

    String stopped = Docker.newName();
    String hostMode = Docker.newName();
    String sharing = Docker.newName();
    CONTAINERS.addAll(List.of(stopped, hostMode, sharing));
    Docker.docker("create", "--net=none", "--name", stopped, Docker.IMAGE, "sleep", "900");
    Docker.runSleeping(hostMode, "host");
    Docker.runSleeping(sharing, "container:" + hostMode);

    EtcdTls other = EtcdTls.create();
    CLOSE.add(
        () -> Processes.run(List.of("rm", "-rf", other.dir().toString()), Duration.ofSeconds(10)));
    LoopbackServer blackHole = LoopbackServer.blackHole();
    LoopbackServer endless = LoopbackServer.endlessBody();
    CLOSE.add(blackHole);
    CLOSE.add(endless);
    String plain = ETCD.endpoints();
    fixture =
        new BadInputs.Fixture(
            w1.path().toString(),
            w2.path().toString(),
            hostNs.path().toString(),
            bound.toString(),
            "/proc/" + sleeper.pid() + "/ns/net",
            stopped,
            hostMode,
            sharing,
            TLS.endpoints(),
            TLS.tls().caCert().toString(),
            TLS.tls().clientCert().toString(),
            TLS.tls().clientKey().toString(),
            other.caCert().toString(),
            other.clientCert().toString(),
            other.clientKey().toString(),
            plain.substring(plain.indexOf("://") + 3),
            closedPort(),
            blackHole.url(),
            endless.url(),
            empty.toString(),
            dir.toString());

    baseEnv = new LinkedHashMap<>();
    baseEnv.put("ETCD_ENDPOINTS", plain);
    baseEnv.put("HOSTNAME", HOST);
    baseEnv.put("CALICO_HOST_NETNS", hostNs.path().toString());
    baseEnv.put("CALICO_ETCD_TIMEOUT", "2");
    ok("node", "--ip=" + NEXT_HOP);
    ok("pool", "add", "10.231.0.0/16");
    ok("pool", "add", "10.233.0.0/16"); // for inputs with an address in an unclaimed block
    ok("profile", "add", "P");
    ok("container", "add", w1.path().toString(), "ipv4");
    ok("container", w1.path().toString(), "profile", "append", "P");
  }

  @AfterAll
  static void tearDown() throws Exception {
    CONTAINERS.forEach(Docker::remove);
    for (AutoCloseable c : CLOSE) {
      c.close();
    }
    NAMESPACES.forEach(TestNamespace::close);
  }

  private static void ok(String... args) {
    Answer a = inProcess(args, Map.of(), new byte[0]);
    assertThat(a.exit()).as("calicoctl %s: %s", String.join(" ", args), a.output()).isZero();
  }

  /** The state every input is checked against: both etcd members and the three namespaces. */
  private static SystemState state() {
    return SystemState.capture(
        List.of(ETCD.cluster(), TLS.cluster()), List.of(hostNs.name(), w1.name(), w2.name()));
  }

  /** A state read twice in a row the same, with no address still in duplicate detection. */
  private static SystemState settled() throws InterruptedException {
    SystemState last = state();
    for (int i = 0; i < 40; i++) {
      Thread.sleep(250);
      SystemState now = state();
      if (now.diff(last).isEmpty() && !now.settling()) {
        return now;
      }
      last = now;
    }
    throw new AssertionError("The test namespaces did not settle: " + last);
  }

  @Test
  void everyBadInputIsRefusedCleanlyAndChangesNothing() throws Exception {
    List<BadInput> inputs = BadInputs.all(fixture);
    for (BadInput in : inputs) {
      assertThat(in.mustContain).as("what a clean answer to %s says", in).isNotEmpty();
    }
    Map<String, int[]> counts = new LinkedHashMap<>(); // category -> tried, clean, known
    Map<String, Long> slowest = new HashMap<>();
    List<String> bad = new ArrayList<>();
    List<String> known = new ArrayList<>();
    List<String> fixed = new ArrayList<>();
    Map<BadInput, Answer> answers = new LinkedHashMap<>();
    SystemState before = settled();
    long start = System.nanoTime();
    for (BadInput in : inputs) {
      Answer a = inProcess(in.args.toArray(new String[0]), in.env, in.stdin);
      answers.put(in, a);
      SystemState after = state();
      List<String> problems = new ArrayList<>(in.problems(a.exit(), a.output(), a.took()));
      String changed = before.diff(after);
      if (!changed.isEmpty()) {
        problems.add("changed: " + changed);
      }
      int[] c = counts.computeIfAbsent(in.category, k -> new int[3]);
      c[0]++;
      slowest.merge(in.category, a.took().toMillis(), Math::max);
      String what =
          in + "\n    -> " + String.join("; ", problems) + "\n    answer: " + a.output().strip();
      if (problems.isEmpty()) {
        c[1]++;
        if (in.knownIssue != null) {
          fixed.add(in + " (marked: " + in.knownIssue + ")");
        }
      } else if (in.knownIssue != null) {
        c[2]++;
        known.add(what + "\n    known: " + in.knownIssue);
      } else {
        bad.add(what);
      }
      before = after;
    }
    long sweepMs = (System.nanoTime() - start) / 1_000_000;

    // The same inputs as real processes: the first of each category and the ones marked for it.
    List<String> disagree = new ArrayList<>();
    int processes = 0;
    String lastCategory = "";
    for (BadInput in : inputs) {
      boolean first = !in.category.equals(lastCategory);
      lastCategory = in.category;
      if (!first && !in.asProcess) {
        continue;
      }
      processes++;
      Answer p = asProcess(in);
      Answer j = answers.get(in);
      SystemState after = state();
      String changed = before.diff(after);
      before = after;
      if (p.exit() != j.exit() || !p.output().strip().equals(j.output().strip())) {
        disagree.add(
            in
                + "\n    in-process: exit "
                + j.exit()
                + ": "
                + j.output().strip()
                + "\n    process:    exit "
                + p.exit()
                + ": "
                + p.output().strip());
      }
      if (!changed.isEmpty()) {
        disagree.add(in + "\n    as a process it changed: " + changed);
      }
    }

    StringBuilder report = new StringBuilder("\nBad-input sweep: ");
    report.append(inputs.size()).append(" inputs in ").append(sweepMs).append(" ms (in-process)\n");
    String row = "| %-52s | %5s | %5s | %3s | %5s | %6s |%n";
    report.append(String.format(row, "category", "tried", "clean", "bad", "known", "max ms"));
    int tried = 0;
    int clean = 0;
    int knownBad = 0;
    for (Map.Entry<String, int[]> e : counts.entrySet()) {
      int[] c = e.getValue();
      tried += c[0];
      clean += c[1];
      knownBad += c[2];
      report.append(
          String.format(
              row, e.getKey(), c[0], c[1], c[0] - c[1] - c[2], c[2], slowest.get(e.getKey())));
    }
    report.append(
        String.format(row, "total", tried, clean, tried - clean - knownBad, knownBad, ""));
    known.forEach(k -> report.append("known: ").append(k).append('\n'));
    report.append(processes).append(" of them also as bin/calicoctl processes; ");
    report.append(disagree.size()).append(" disagreements\n");
    disagree.forEach(d -> report.append(d).append('\n'));
    System.out.println(report);
    assertThat(bad).as("BAD inputs:\n%s", String.join("\n", bad)).isEmpty();
    assertThat(fixed).as("answered cleanly now: remove their knownIssue marks").isEmpty();
    assertThat(disagree)
        .as("in-process and process answers:\n%s", String.join("\n", disagree))
        .isEmpty();
    assertThat(tried).isGreaterThanOrEqualTo(300);
  }

  /**
   * The controls that make the sweep's "nothing changed" mean something: with good settings the
   * write command that the settings inputs use does write, a container command on {@code w2} does
   * add it, and era B accepts the ICMP type 255 that era A refuses.
   */
  @Test
  void theSameCommandsWithGoodInputsDoChangeTheState() throws Exception {
    SystemState before = settled();
    try {
      controls(before);
    } finally {
      inProcess(new String[] {"profile", "remove", "CTRL"}, Map.of(), new byte[0]);
      inProcess(new String[] {"container", "remove", w2.path().toString()}, Map.of(), new byte[0]);
    }
  }

  private static void controls(SystemState before) throws InterruptedException {
    Answer created = inProcess(new String[] {"profile", "add", "CTRL"}, Map.of(), new byte[0]);
    assertThat(created.output().strip()).isEqualTo("Created profile CTRL");
    assertThat(ETCD.cluster().value("/calico/v1/policy/profile/CTRL/tags")).isEqualTo("[\"CTRL\"]");
    String icmp255 =
        "{\"inbound_rules\": [{\"action\": \"allow\", \"protocol\": \"icmp\", \"icmp_type\": 255}],"
            + " \"outbound_rules\": []}";
    Answer eraB =
        inProcess(
            new String[] {"profile", "CTRL", "rule", "update"},
            Map.of("CALICO_DATA_ERA", "B"),
            icmp255.getBytes(StandardCharsets.UTF_8));
    assertThat(eraB.exit()).as(eraB.output()).isZero();
    assertThat(ETCD.cluster().value("/calico/v1/policy/profile/CTRL/rules"))
        .contains("\"icmp_type\": 255");
    Answer eraA =
        inProcess(
            new String[] {"profile", "CTRL", "rule", "update"},
            Map.of(),
            icmp255.getBytes(StandardCharsets.UTF_8));
    assertThat(eraA.exit()).isEqualTo(1);
    assertThat(eraA.output()).contains("255");
    assertThat(inProcess(new String[] {"profile", "remove", "CTRL"}, Map.of(), new byte[0]).exit())
        .isZero();

    Answer added =
        inProcess(
            new String[] {"container", "add", w2.path().toString(), "ipv4"}, Map.of(), new byte[0]);
    assertThat(added.output()).startsWith("IP 10.231.");
    assertThat(before.diff(state())).contains("+key /calico/v1/host/" + HOST + "/workload/");
    Answer removed =
        inProcess(
            new String[] {"container", "remove", w2.path().toString()}, Map.of(), new byte[0]);
    assertThat(removed.exit()).isZero();
    // Everything but the IPAM block's (and handle's) revision is back as it was.
    SystemState after = settled();
    assertThat(after.under("/calico/v1/")).isEqualTo(before.under("/calico/v1/"));
    assertThat(after.under("/calicoj/")).isEqualTo(before.under("/calicoj/"));
    assertThat(after.namespaces()).isEqualTo(before.namespaces());
  }

  /**
   * Runs calicoctl in this JVM with exactly the sweep's environment plus {@code env} (an empty
   * value stays empty: the CLI must treat it as unset), capturing stdout, stderr and whatever the
   * JVM's own streams receive meanwhile (log lines).
   */
  private static Answer inProcess(String[] args, Map<String, String> env, byte[] stdin) {
    Map<String, String> all = new HashMap<>(baseEnv);
    all.putAll(env);
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
    PrintStream out = System.out;
    PrintStream err = System.err;
    System.setOut(ps);
    System.setErr(ps);
    long t0 = System.nanoTime();
    int exit;
    try {
      exit = Calicoctl.run(args, ps, ps, new ByteArrayInputStream(stdin), all);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    return new Answer(exit, buf.toString(StandardCharsets.UTF_8), took);
  }

  /** The same input through {@code bin/calicoctl}, with only PATH besides its environment. */
  private static Answer asProcess(BadInput in) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString()));
    cmd.addAll(in.args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.clear();
    env.put(
        "PATH",
        Path.of(System.getProperty("java.home"), "bin")
            + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    env.put("CALICOJ_NO_CDS", "1");
    env.put("LANG", "C.UTF-8"); // the in-process answers are read as UTF-8 too
    env.putAll(baseEnv);
    env.putAll(in.env);
    long t0 = System.nanoTime();
    Process p = pb.start();
    Thread feeder =
        new Thread(
            () -> {
              try (var stdin = p.getOutputStream()) {
                stdin.write(in.stdin);
              } catch (IOException e) {
                // the process may exit before reading all of it
              }
            });
    feeder.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(in + " did not finish");
    }
    feeder.join(10_000);
    return new Answer(p.exitValue(), out, Duration.ofNanos(System.nanoTime() - t0));
  }

  private static int closedPort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
