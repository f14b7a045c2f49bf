package io.github.calicoj.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CLI's one parser: global options, the command group and its arguments ({@link
 * Calicoctl#parse}), and a group's options and positionals ({@link Args}), with the usage line that
 * each usage error quotes.
 */
class CalicoctlParseTest {

  private static Calicoctl.Invocation parse(String line) {
    return Calicoctl.parse(line.isEmpty() ? new String[0] : line.split(" "));
  }

  @Test
  void globalOptionsInBothFormsThenTheGroupAndItsArguments() {
    Calicoctl.Invocation c =
        parse(
            "--host-netns /run/netns/h --etcd-endpoints=http://a:1,http://b:2 --debug"
                + " container add w ipv4 --interface eth2");
    assertThat(c.action()).isEqualTo(Calicoctl.Action.RUN);
    assertThat(c.command()).isInstanceOf(ContainerCommand.class);
    assertThat(c.args()).containsExactly("add", "w", "ipv4", "--interface", "eth2");
    assertThat(c.hostNetns()).isEqualTo(Path.of("/run/netns/h"));
    assertThat(c.etcdEndpoints()).isEqualTo("http://a:1,http://b:2");
    assertThat(c.debug()).isTrue();

    Calicoctl.Invocation plain = parse("ipam info 10.0.0.1");
    assertThat(plain.command()).isInstanceOf(IpamCommand.class);
    assertThat(plain.args()).containsExactly("info", "10.0.0.1");
    assertThat(plain.hostNetns()).isNull();
    assertThat(plain.etcdEndpoints()).isNull();
    assertThat(plain.debug()).isFalse();
  }

