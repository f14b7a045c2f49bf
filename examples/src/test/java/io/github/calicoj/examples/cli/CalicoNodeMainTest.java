package io.github.calicoj.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code calico-node}'s housekeeping options and variables (no root, no etcd: every case ends
 * before the agent is built): a bad value is refused in one line naming the option or variable and
 * the value, options win over the environment, and the help lists them.
 */
class CalicoNodeMainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(Map<String, String> env, String... args) {
    return CalicoNodeMain.run(
        args,
        env,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        new CountDownLatch(0));
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @CsvSource({
    "--sweep-interval=ten,--sweep-interval \"ten\"",
    "--sweep-interval=,--sweep-interval \"\"",
    "--sweep-interval=-1,--sweep-interval \"-1\"",
    "--sweep-grace=15 m,--sweep-grace \"15 m\"",
    "--sweep-grace=1d,--sweep-grace \"1d\""
  })
  void aBadOptionValueIsAUsageErrorInOneLine(String arg, String named) {
    assertThat(run(Map.of(), arg)).isEqualTo(2);
    assertThat(err())
        .isEqualTo(
            "Invalid "
                + named
                + ": give seconds, or a number with s, m or h, such as 10m."
                + System.lineSeparator());
    assertThat(out.size()).isZero();
  }

  @Test
  void aBadVariableIsRefusedInOneLineNamingIt() {
    assertThat(run(Map.of("CALICO_SWEEP_INTERVAL", "soon"))).isEqualTo(1);
    assertThat(err())
        .isEqualTo(
            "Invalid CALICO_SWEEP_INTERVAL \"soon\": give seconds, or a number with s, m or h,"
                + " such as 10m."
                + System.lineSeparator());
    err.reset();
    assertThat(run(Map.of("CALICO_DOCKER_EVENTS", "maybe"))).isEqualTo(1);
    assertThat(err())
        .isEqualTo(
            "CALICO_DOCKER_EVENTS must be auto, on or off; got \"maybe\"."
                + System.lineSeparator());
  }

  @Test
  void optionsWinOverTheEnvironmentWhichFillsTheRest() {
    Map<String, String> env =
        Map.of(
            "CALICO_DOCKER_EVENTS", "On",
            "CALICO_SWEEP_INTERVAL", "5m",
            "CALICO_SWEEP_GRACE", "1h");
    CalicoNodeMain.Care fromOptions =
        new CalicoNodeMain.Care("off", Duration.ZERO, null).withEnvironment(env);
    assertThat(fromOptions)
        .isEqualTo(new CalicoNodeMain.Care("off", Duration.ZERO, Duration.ofHours(1)));
    assertThat(new CalicoNodeMain.Care(null, null, null).withEnvironment(env))
        .isEqualTo(new CalicoNodeMain.Care("on", Duration.ofMinutes(5), Duration.ofHours(1)));
    assertThat(
            new CalicoNodeMain.Care(null, null, null)
                .withEnvironment(Map.of("CALICO_DOCKER_EVENTS", "auto", "CALICO_SWEEP_GRACE", " ")))
        .isEqualTo(new CalicoNodeMain.Care(null, null, null));
    assertThat(CalicoNodeMain.age("--sweep-interval", "0")).isEqualTo(Duration.ZERO);
    assertThat(CalicoNodeMain.age("--sweep-interval", "90")).isEqualTo(Duration.ofSeconds(90));
  }

  @Test
  void theHelpListsTheHousekeepingOptions() {
    assertThat(run(Map.of(), "--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("--no-docker-events")
        .contains("--sweep-interval=<AGE>")
        .contains("--sweep-grace=<AGE>")
        .contains("CALICO_DOCKER_EVENTS=auto, on or off")
        .contains("0 turns");
  }
}
