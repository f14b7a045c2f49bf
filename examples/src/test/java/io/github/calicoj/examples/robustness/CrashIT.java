package io.github.calicoj.examples.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.calicoj.examples.cli.Calicoctl;
import io.github.calicoj.netns.NetnsSupport;
import io.github.calicoj.testkit.EtcdExtension;
import io.github.calicoj.testkit.Requirements;
import io.github.calicoj.testkit.TestNamespace;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SIGKILL of {@code bin/calicoctl container add} and {@code container remove} processes at random
 * moments of their working window, {@value #DEFAULT_KILLS} times each (one per namespace workload;
 * {@code -Dcrash.kills=N}, {@code -Dcrash.seed=S}), with one real etcd member and the host ends in
 * a test host namespace. Right after the kills, what is left broken is counted from etcd (etcdctl)
 * and {@code ip -j} ({@link Leaks}): cali pairs without an endpoint, and no other kind. Then {@code
 * ipam check --repair --grace=0} must find exactly those pairs, repair them and leave nothing a
 * second check finds; then one more {@code container add} and {@code container remove} per workload
 * run, and the count must be zero, with no endpoint, marker, allocation, cali link or workload
 * interface left at all.
 *
 * <p>The working window is where a command changes things: from a little before its first change
 * (an add's cali link, a remove's commit) to its exit. {@code ip monitor link} in the host
 * namespace and {@code etcdctl watch} on the host's endpoints time every run, so the window follows
 * the machine's speed (the median of the runs so far), and each kill is classified by what its
 * process had done when it died. The follow-up commands run in this JVM through {@link
 * Calicoctl#run}, eight workloads at a time.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class CrashIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HOST = "cjt-crash-host";
  private static final String NEXT_HOP = "172.31.242.1";
  private static final int DEFAULT_KILLS = 50;
  private static final int KILLS = Integer.getInteger("crash.kills", DEFAULT_KILLS);
  private static final Path LAUNCHER =
      Path.of("..", "bin", "calicoctl").toAbsolutePath().normalize();

  /** How long before its first change (median) a command's window starts: its last reads. */
  private static final long LEAD_MS = 60;

  @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.single();

  private final List<TestNamespace> namespaces = new ArrayList<>();
  private TestNamespace hostNs;
  private Map<String, String> env;

  /** A finished in-process command. */
  record Run(int exit, String output) {}

  /**
   * What one phase of kills did.
   *
   * @param stages how many processes died at each stage, and how many had finished
   * @param before what was left broken right after the kills
   */
  record Phase(String command, Map<String, Integer> stages, String window, Leaks before) {
    int killed() {
      return stages.entrySet().stream()
          .filter(e -> !e.getKey().equals(FINISHED))
          .mapToInt(Map.Entry::getValue)
          .sum();
    }
  }

  private static final String FINISHED = "had finished";

  /** One of the two commands: its command line and how the monitors see its stages. */
  private enum Command {
    ADD(
        "cali link made",
        "endpoint written",
        "before its cali link",
        "cali link made, endpoint not written",
        "endpoint written"),
    REMOVE(
        "commit",
        "cali link deleted",
        "before its commit",
        "committed, cali link still there",
        "cali link deleted");

    final String firstChange;
    final String secondChange;
    final List<String> stages;

    Command(String firstChange, String secondChange, String... stages) {
      this.firstChange = firstChange;
      this.secondChange = secondChange;
      this.stages = List.of(stages);
    }

    List<String> args(TestNamespace w) {
      return this == ADD
          ? List.of("container", "add", w.path().toString(), "ipv4")
          : List.of("container", "remove", w.path().toString());
    }
  }

  @BeforeEach
  void setUp() {
    Requirements.requireRoot();
    Requirements.require(NetnsSupport.isAvailable(), "netns support");
    Requirements.require(
        Files.isRegularFile(Path.of("target", "calicoctl.jar")),
        "examples/target/calicoctl.jar (mvn package)");
    hostNs = TestNamespace.createHost(NEXT_HOP);
    namespaces.add(hostNs);
    env = new LinkedHashMap<>();
    env.put("ETCD_ENDPOINTS", ETCD.endpoints());
    env.put("HOSTNAME", HOST);
    env.put("CALICO_HOST_NETNS", hostNs.path().toString());
    ok(inProcess("node", "--ip=" + NEXT_HOP));
    ok(inProcess("pool", "add", "10.232.0.0/16"));
  }

  @AfterEach
  void tearDown() {
    namespaces.forEach(TestNamespace::close);
  }

  @Test
  void killedAddsAndRemovesLeaveNothingTheNextCommandsCannotClean() throws Exception {
    long t0 = System.nanoTime();
    long seed = Long.getLong("crash.seed", System.nanoTime());
    Random random = new Random(seed);
    List<TestNamespace> workloads = new ArrayList<>();
    for (int i = 0; i < KILLS; i++) {
      TestNamespace w = TestNamespace.create();
      namespaces.add(w);
      workloads.add(w);
    }
    Phase addPhase;
    Phase removePhase;
    Leaks afterAdd;
    Leaks afterRemove;
    int addRepair;
    int removeRepair;
    try (EventLog links = new EventLog(List.of("ip", "-n", hostNs.name(), "monitor", "link"));
        EventLog etcd =
            new EventLog(
                List.of(
                    "etcdctl",
                    "--endpoints=" + ETCD.endpoints(),
                    "watch",
                    "--prefix",
                    "/calico/v1/host/" + HOST + "/workload/"))) {
      Thread.sleep(500); // both watching
      TestNamespace spare = TestNamespace.create();
      namespaces.add(spare);
      Monitors m = new Monitors(links, etcd, spare);
      for (int i = 0; i < 3; i++) {
        m.pace();
      }
      addPhase = kill(m, Command.ADD, workloads, random);
      addRepair = checkAndRepair(workloads, addPhase.before());
      afterAdd = followUp(workloads);

      for (TestNamespace w : workloads) {
        ok(inProcess("container", "add", w.path().toString(), "ipv4"));
      }
      assertThat(leaks(workloads).total()).as("leaks before the removes are killed").isZero();
      removePhase = kill(m, Command.REMOVE, workloads, random);
      removeRepair = checkAndRepair(workloads, removePhase.before());
      afterRemove = followUp(workloads);
    }

    long wallMs = (System.nanoTime() - t0) / 1_000_000;
    StringBuilder report = new StringBuilder();
    report.append(
        String.format(
            "%nCrash test: %d kills of each command, seed %d, wall time %.1f s%n",
            KILLS, seed, wallMs / 1000.0));
    for (Phase p : List.of(addPhase, removePhase)) {
      report.append(
          String.format(
              "container %s: SIGKILL %s; %d killed: %s; left behind right after the kills: %d%n%s",
              p.command(),
              p.window(),
              p.killed(),
              p.stages(),
              p.before().total(),
              p.before().describe()));
    }
    report.append(
        String.format(
            "ipam check --repair --grace=0 right after the kills: %d and %d cali links without an"
                + " endpoint found and repaired; a second check found nothing%n",
            addRepair, removeRepair));
    report.append(
        String.format(
            "after one more add and remove per workload: %d and %d%n",
            afterAdd.total(), afterRemove.total()));
    System.out.println(report);

    // What a kill may leave is a cali pair without an endpoint, and nothing else.
    for (Phase p : List.of(addPhase, removePhase)) {
      p.before()
          .found()
          .forEach(
              (kind, shown) -> {
                if (!kind.equals(Leaks.VETH) && !kind.equals(Leaks.WORKLOAD_IFACE)) {
                  assertThat(shown)
                      .as("container %s: %s right after the kills\n%s", p.command(), kind, report)
                      .isEmpty();
                }
              });
    }
    assertThat(afterAdd.total())
        .as("leaks after the follow-up of killed adds\n%s", report)
        .isZero();
    assertThat(afterRemove.total())
        .as("leaks after the follow-up of killed removes\n%s", report)
        .isZero();
    // The kills must land where the commands work, not only before it.
    for (Phase p : List.of(addPhase, removePhase)) {
      assertThat(p.killed() - p.stages().values().iterator().next())
          .as("container %s killed after its first change\n%s", p.command(), report)
          .isGreaterThanOrEqualTo(5);
    }
  }

  /**
   * The two monitors, and each command's first and second change and exit (ms from its process's
   * start) in the whole runs so far: the pacing runs, an add and a remove of a spare workload, made
   * at the start and after every ten kills (killed runs would bias the times: only the fast ones
   * get far).
   */
  private final class Monitors {
    final EventLog links;
    final EventLog etcd;
    final TestNamespace spare;
    final Map<Command, List<Long>> firstChange = new LinkedHashMap<>();
    final Map<Command, List<Long>> secondChange = new LinkedHashMap<>();
    final Map<Command, List<Long>> exit = new LinkedHashMap<>();

    Monitors(EventLog links, EventLog etcd, TestNamespace spare) {
      this.links = links;
      this.etcd = etcd;
      this.spare = spare;
      for (Command c : Command.values()) {
        firstChange.put(c, new ArrayList<>());
        secondChange.put(c, new ArrayList<>());
        exit.put(c, new ArrayList<>());
      }
    }

    /** A whole add and remove of the spare workload, timed. */
    void pace() throws Exception {
      for (Command c : Command.values()) {
        long start = System.nanoTime();
        Process p = start(c.args(spare));
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        long end = System.nanoTime();
        assertThat(p.exitValue()).as("calicoctl %s", c.args(spare)).isZero();
        long first = Long.MAX_VALUE;
        long second = Long.MAX_VALUE;
        for (int i = 0; i < 200 && second == Long.MAX_VALUE; i++) {
          Thread.sleep(10); // the monitors' lines arrive (later on a busy machine)
          first = firstChange(c, start);
          second = secondChange(c, start);
        }
        assertThat(first).as("the monitors saw %s", c.args(spare)).isNotEqualTo(Long.MAX_VALUE);
        firstChange.get(c).add((first - start) / 1_000_000);
        secondChange.get(c).add((Math.min(second, end) - start) / 1_000_000);
        exit.get(c).add((end - start) / 1_000_000);
      }
    }

    /** When the monitors saw {@code c}'s first change after {@code start}, or MAX_VALUE. */
    long firstChange(Command c, long start) {
      return c == Command.ADD ? link(c, start) : commit(c, start);
    }

    long secondChange(Command c, long start) {
      return c == Command.ADD ? commit(c, start) : link(c, start);
    }

    private long link(Command c, long start) {
      return links
          .first(start, l -> l.contains(": cali") && (c == Command.ADD) != l.startsWith("Deleted"))
          .orElse(Long.MAX_VALUE);
    }

    private long commit(Command c, long start) {
      return etcd.first(start, (c == Command.ADD ? "PUT" : "DELETE")::equals)
          .orElse(Long.MAX_VALUE);
    }

    /**
     * Runs {@code c} on {@code w} and SIGKILLs it: {@code afterStartMs} after its start, or, if
     * that is negative, {@code afterChangeMs} after the monitors see its first change; unless it
     * has exited by then. Returns the stage it was at, read from etcd and {@code ip -j} (or {@link
     * #FINISHED}).
     */
    String kill(Command c, TestNamespace w, long afterStartMs, long afterChangeMs)
        throws Exception {
      long start = System.nanoTime();
      Process p = start(c.args(w));
      long deadline = afterStartMs >= 0 ? start + afterStartMs * 1_000_000 : Long.MAX_VALUE;
      while (p.isAlive() && System.nanoTime() - deadline < 0) {
        if (deadline == Long.MAX_VALUE) {
          long seen = firstChange(c, start);
          if (seen != Long.MAX_VALUE) {
            deadline = seen + afterChangeMs * 1_000_000;
          }
        }
        Thread.sleep(1);
      }
      boolean killed = p.isAlive();
      if (killed) {
        p.destroyForcibly(); // SIGKILL
      }
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      if (!killed) {
        assertThat(p.exitValue()).as("calicoctl %s", c.args(w)).isZero();
        return FINISHED;
      }
      Thread.sleep(50); // a write that was on the wire lands
      boolean endpoint =
          !ETCD.cluster()
              .keys(
                  "/calico/v1/host/"
                      + HOST
                      + "/workload/namespace/"
                      + w.path().toString().replace('/', '-')
                      + "/")
              .isEmpty();
      boolean iface = SystemState.net(w.name()).linkNames().size() > 1;
      int stage =
          c == Command.ADD ? (endpoint ? 2 : iface ? 1 : 0) : (endpoint ? 0 : iface ? 1 : 2);
      return c.stages.get(stage);
    }
  }

  /**
   * Kills {@code c} once per workload at a random point of its working window: a third at a random
   * time after its start, between a little before its first change and its exit (the medians of the
   * pacing runs); a third at a random time after the monitors see its own first change, up to the
   * pacing runs' time from it to their exit; a third the same, up to 10 ms past their time from the
   * first change to the second (where a kill can leave something).
   */
  private Phase kill(Monitors m, Command c, List<TestNamespace> workloads, Random random)
      throws Exception {
    Map<String, Integer> stages = new LinkedHashMap<>();
    c.stages.forEach(s -> stages.put(s, 0));
    stages.put(FINISHED, 0);
    for (int i = 0; i < workloads.size(); i++) {
      if (i > 0 && i % 10 == 0) {
        m.pace();
      }
      long first = median(m.firstChange.get(c));
      long second = median(m.secondChange.get(c));
      long end = median(m.exit.get(c));
      long from = Math.max(0, first - LEAD_MS);
      String stage =
          switch (random.nextInt(3)) {
            case 0 ->
                m.kill(c, workloads.get(i), from + random.nextLong(Math.max(1, end - from)), -1);
            case 1 -> m.kill(c, workloads.get(i), -1, random.nextLong(Math.max(1, end - first)));
            default ->
                m.kill(c, workloads.get(i), -1, random.nextLong(Math.max(1, second - first + 10)));
          };
      stages.merge(stage, 1, Integer::sum);
    }
    Thread.sleep(300); // let etcd apply a write that was on the wire when its writer died
    String window =
        String.format(
            "in %d..%d ms after start, or up to %d or %d ms after its first change (%s at %d ms, %s"
                + " at %d ms, exit at %d ms: medians of %d whole runs)",
            Math.max(0, median(m.firstChange.get(c)) - LEAD_MS),
            median(m.exit.get(c)),
            median(m.secondChange.get(c)) - median(m.firstChange.get(c)) + 10,
            median(m.exit.get(c)) - median(m.firstChange.get(c)),
            c.firstChange,
            median(m.firstChange.get(c)),
            c.secondChange,
            median(m.secondChange.get(c)),
            median(m.exit.get(c)),
            m.exit.get(c).size());
    return new Phase(c.name().toLowerCase(Locale.ROOT), stages, window, leaks(workloads));
  }

  /**
   * {@code calicoctl ipam check --repair --grace=0} on what the killed commands left: it must find
   * exactly the cali links without an endpoint that {@code left} shows (nothing else: the kills
   * leave nothing else), repair each, and leave no leak; a second check must find nothing.
   *
   * @return how many it repaired
   */
  private int checkAndRepair(List<TestNamespace> workloads, Leaks left) {
    Run first = inProcess("ipam", "check", "--repair", "--grace=0", "--output=json");
    assertThat(first.exit()).as("ipam check --repair: %s", first.output()).isZero();
    List<String> links = new ArrayList<>();
    for (JsonNode f : parse(first.output()).path("findings")) {
      assertThat(f.path("kind").asText())
          .as("%s\nleft right after the kills:\n%s", f, left.describe())
          .isEqualTo("link-without-endpoint");
      assertThat(f.path("repair").path("outcome").asText()).as(f.toString()).isEqualTo("repaired");
      links.add(f.path("subject").asText());
    }
    assertThat(links)
        .as("what ipam check found")
        .containsExactlyInAnyOrderElementsOf(left.found().get(Leaks.VETH));
    Leaks after = leaks(workloads);
    assertThat(after.total()).as("leaks after ipam check --repair\n%s", after.describe()).isZero();
    Run second = inProcess("ipam", "check", "--output=json");
    assertThat(second.exit()).as("second ipam check: %s", second.output()).isZero();
    assertThat(parse(second.output()).path("findings")).as(second.output()).isEmpty();
    return links.size();
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException("Not JSON: " + json, e);
    }
  }

  /**
   * One more {@code container add} and {@code container remove} per workload (eight workloads at a
   * time): the add either adds the workload or finds it complete ("already configured"); the remove
   * removes it. Returns the leaks left after them, having checked that nothing at all is.
   */
  private Leaks followUp(List<TestNamespace> workloads) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    AtomicInteger added = new AtomicInteger();
    AtomicInteger complete = new AtomicInteger();
    List<Future<?>> done = new ArrayList<>();
    for (TestNamespace w : workloads) {
      String path = w.path().toString();
      done.add(
          pool.submit(
              () -> {
                Run add = inProcess("container", "add", path, "ipv4");
                if (add.exit() == 0) {
                  added.incrementAndGet();
                } else {
                  assertThat(add.output())
                      .as("follow-up add of %s", path)
                      .isEqualTo(path + " has already been configured with Calico Networking.");
                  complete.incrementAndGet();
                }
                Run remove = inProcess("container", "remove", path);
                assertThat(remove.output())
                    .as("follow-up remove of %s", path)
                    .isEqualTo("Removed Calico from " + path);
                return null;
              }));
    }
    pool.shutdown();
    for (Future<?> f : done) {
      f.get(3, TimeUnit.MINUTES);
    }
    assertThat(added.get() + complete.get()).isEqualTo(workloads.size());
    SystemState s = state(workloads);
    assertThat(s.under("/calico/v1/host/" + HOST + "/workload/")).as("endpoints").isEmpty();
    assertThat(s.under("/calicoj/")).as("markers").isEmpty();
    assertThat(s.under("/calico/ipam/v2/handle/")).as("handles").isEmpty();
    for (String block : s.under("/calico/ipam/v2/assignment/").values()) {
      assertThat(block)
          .as("a block's allocations")
          .doesNotContainPattern("\"allocations\": \\[[^]]*\\d");
    }
    assertThat(s.namespaces().get(hostNs.name()).linkNames()).noneMatch(l -> l.startsWith("cali"));
    for (TestNamespace w : workloads) {
      assertThat(s.namespaces().get(w.name()).linkNames()).as(w.name()).containsExactly("lo");
    }
    return leaks(s, workloads);
  }

  private SystemState state(List<TestNamespace> workloads) {
    List<String> names = new ArrayList<>(List.of(hostNs.name()));
    workloads.forEach(w -> names.add(w.name()));
    return SystemState.capture(List.of(ETCD.cluster()), names);
  }

  private Leaks leaks(List<TestNamespace> workloads) {
    return leaks(state(workloads), workloads);
  }

  private Leaks leaks(SystemState s, List<TestNamespace> workloads) {
    Map<String, String> ids = new LinkedHashMap<>();
    workloads.forEach(w -> ids.put(w.name(), w.path().toString().replace('/', '-')));
    return Leaks.of(s, HOST, hostNs.name(), ids);
  }

  /** Runs calicoctl in this JVM with the test's environment. Thread-safe. */
  private Run inProcess(String... args) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
    int exit = Calicoctl.run(args, ps, ps, new ByteArrayInputStream(new byte[0]), env);
    return new Run(exit, buf.toString(StandardCharsets.UTF_8).strip());
  }

  private static void ok(Run r) {
    assertThat(r.exit()).as(r.output()).isZero();
  }

  private Process start(List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString()));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().putAll(env);
    pb.environment().put("CALICOJ_NO_CDS", "1"); // no archive written at exit by some runs only
    return pb.start();
  }

  private static long median(List<Long> xs) {
    List<Long> s = new ArrayList<>(xs);
    s.sort(null);
    return s.isEmpty() ? 0 : s.get(s.size() / 2);
  }
}
