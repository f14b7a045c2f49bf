package io.github.calicoj.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.ipam.IpOwner;
import io.github.calicoj.core.ipam.Ipam;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.memory.InMemoryDatastore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whole command lines through {@link Calicoctl#run}, without root or etcd: help, usage errors,
 * refused settings, exit codes, the echo cap, messages without Java class names, and the commands
 * that need only a datastore, run on an {@link InMemoryDatastore}.
 */
class CalicoctlTest {
  private final Datastore store = InMemoryDatastore.create();

  @AfterEach
  void closeStore() {
    store.close();
  }

  /** A finished command: exit code, stdout, stderr. */
  record Run(int exit, String out, String err) {
    String all() {
      return out + err;
    }
  }

  private Run run(String line) {
    return run(Map.of("HOSTNAME", "cjt-unit"), "", line.split(" "));
  }

  private Run run(Map<String, String> env, String stdin, String... args) {
    return exec(env, stdin, store, args);
  }

  /** Runs without the in-memory store: the settings and etcd of {@code env}. */
  private static Run runOnEtcd(Map<String, String> env, String... args) {
    return exec(env, "", null, args);
  }

  private static Run exec(
      Map<String, String> env, String stdin, @Nullable Datastore store, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        Calicoctl.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
            env,
            store);
    return new Run(
        exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  // ------------------------------------------------------------------ help

  @Test
  void helpListsEveryCommandOptionVariableAndExitCode() {
    Run r = run("--help");
    assertThat(r.exit()).isZero();
    assertThat(r.err()).isEmpty();
    for (Command c : Calicoctl.COMMANDS) {
      assertThat(r.out()).contains("  " + c.name() + " ").contains(c.summary());
    }
    assertThat(r.out())
        .contains("--host-netns=<PATH>", "--etcd-endpoints=<URLS>", "--debug", "--version")
        .contains("ETCD_ENDPOINTS", "ETCD_CERT_FILE", "CALICO_ETCD_TIMEOUT", "CALICO_DATA_ERA")
        .contains("CALICOJ_ETCD_CLIENT", "CALICO_HOST_NETNS", "HOSTNAME", "DOCKER_HOST")
        .contains(
            "Exit codes:\n  0  Done",
            "\n  1  Failed",
            "\n  2  A command that needs root",
            "\n  3  ipam check");
  }

  @Test
  void eachCommandsHelpPrintsItsUsageLinesAndOptions() {
    for (Command c : Calicoctl.COMMANDS) {
      Run r = run(c.name() + " --help");
      assertThat(r.exit()).isZero();
      assertThat(r.out()).isEqualTo(c.help() + "\n").startsWith(c.summary() + ".\n\nUsage:\n");
    }
    assertThat(run("container --help").out())
        .contains("  calicoctl container add <CONTAINER> <IP> [--interface=<INTERFACE>]\n")
        .contains("  calicoctl container <CONTAINER> profile (append|remove|set) [<PROFILES>...]\n")
        .contains("  --interface=<INTERFACE>  The interface inside the container [default: eth1]");
    assertThat(run("profile P rule add inbound -h").out()).contains("<RULE> is (allow|deny)");
  }

  @Test
  void version() {
    assertThat(run("--version")).isEqualTo(new Run(0, "calicoctl (calicoj) 0.1.0\n", ""));
  }

  // ------------------------------------------------------------------ usage errors

  /** A usage error: exit 1, nothing on stdout, the message and one usage line on stderr. */
  private void usageError(String line, String message, String usage) {
    Run r = run(line);
    assertThat(r.exit()).as(line).isEqualTo(1);
    assertThat(r.out()).as(line).isEmpty();
    assertThat(r.err()).as(line).isEqualTo(message + "\nUsage: calicoctl " + usage + "\n");
  }

  @Test
  void usageErrorsAreOneMessageAndOneUsageLineWithExitCode1() {
    String top = "[--host-netns=<PATH>] [--etcd-endpoints=<URLS>] [--debug] <command> [<args>...]";
    usageError("nosuchgroup", "Unknown command nosuchgroup.", top);
    usageError("--bogus profile show", "Unknown option --bogus.", top);
    usageError(
        "profile show --host-netns /run/netns/h",
        "Unknown option --host-netns: global options go before the command.",
        "profile show [--detailed]");
    usageError("profile show --bogus", "Unknown option --bogus.", "profile show [--detailed]");
    usageError("profile add", "Missing <PROFILE>.", "profile add <PROFILE>");
    usageError("profile add A B", "Unexpected argument B.", "profile add <PROFILE>");
    usageError(
        "pool show --ipip",
        "--ipip does not apply to this command.",
        "pool show [--ipv4 | --ipv6]");
    usageError("ipam info", "Missing <IP>.", "ipam info <IP>");
    usageError(
        "ipam frob 10.0.0.1",
        "Unknown ipam command frob.",
        "ipam <command> ...  (see 'calicoctl ipam --help')");
    usageError(
        "endpoint show --detailed=yes", "--detailed takes no value.", "endpoint show [--detailed]");
    assertThat(run("profile add P").exit()).isZero();
    usageError(
        "profile P rule add sideways allow",
        "Expected inbound or outbound, got sideways.",
        "profile <PROFILE> rule add (inbound|outbound) [--at=<POSITION>] <RULE>");
  }

  @Test
  void argumentFilesAreNotExpanded(@TempDir Path dir) throws Exception {
    Path secret = dir.resolve("args");
    Files.writeString(secret, "cjt-secret-line-1\ncjt-secret-line-2\n");
    Run top = run("@" + secret);
    assertThat(top.exit()).isEqualTo(1);
    assertThat(top.all()).doesNotContain("cjt-secret").contains("Unknown command @" + secret);
    Run inCommand = run("profile add @" + secret);
    assertThat(inCommand.all()).doesNotContain("cjt-secret");
    assertThat(inCommand.exit()).isEqualTo(1); // "@..." is no valid profile name
  }

  // ------------------------------------------------------------------ settings

  /** A refused setting: exit 1, one line naming it and its value, before etcd is tried. */
  private static void refused(Map<String, String> vars, String message) {
    Map<String, String> env = new HashMap<>(vars);
    env.putIfAbsent("ETCD_ENDPOINTS", "http://127.0.0.1:9"); // closed: a connection would say so
    Run r = runOnEtcd(env, "profile", "show");
    assertThat(r.exit()).as("%s", vars).isEqualTo(1);
    assertThat(r.all()).as("%s", vars).isEqualTo(message + "\n");
  }

  @Test
  void badSettingsAreRefusedNamingTheVariableAndValue() {
    String timeout =
        "CALICO_ETCD_TIMEOUT must be a number of seconds above 0 and at most 3600 (such as 5 or"
            + " 1.5); got \"%s\".";
    for (String bad : List.of("abc", "huge", "99999999999999999999", "0", "-1", "3601", "1.2345")) {
      refused(Map.of("CALICO_ETCD_TIMEOUT", bad), String.format(timeout, bad));
    }
    refused(Map.of("CALICO_ETCD_TIMEOUT", "٣"), String.format(timeout, "٣"));
    refused(Map.of("CALICO_DATA_ERA", "Z"), "CALICO_DATA_ERA must be A or B; got \"Z\".");
    refused(
        Map.of("CALICOJ_ETCD_CLIENT", "bogus"),
        "CALICOJ_ETCD_CLIENT must be gateway or jetcd; got \"bogus\".");
    refused(
        Map.of("ETCD_CERT_FILE", "/tmp/c.crt"),
        "ETCD_CERT_FILE is set but ETCD_KEY_FILE is not: set both or neither.");
    refused(
        Map.of("ETCD_KEY_FILE", "/tmp/c.key", "ETCD_CERT_FILE", " "),
        "ETCD_KEY_FILE is set but ETCD_CERT_FILE is not: set both or neither.");
    refused(
        Map.of("ETCD_ENDPOINTS", "", "ETCD_AUTHORITY", "127.0.0.1:9", "ETCD_SCHEME", "ftp"),
        "ETCD_SCHEME must be http or https; got \"ftp\".");
  }

  @Test
  void goodSettingsAndEmptyOnesAsUnset() {
    assertThat(Settings.timeout(null)).isEqualTo(Settings.DEFAULT_TIMEOUT);
    assertThat(Settings.timeout("1.5")).hasMillis(1500);
    assertThat(Settings.timeout("0.001")).hasMillis(1);
    assertThat(Settings.timeout("3600")).hasSeconds(3600);
    Settings empty =
        Settings.from(
            Map.of(
                "CALICO_ETCD_TIMEOUT", "",
                "CALICO_DATA_ERA", " ",
                "CALICOJ_ETCD_CLIENT", "",
                "ETCD_ENDPOINTS", "",
                "ETCD_CERT_FILE", "",
                "CALICO_HOST_NETNS", ""),
            null,
            null);
    assertThat(empty.timeout()).isEqualTo(Settings.DEFAULT_TIMEOUT);
    assertThat(empty.wireFormat()).isEqualTo(io.github.calicoj.core.WireFormat.ERA_A);
    assertThat(empty.jetcd()).isFalse();
    assertThat(empty.endpoints()).isEqualTo("http://127.0.0.1:2379");
    assertThat(empty.clientCert()).isNull();
    assertThat(empty.hostNetns()).isNull();
    Settings set =
        Settings.from(
            Map.of(
                "CALICO_DATA_ERA", "b",
                "CALICOJ_ETCD_CLIENT", "JETCD",
                "ETCD_SCHEME", "https",
                "ETCD_AUTHORITY", "10.0.0.1:2379",
                "ETCD_CERT_FILE", "/c.crt",
                "ETCD_KEY_FILE", "/c.key",
                "CALICO_HOST_NETNS", "/run/netns/env"),
            Path.of("/run/netns/option"),
            null);
    assertThat(set.wireFormat()).isEqualTo(io.github.calicoj.core.WireFormat.ERA_B);
    assertThat(set.jetcd()).isTrue();
    assertThat(set.endpoints()).isEqualTo("https://10.0.0.1:2379");
    assertThat(set.clientCert()).isEqualTo(Path.of("/c.crt"));
    assertThat(set.clientKey()).isEqualTo(Path.of("/c.key"));
    assertThat(set.hostNetns()).isEqualTo(Path.of("/run/netns/option"));
  }

  // ------------------------------------------------------------------ messages

  @Test
  void anUnreachableEtcdIsOneLineWithoutJavaClassNames() {
    Run r =
        runOnEtcd(
            Map.of("ETCD_ENDPOINTS", "http://127.0.0.1:9", "CALICO_ETCD_TIMEOUT", "2"),
            "profile",
            "show");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).startsWith("Error accessing etcd (").endsWith(").  Is etcd running?\n");
    assertThat(r.out().strip())
        .doesNotContain("\n")
        .doesNotContain("java.")
        .doesNotContain("Exception");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void aStackTraceOnlyWithDebug() {
    Map<String, String> env = Map.of("ETCD_ENDPOINTS", "http://127.0.0.1:9");
    assertThat(runOnEtcd(env, "profile", "show").err()).doesNotContain("\tat ");
    Run debug = runOnEtcd(env, "--debug", "profile", "show");
    assertThat(debug.exit()).isEqualTo(1);
    assertThat(debug.out()).startsWith("Error accessing etcd (");
    assertThat(debug.err()).contains("\tat ");
    Map<String, String> viaEnv = new HashMap<>(env);
    viaEnv.put("CALICOJ_DEBUG", "1");
    assertThat(runOnEtcd(viaEnv, "profile", "show").err()).contains("\tat ");
  }

  @Test
  void classNamesAreRemovedFromMessages() {
    assertThat(
            Messages.clean(
                "list /calico/ failed: java.net.ConnectException: Connection refused (etcd"
                    + " http://127.0.0.1:9)"))
        .isEqualTo("list /calico/ failed: Connection refused (etcd http://127.0.0.1:9)");
    assertThat(Messages.clean("IllegalStateException: closed")).isEqualTo("closed");
    assertThat(Messages.clean("javax.net.ssl.SSLHandshakeException: Remote host terminated"))
        .isEqualTo("Remote host terminated");
    assertThat(Messages.clean("Error accessing etcd")).isEqualTo("Error accessing etcd");
    assertThat(Messages.of(new IllegalStateException())).doesNotContain("Exception");
  }

  @Test
  void echoedInputIsCapped() {
    assertThat(Messages.echo("x".repeat(80))).isEqualTo("x".repeat(80));
    assertThat(Messages.echo("x".repeat(81))).isEqualTo("x".repeat(80) + "...");
    assertThat(Messages.echo("a\nb\rc")).isEqualTo("a?b?c");

    String huge = "y".repeat(100_000);
    Run command = run("nosuchgroup" + huge);
    assertThat(command.exit()).isEqualTo(1);
    assertThat(command.all().length()).isLessThan(400);

    // 1 MiB of stdin, malformed, on one line and on many: the message stays short.
    assertThat(run("profile add P").exit()).isZero();
    for (String json : List.of("{\"id\": \"" + "z".repeat(1 << 20), "[\n".repeat(1 << 19))) {
      Run update = run(Map.of(), json, "profile", "P", "rule", "update");
      assertThat(update.exit()).isEqualTo(1);
      assertThat(update.all().length()).isLessThan(5_000);
    }
    Run id =
        run(
            Map.of(),
            "{\"id\": \"" + "q".repeat(1 << 20) + "\"}",
            "profile",
            "P",
            "rule",
            "update");
    assertThat(id.exit()).isEqualTo(1);
    assertThat(id.out()).startsWith("Rules JSON \"id\"=" + "q".repeat(80) + "... doesn't match");
  }

  // ------------------------------------------------------------------ exit codes

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1", "999", "2"})
  void ruleRemoveAtOutOfRangeExits1(String at) {
    assertThat(run("profile add P").exit()).isZero(); // one inbound and one outbound rule
    assertThat(run("profile P rule remove inbound --at=" + at))
        .isEqualTo(new Run(1, "Rule position out-of-range.\n", ""));
    assertThat(run("profile P rule show").out()).contains("   1 allow from tag P\n");
  }

  @Test
  void ipamReleaseOfAnUnassignedAddressExits1() {
    assertThat(run("ipam release 10.77.0.9"))
        .isEqualTo(new Run(1, "Failed to release address\n", ""));
    assertThat(run("ipam release ١٠.٧٧.٠.٩"))
        .isEqualTo(new Run(1, "Invalid IP address specified.\n", ""));
  }

  @Test
  void ipamCheckReportsAndRepairsAnAllocationThatNoEndpointHolds() {
    assertThat(run("ipam check --datastore-only"))
        .isEqualTo(new Run(0, "No IPAM problems found on host cjt-unit.\n", ""));
    assertThat(run("pool add 10.77.0.0/24").exit()).isZero();
    Ipam.builder(store)
        .build()
        .assign(InetAddresses.forString("10.77.0.9"), "cjt-unit", IpOwner.UNOWNED);

    Run found = run("ipam check --datastore-only");
    assertThat(found.exit()).isEqualTo(3);
    assertThat(found.out())
        .contains("| allocation-without-endpoint | cjt-unit | 10.77.0.9 ")
        .contains("1 finding on host cjt-unit.");
    Run json = run("ipam check --datastore-only --all-hosts --output=json");
    assertThat(json.exit()).isEqualTo(3);
    assertThat(json.out()).startsWith("{").endsWith("}\n").contains("\"unresolved\" : 1");

    Run young = run("ipam check --datastore-only --repair");
    assertThat(young.exit()).as(young.out()).isEqualTo(3);
    assertThat(young.out()).contains("too-young");
    assertThat(Ipam.builder(store).build().attributesOf(InetAddresses.forString("10.77.0.9")))
        .as("kept within the grace period")
        .isPresent();

    Run repaired = run("ipam check --datastore-only --repair --grace=0");
    assertThat(repaired.exit()).as(repaired.out()).isZero();
    assertThat(repaired.out()).contains("repaired: ");
    assertThat(Ipam.builder(store).build().attributesOf(InetAddresses.forString("10.77.0.9")))
        .isEmpty();
    assertThat(run("ipam check --datastore-only").exit()).isZero();
  }

  @Test
  void ipamCheckRefusesABadGraceOrOutputAndNeedsRootForTheDataplane() {
    assertThat(run("ipam check --datastore-only --grace=15x"))
        .isEqualTo(
            new Run(
                1,
                "Invalid grace period 15x: give seconds, or a number with s, m or h (15m).\n",
                ""));
    assertThat(run("ipam check --datastore-only --output=xml"))
        .isEqualTo(new Run(1, "Unknown output format xml: only json is known.\n", ""));
    assertThat(IpamCommand.age("90")).isEqualTo(Duration.ofSeconds(90));
    assertThat(IpamCommand.age("15m")).isEqualTo(Duration.ofMinutes(15));
    assertThat(IpamCommand.age("2h")).isEqualTo(Duration.ofHours(2));
    if (!Cli.isRoot()) {
      assertThat(run("ipam check"))
          .isEqualTo(new Run(2, "", "This command must be run as root.\n"));
    }
  }

  @Test
  void nonAsciiDigitsAreRefused() {
    assertThat(run("profile add P").exit()).isZero();
    assertThat(run("profile P rule add inbound --at=٣ deny"))
        .isEqualTo(new Run(1, "Invalid --at position: ٣\n", ""));
    assertThat(run("profile P rule add inbound --at=１ deny").exit()).isEqualTo(1);
    assertThat(run("profile P rule add inbound allow icmp type ٨"))
        .isEqualTo(new Run(1, "Invalid ICMP type or ICMP code specified.\n", ""));
    assertThat(run("profile P rule add inbound allow tcp to ports ٨٠").out())
        .startsWith("Ports: '٨٠' are invalid;");
    assertThat(run("node --ip=١٠.٠.٠.١"))
        .isEqualTo(new Run(1, "Invalid IPv4 address specified with --ip argument.\n", ""));
    assertThat(run("profile P rule show").out())
        .isEqualTo("Inbound rules:\n   1 allow from tag P\nOutbound rules:\n   1 allow\n");
  }

  @Test
  void poolRemoveChecksEveryCidrBeforeRemovingAny() {
    assertThat(run("pool add 10.50.0.0/16").exit()).isZero();
    assertThat(run("pool remove 10.50.0.0/16 bogus"))
        .isEqualTo(new Run(1, "Invalid CIDR: bogus\n", ""));
    assertThat(run("pool remove 10.50.0.0/16 10.99.0.0/16"))
        .isEqualTo(new Run(1, "10.99.0.0/16 is not a configured pool.\n", ""));
    assertThat(run("pool show --ipv4").out()).contains("| 10.50.0.0/16 |");
    usageError(
        "pool show --ipv4 --ipv6",
        "--ipv4 and --ipv6 exclude each other.",
        "pool show [--ipv4 | --ipv6]");
  }

  @Test
  void anArgumentWithAControlCharacterIsAUsageError() {
    for (String bad : List.of("P\nUsage: forged", "P\u0000", "P\tb", "P\u001b[2J")) {
      Run r = run(Map.of("HOSTNAME", "cjt-unit"), "", "profile", "add", bad);
      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.out()).isEmpty();
      assertThat(r.err())
          .startsWith("Argument 3 has a control character: P")
          .endsWith(
              ".\nUsage: calicoctl [--host-netns=<PATH>] [--etcd-endpoints=<URLS>] [--debug]"
                  + " <command> [<args>...]\n")
          .hasLineCount(2);
    }
  }

  @Test
  void messagesStayOnTheirLinesAndKeepTheirEnds() {
    assertThat(run("profile add P").exit()).isZero();
    Run r =
        run(
            Map.of("HOSTNAME", "cjt-unit"),
            "{\"inbound_rules\": [{\"action\": \"allow\", \"protocol\": \"tcp\\nforged\"}],"
                + " \"outbound_rules\": []}",
            "profile",
            "P",
            "rule",
            "update");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("tcp?forged").hasLineCount(1);
    String longWord = "Container " + "x".repeat(300) + " was not found.";
    assertThat(Messages.clean(longWord))
        .isEqualTo("Container " + "x".repeat(Messages.WORD_LIMIT) + "... was not found.");
    String longLine = "Profile " + "a ".repeat(150) + "not found.";
    assertThat(Messages.clean(longLine))
        .hasSizeLessThanOrEqualTo(Messages.LINE_LIMIT)
        .startsWith("Profile a a ")
        .contains(" ... ")
        .endsWith("a a not found.");
  }

  // ------------------------------------------------------------------ the reference's tables

  @Test
  void profileShowDetailedPrintsNoneForAProfileWithoutMembers() {
    assertThat(run("profile add P1").exit()).isZero();
    assertThat(run("profile add P2").exit()).isZero();
    Table expected =
        new Table("Name", "Host", "Orchestrator ID", "Workload ID", "Endpoint ID", "State");
    expected.add("P1", "None", "None", "None", "None", "None");
    expected.add("P2", "None", "None", "None", "None", "None");
    assertThat(run("profile show --detailed")).isEqualTo(new Run(0, expected + "\n", ""));
  }

  @Test
  void endpointShowOfNoEndpointsIsAnEmptySummary() {
    Table empty =
        new Table("Hostname", "Orchestrator ID", "Number of Workloads", "Number of Endpoints");
    assertThat(run("endpoint show")).isEqualTo(new Run(0, empty + "\n", ""));
  }
}
