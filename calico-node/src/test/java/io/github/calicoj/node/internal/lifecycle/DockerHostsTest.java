package io.github.calicoj.node.internal.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which daemon the agent follows, and how its durations read in the log. */
class DockerHostsTest {
  @Test
  void theConfiguredDaemonWinsThenDockerHostThenTheDefaultSocket() {
    Map<String, String> env = Map.of("DOCKER_HOST", " unix:///run/user/0/docker.sock ");
    assertThat(DockerHosts.resolve("unix:///x.sock", env)).isEqualTo("unix:///x.sock");
    assertThat(DockerHosts.resolve(null, env)).isEqualTo("unix:///run/user/0/docker.sock");
    assertThat(DockerHosts.resolve(null, Map.of("DOCKER_HOST", " ")))
        .isEqualTo(DockerHosts.DEFAULT);
    assertThat(DockerHosts.resolve(null, Map.of())).isEqualTo("unix:///var/run/docker.sock");
  }

  @Test
  void onlyUnixAddressesHaveASocket() {
    assertThat(DockerHosts.socket("unix:///var/run/docker.sock"))
        .contains(Path.of("/var/run/docker.sock"));
    assertThat(DockerHosts.socket("/tmp/d.sock")).contains(Path.of("/tmp/d.sock"));
    assertThat(DockerHosts.socket("tmp/d.sock")).contains(Path.of("/tmp/d.sock"));
    assertThat(DockerHosts.socket("tcp://127.0.0.1:2375")).isEmpty();
  }

  @Test
  void durationsReadAsTheCliTakesThem() {
    assertThat(Housekeeping.text(Duration.ofMinutes(10))).isEqualTo("10m");
    assertThat(Housekeeping.text(Duration.ofHours(2))).isEqualTo("2h");
    assertThat(Housekeeping.text(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(Housekeeping.text(Duration.ofMillis(500))).isEqualTo("500ms");
    assertThat(Housekeeping.text(Duration.ZERO)).isEqualTo("0s");
  }
}
