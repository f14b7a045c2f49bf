package io.github.calicoj.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Transaction;
import io.github.calicoj.datastore.TxnOp;
import io.github.calicoj.datastore.etcd.EtcdClientKind;
import io.github.calicoj.testkit.EtcdCluster;
import io.github.calicoj.testkit.IpOracle;
import io.github.calicoj.testkit.Processes;
import io.github.calicoj.testkit.Requirements;
import io.github.calicoj.testkit.TestNamespace;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code calicoctl container add} and {@code container remove} when etcd stops answering at their
 * commit: the etcd member is SIGSTOPped just before the command's transaction, with a 2 s request
 * timeout. The command must end within the request timeout plus the rollback wait (2 s, the CLI's)
 * plus 1 s, with exit code 1 and one line that names no class and holds no stack trace; after
 * SIGCONT, the next command on the workload must leave nothing (etcd read back with etcdctl, the
 * namespaces with {@code ip -j}). Both etcd clients; the CLI runs in this JVM through {@link
 * Calicoctl#run} on a borrowed datastore, which is where the stop is injected, and its output
 * includes what the JVM's own streams receive meanwhile (log lines).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CalicoctlStallIT {
  private static final String HOST = "cjt-stall-host";
  private static final String NEXT_HOP = "172.31.251.1";
  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  private static final Duration ROLLBACK_WAIT = Duration.ofSeconds(2);
  private static final Duration MARGIN = Duration.ofSeconds(1);
  private static final Pattern CLASS_NAME =
      Pattern.compile("\\b(java|javax|io|com|org)\\.[a-z]\\w*\\.|Exception\\b|\\bat \\w");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<TestNamespace> namespaces = new ArrayList<>();
  private TestNamespace hostNs;

  /** A finished command: its exit code, its stdout and stderr together (trimmed), its duration. */
  record Run(int exit, String out, Duration took) {}

  @BeforeEach
  void setUp() {
    Requirements.requireRoot();
    hostNs = TestNamespace.createHost(NEXT_HOP);
    namespaces.add(hostNs);
  }

  @AfterEach
  void tearDown() {
    namespaces.forEach(TestNamespace::close);
  }

  @Test
  void addAndRemoveStalledAtTheirCommitEndInTimeWithOneLineAndTheNextCommandCleansUp() {
    for (EtcdClientKind kind : List.of(EtcdClientKind.GATEWAY, EtcdClientKind.JETCD)) {
      try (EtcdCluster etcd = EtcdCluster.startSingle();
          Datastore ds =
              kind.builder().endpoints(etcd.endpoints()).requestTimeout(TIMEOUT).build()) {
        ok(ds, "node", "--ip=" + NEXT_HOP);
        ok(ds, "pool", "add", "10.236.0.0/24");
        TestNamespace w = TestNamespace.create();
        namespaces.add(w);
        String path = w.path().toString();

        Run add =
            stalled(etcd, ds, CalicoctlStallIT::writesAnEndpoint, "container", "add", path, "ipv4");
        assertOneLineFailure(kind + " add", add, TIMEOUT.plus(ROLLBACK_WAIT).plus(MARGIN));
        assertThat(IpOracle.link(w.name(), "eth1")).as("eth1 rolled back").isEmpty();
        // whatever etcd applied after SIGCONT, the next remove clears it
        assertThat(run(ds, "container", "remove", path).exit()).isZero();
        assertNothingLeft(etcd, w);

        ok(ds, "container", "add", path, "ipv4");
        Run remove =
            stalled(etcd, ds, CalicoctlStallIT::deletesAnEndpoint, "container", "remove", path);
        assertOneLineFailure(kind + " remove", remove, TIMEOUT.plus(MARGIN));
        assertThat(run(ds, "container", "remove", path).exit()).isZero();
        assertNothingLeft(etcd, w);
      }
    }
  }

  /**
   * Runs a command on {@code ds} with etcd SIGSTOPped just before the first transaction that {@code
   * when} picks; SIGCONTs it after the command and lets it apply what it had queued.
   */
  private Run stalled(EtcdCluster etcd, Datastore ds, Predicate<Transaction> when, String... args) {
    boolean[] stopped = {false};
    Datastore stopping =
        (Datastore)
            Proxy.newProxyInstance(
                Datastore.class.getClassLoader(),
                new Class<?>[] {Datastore.class},
                (proxy, method, a) -> {
                  if (method.getName().equals("commit")
                      && !stopped[0]
                      && when.test((Transaction) a[0])) {
                    stopped[0] = true;
                    signal(etcd, "-STOP");
                  }
                  try {
                    return method.invoke(ds, a);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    try {
      Run r = run(stopping, args);
      assertThat(stopped[0]).as("etcd was stopped at the commit").isTrue();
      return r;
    } finally {
      signal(etcd, "-CONT");
      sleep(Duration.ofMillis(500));
    }
  }

  private static void assertOneLineFailure(String what, Run r, Duration bound) {
    System.out.printf("%s: %d ms: %s%n", what, r.took().toMillis(), r.out());
    assertThat(r.exit()).as("%s: exit code of: %s", what, r.out()).isEqualTo(1);
    assertThat(r.out()).as(what).isNotEmpty().doesNotContain("\n");
    assertThat(CLASS_NAME.matcher(r.out()).find())
        .as("%s names a class: %s", what, r.out())
        .isFalse();
    assertThat(r.took()).as("%s took", what).isLessThanOrEqualTo(bound);
  }

  /** No endpoint, marker, handle, allocation, cali link or workload interface. */
  private void assertNothingLeft(EtcdCluster etcd, TestNamespace w) {
    assertThat(etcd.keys("/calico/v1/host/" + HOST + "/workload/")).as("endpoints").isEmpty();
    assertThat(etcd.keys("/calicoj/v1/workload/")).as("markers").isEmpty();
    assertThat(etcd.keys("/calico/ipam/v2/handle/")).as("handles").isEmpty();
    for (String block : etcd.keys("/calico/ipam/v2/assignment/")) {
      for (JsonNode a : parse(etcd.value(block)).path("allocations")) {
        assertThat(a.isNull()).as("allocations in %s", block).isTrue();
      }
    }
    assertThat(IpOracle.linkNames(hostNs.name(), "cali")).as("cali links").isEmpty();
    assertThat(IpOracle.link(w.name(), "eth1")).as("eth1").isEmpty();
  }

  private void ok(Datastore ds, String... args) {
    Run r = run(ds, args);
    assertThat(r.exit()).as("calicoctl %s: %s", String.join(" ", args), r.out()).isZero();
  }

  private Run run(@Nullable Datastore ds, String... args) {
    ByteArrayOutputStream both = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(both, true, StandardCharsets.UTF_8);
    PrintStream out = System.out;
    PrintStream err = System.err;
    System.setOut(ps); // log lines too, as a process's output has them
    System.setErr(ps);
    long start = System.nanoTime();
    int exit;
    try {
      exit =
          Calicoctl.run(
              args,
              ps,
              ps,
              new ByteArrayInputStream(new byte[0]),
              Map.of("HOSTNAME", HOST, "CALICO_HOST_NETNS", hostNs.path().toString()),
              ds);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    return new Run(
        exit,
        both.toString(StandardCharsets.UTF_8).trim(),
        Duration.ofNanos(System.nanoTime() - start));
  }

  private static boolean writesAnEndpoint(Transaction t) {
    return t.ops().stream()
        .anyMatch(op -> op instanceof TxnOp.Put && op.key().path().contains("/endpoint/"));
  }

  private static boolean deletesAnEndpoint(Transaction t) {
    return t.ops().stream()
        .anyMatch(op -> op instanceof TxnOp.Delete && op.key().path().contains("/endpoint/"));
  }

  private static void signal(EtcdCluster etcd, String sig) {
    Processes.run(
        List.of("kill", sig, Long.toString(etcd.members().get(0).pid())), Duration.ofSeconds(5));
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
