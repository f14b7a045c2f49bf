package io.github.calicoj.cni;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.calicoj.testkit.Processes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Invocations that end before any datastore or namespace work: VERSION and the error object. */
class CalicoCniTest {
  private static final Path LAUNCHER = Path.of("src/main/sh/calico-cni");

  /** The exit status and the stdout of one in-process invocation. */
  private record Outcome(int status, String stdout) {
    JsonNode json() throws Exception {
      assertThat(stdout).endsWith("\n");
      assertThat(stdout.strip()).doesNotContain("\n"); // one JSON document, nothing else
      return Json.MAPPER.readTree(stdout);
    }
  }

  private static Outcome run(Map<String, String> env, String stdin) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int status =
        CalicoCni.run(
            env,
            new ByteArrayInputStream(stdin.getBytes(UTF_8)),
            new PrintStream(out, true, UTF_8));
    return new Outcome(status, out.toString(UTF_8));
  }

  private static Map<String, String> env(String command) {
    return Map.of(
        "CNI_COMMAND", command,
        "CNI_CONTAINERID", "0123abcd",
        "CNI_NETNS", "/run/netns/cjt-none",
        "CNI_IFNAME", "eth0");
  }

  @Test
  void versionListsTheSupportedVersions() throws Exception {
    Outcome o = run(Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"1.0.0\"}");
    assertThat(o.status()).isZero();
    assertThat(o.stdout())
        .isEqualTo(
            "{\"cniVersion\":\"1.0.0\",\"supportedVersions\":[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\"]}\n");
  }

  @Test
  void theLauncherAnswersVersionAsThePluginDoes() throws Exception {
    assertThat(Files.isExecutable(LAUNCHER)).as("%s is executable", LAUNCHER).isTrue();
    String out =
        Processes.run(
            List.of("env", "-i", "CNI_COMMAND=VERSION", "/bin/sh", LAUNCHER.toString()),
            Duration.ofSeconds(10));
    assertThat(out).isEqualTo(CalicoCni.versionInfo() + "\n");
  }

  @Test
  void aMissingVariableIsCode4() throws Exception {
    Outcome o = run(Map.of("CNI_COMMAND", "ADD"), "{}");
    assertThat(o.status()).isEqualTo(1);
    assertThat(o.json().toString())
        .isEqualTo("{\"cniVersion\":\"1.0.0\",\"code\":4,\"msg\":\"CNI_CONTAINERID is not set\"}");
  }

  @Test
  void aBadConfigurationIsCode7InItsOwnVersion() throws Exception {
    Outcome o =
        run(
            env("ADD"),
            "{\"cniVersion\":\"0.4.0\",\"name\":\"calicoj-net\",\"type\":\"calico-cni\","
                + "\"mtu\":9}");
    assertThat(o.status()).isEqualTo(1);
    assertThat(o.json().toString())
        .isEqualTo(
            "{\"cniVersion\":\"0.4.0\",\"code\":7,"
                + "\"msg\":\"mtu must be a whole number in 68..65535, not 9\"}");
  }

  @Test
  void notJsonIsCode6() throws Exception {
    Outcome o = run(env("DEL"), "cniVersion=1.0.0");
    assertThat(o.status()).isEqualTo(1);
    assertThat(o.json().path("code").asInt()).isEqualTo(6);
    assertThat(o.json().path("msg").asText())
        .startsWith("The network configuration on stdin is not valid JSON: ");
  }

  @Test
  void anUnsupportedVersionIsCode1() throws Exception {
    Outcome o =
        run(env("ADD"), "{\"cniVersion\":\"0.2.0\",\"name\":\"n\",\"type\":\"calico-cni\"}");
    assertThat(o.json().toString())
        .isEqualTo(
            "{\"cniVersion\":\"0.2.0\",\"code\":1,\"msg\":\"cniVersion \\\"0.2.0\\\" is not"
                + " supported; this plugin supports 0.3.0, 0.3.1, 0.4.0, 1.0.0\"}");
  }

  @Test
  void badEtcdSettingsAreCode7() throws Exception {
    Outcome o =
        run(
            env("DEL"),
            "{\"cniVersion\":\"1.0.0\",\"name\":\"calicoj-net\",\"type\":\"calico-cni\","
                + "\"etcd_endpoints\":\"127.0.0.1:2379\"}");
    assertThat(o.status()).isEqualTo(1);
    assertThat(o.json().path("code").asInt()).isEqualTo(7);
    assertThat(o.json().path("msg").asText())
        .startsWith("etcd settings: ")
        .contains("127.0.0.1:2379");
  }

  @Test
  void checkDoesNotExistBefore040() throws Exception {
    Outcome o =
        run(
            env("CHECK"),
            "{\"cniVersion\":\"0.3.1\",\"name\":\"calicoj-net\",\"type\":\"calico-cni\"}");
    assertThat(o.status()).isEqualTo(1);
    assertThat(o.json().toString())
        .isEqualTo(
            "{\"cniVersion\":\"0.3.1\",\"code\":1,"
                + "\"msg\":\"CHECK needs cniVersion 0.4.0 or later, not 0.3.1\"}");
  }
}
