package io.github.calicoj.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * The CLI's picocli-free dispatch ({@link Calicoctl#direct}) sets up a group command exactly as
 * picocli does, and hands picocli everything it does not handle itself.
 */
class CalicoctlDispatchTest {
  private final Cli cli =
      new Cli(
          new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
          new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
          new ByteArrayInputStream(new byte[0]),
          Map.of());

  @ParameterizedTest
  @ValueSource(
      strings = {
        "container add workload 192.168.0.1",
        "container add workload ipv4 --interface=eth2",
        "container add workload ipv4 --interface eth2",
        "--host-netns /run/netns/h container add /run/netns/w 10.0.0.0/24",
        "--host-netns=/run/netns/h --etcd-endpoints=http://10.0.0.1:2379 container remove w",
        "--etcd-endpoints http://a:1,http://b:2 profile PROF rule add inbound allow from tag X",
        "profile add PROF",
        "pool add 10.0.0.0/16 --ipip --nat-outgoing",
        "pool show --ipv4",
        "node --ip=172.17.8.101 --ip6 fd80::1",
        "endpoint show --detailed",
        "ipam info 10.0.0.1",
        "container workload profile append A B",
        "container",
        "ipam",
      })
  void directDispatchMatchesPicocli(String line) {
    String[] args = line.split(" ");
    Calicoctl.Base direct = Calicoctl.direct(args, cli);
    assertThat(direct).as("handled without picocli: %s", line).isNotNull();

    CommandLine cmd = new CommandLine(new Calicoctl(cli), new Calicoctl.Factory(cli));
    CommandLine.ParseResult parsed = cmd.parseArgs(args);
    Calicoctl.Base viaPicocli = (Calicoctl.Base) parsed.subcommand().commandSpec().userObject();
    Calicoctl top = (Calicoctl) parsed.commandSpec().userObject();

    assertThat(direct.getClass()).isEqualTo(viaPicocli.getClass());
    assertThat(direct.raw).isEqualTo(viaPicocli.raw);
    assertThat(direct.parent).isNotNull();
    assertThat(direct.parent.hostNetns).isEqualTo(top.hostNetns);
    assertThat(direct.parent.etcdEndpoints).isEqualTo(top.etcdEndpoints);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "--help",
        "container --help",
        "-V",
        "container add w 10.0.0.1 -h",
        "--host-netns",
        "--host-netns /a --host-netns /b container remove w",
        "--unknown container remove w",
        "nosuchgroup x",
        "container add -- w",
        "@argsfile",
        "",
      })
  void everythingElseGoesToPicocli(String line) {
    String[] args = line.isEmpty() ? new String[0] : line.split(" ");
    assertThat(Calicoctl.direct(args, cli)).as(line).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"--help", "--host-netns /a --host-netns /b container remove w", "nosuchgroup x"})
  void picocliStillAnswersWhatTheDirectPathLeavesToIt(String line) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Calicoctl.run(
            line.split(" "),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            new ByteArrayInputStream(new byte[0]),
            Map.of());
    String all = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    if (line.equals("--help")) {
      assertThat(code).isZero();
      assertThat(all).contains("Usage: calicoctl").contains("container");
    } else {
      assertThat(code).isNotZero();
      assertThat(all)
          .containsAnyOf(
              List.of("should be specified only once", "Unmatched argument")
                  .toArray(new String[0]));
    }
  }
}