  @ParameterizedTest
  @CsvSource({
    "container,ContainerCommand",
    "profile,ProfileCommand",
    "pool,PoolCommand",
    "node,NodeCommand",
    "endpoint,EndpointCommand",
    "ipam,IpamCommand"
  })
  void everyGroupByName(String name, String type) {
    assertThat(parse(name).command().getClass().getSimpleName()).isEqualTo(type);
    assertThat(parse(name).args()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"--help", "-h", "--debug -h container add w"})
  void helpOfCalicoctl(String line) {
    assertThat(parse(line).action()).isEqualTo(Calicoctl.Action.HELP);
    assertThat(parse(line).command()).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"container --help", "container add w 10.0.0.1 -h", "--host-netns /a container -h"})
  void helpOfAGroupAnywhereAfterItsName(String line) {
    assertThat(parse(line).action()).isEqualTo(Calicoctl.Action.HELP);
    assertThat(parse(line).command()).isInstanceOf(ContainerCommand.class);
  }

  @Test
  void aHelpWordAfterDoubleDashIsAnArgument() {
    Calicoctl.Invocation c = parse("container add -- -h ipv4");
    assertThat(c.action()).isEqualTo(Calicoctl.Action.RUN);
    assertThat(c.args()).containsExactly("add", "--", "-h", "ipv4");
  }

  @ParameterizedTest
  @ValueSource(strings = {"-V", "--version"})
  void version(String line) {
    assertThat(parse(line).action()).isEqualTo(Calicoctl.Action.VERSION);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''|Missing <command>.",
        "--debug|Missing <command>.",
        "nosuchgroup x|Unknown command nosuchgroup.",
        "@/etc/shadow|Unknown command @/etc/shadow.",
        "--unknown container remove w|Unknown option --unknown.",
        "--host-netns|--host-netns needs a value.",
        "--host-netns=|--host-netns needs a value.",
        "--host-netns /a --host-netns /b container remove w|--host-netns is given more than once.",
        "--debug=yes container remove w|--debug takes no value.",
      })
  void usageErrorsOfTheCommandLineQuoteItsUsage(String line, String message) {
    assertThatThrownBy(() -> parse(line))
        .isInstanceOfSatisfying(
            CliException.class,
            e -> {
              assertThat(e.getMessage()).isEqualTo(message);
              assertThat(e.usage)
                  .isEqualTo(
                      "[--host-netns=<PATH>] [--etcd-endpoints=<URLS>] [--debug] <command>"
                          + " [<args>...]");
              assertThat(e.exitCode).isEqualTo(CliException.USAGE);
              assertThat(e.toStderr).isTrue();
            });
  }

  private static Args args(Command command, String line) {
    return new Args(command, List.of(line.split(" ")));
  }

  @Test
  void optionsAnywhereInBothFormsAndPositionalsInOrder() {
    Args a = args(new ContainerCommand(), "--interface eth2 add w ipv4");
    assertThat(a.next("x")).isEqualTo("add");
    assertThat(a.next("x")).isEqualTo("w");
    assertThat(a.optionOr("--interface", "eth1")).isEqualTo("eth2");
    assertThat(a.next("x")).isEqualTo("ipv4");
    a.done();

    Args b = args(new ProfileCommand(), "P rule add inbound --at -1 deny");
    assertThat(b.option("--at")).isEqualTo("-1");
    assertThat(b.option("--at")).isNull(); // taken
    assertThat(b.rest()).containsExactly("P", "rule", "add", "inbound", "deny");
    assertThat(args(new PoolCommand(), "show --ipv4").flag("--ipv4")).isTrue();
    assertThat(args(new PoolCommand(), "show").flag("--ipv4")).isFalse();
  }

  @Test
  void afterDoubleDashEverythingIsPositional() {
    Args a = args(new ContainerCommand(), "remove -- --interface");
    assertThat(a.option("--interface")).isNull();
    assertThat(a.rest()).containsExactly("remove", "--interface");
  }

  @Test
  void anUnknownOptionNamesItselfAndTheUsageLineOfItsCommand() {
    Args a = args(new ContainerCommand(), "add --host-netns /run/netns/h w ipv4");
    assertThat(a.next("add")).isEqualTo("add");
    a.form("container add <CONTAINER> <IP> [--interface=<INTERFACE>]");
    assertThat(a.next("<CONTAINER>")).isEqualTo("/run/netns/h");
    assertThat(a.next("<IP>")).isEqualTo("w");
    assertThatThrownBy(a::done)
        .isInstanceOfSatisfying(
            CliException.class,
            e -> {
              assertThat(e.getMessage())
                  .isEqualTo("Unknown option --host-netns: global options go before the command.");
              assertThat(e.usage)
                  .isEqualTo("container add <CONTAINER> <IP> [--interface=<INTERFACE>]");
            });
    assertThatThrownBy(() -> args(new ContainerCommand(), "remove --bogus w").done())
        .hasMessage("Unknown option --bogus.")
        .isInstanceOfSatisfying(
            CliException.class,
            e -> assertThat(e.usage).isEqualTo(new ContainerCommand().synopsis()));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "add w|Missing <IP>.",
        "add w ipv4 extra|Unexpected argument extra.",
        "add w ipv4 x y|Unexpected arguments x y.",
        "add w ipv4 --interface|--interface needs a value.",
        "add w ipv4 --interface=a --interface=b|--interface is given more than once.",
        "add --bogus|Unknown option --bogus.",
      })
  void usageErrorsOfACommand(String line, String message) {
    Args a = args(new ContainerCommand(), line);
    a.form("container add <CONTAINER> <IP> [--interface=<INTERFACE>]");
    assertThatThrownBy(
            () -> {
              a.next("add");
              a.next("<CONTAINER>");
              a.next("<IP>");
              a.optionOr("--interface", "eth1");
              a.done();
            })
        .hasMessage(message);
  }

  @Test
  void aFlagWithAValueAndAnOptionOfAnotherFormAreRefused() {
    Args a = args(new EndpointCommand(), "show --detailed=yes");
    assertThatThrownBy(() -> a.flag("--detailed")).hasMessage("--detailed takes no value.");
    Args b = args(new PoolCommand(), "show --ipip");
    b.flag("--ipv4");
    assertThatThrownBy(b::done).hasMessage("--ipip does not apply to this command.");
  }

  @Test
  void integersAreAsciiDigitsOnly() {
    assertThat(Inputs.integer("3")).isEqualTo(3);
    assertThat(Inputs.integer("-1")).isEqualTo(-1);
    assertThat(Inputs.integer("999999999")).isEqualTo(999_999_999);
    for (String bad : List.of("٣", "３", "1٣", "", "-", "+3", "1.5", "1e3", "9999999999", " 3")) {
      assertThatThrownBy(() -> Inputs.integer(bad))
          .as(bad)
          .isInstanceOf(NumberFormatException.class);
    }
  }

  @Test
  void addressesAreAsciiWithoutZoneAndNotIpv4Mapped() {
    assertThat(Inputs.isIp("10.0.0.1")).isTrue();
    assertThat(Inputs.isIp("fd00::1")).isTrue();
    for (String bad :
        List.of("١٠.٠.٠.١", "１０.0.0.1", "fe80::1%eth0", "::ffff:10.0.0.1", "10.0.0.1 ", "", "x")) {
      assertThat(Inputs.isIp(bad)).as(bad).isFalse();
    }
    assertThatThrownBy(() -> Inputs.ipRequest("١٠.٠.٠.١"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Inputs.ipRequest("::ffff:10.0.0.1"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Inputs.ipRequest("fd00::1%eth0"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(Inputs.ipRequest("ipv4")).isNotNull();
    assertThat(Inputs.ipRequest("10.0.0.0/16")).isNotNull();
  }
}
