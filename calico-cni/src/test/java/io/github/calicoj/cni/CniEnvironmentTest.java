package io.github.calicoj.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CniEnvironmentTest {

  private static Map<String, String> add() {
    Map<String, String> env = new HashMap<>();
    env.put("CNI_COMMAND", "ADD");
    env.put("CNI_CONTAINERID", "0123abcd");
    env.put("CNI_NETNS", "/run/netns/x");
    env.put("CNI_IFNAME", "eth0");
    env.put("CNI_PATH", "/opt/cni/bin");
    return env;
  }

  private static void assertInvalid(Map<String, String> env, String message) {
    assertThatThrownBy(() -> CniEnvironment.from(env))
        .isInstanceOfSatisfying(
            CniException.class, e -> assertThat(e.code()).isEqualTo(CniCode.INVALID_ENVIRONMENT))
        .hasMessage(message);
  }

  @Test
  void readsAnAdd() {
    Map<String, String> env = add();
    env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAME=web;IP=10.0.0.5");
    CniEnvironment e = CniEnvironment.from(env);
    assertThat(e.command()).isEqualTo(CniCommand.ADD);
    assertThat(e.containerId()).isEqualTo("0123abcd");
    assertThat(e.netns()).isEqualTo("/run/netns/x");
    assertThat(e.requireIfname().toString()).isEqualTo("eth0");
    assertThat(e.args().values()).containsEntry("IP", "10.0.0.5");
  }

  @Test
  void versionNeedsNothingElse() {
    CniEnvironment e = CniEnvironment.from(Map.of("CNI_COMMAND", "VERSION", "CNI_NETNS", "dummy"));
    assertThat(e.command()).isEqualTo(CniCommand.VERSION);
    assertThat(e.ifname()).isNull();
  }

  @Test
  void delNeedsOnlyTheContainerId() {
    CniEnvironment e = CniEnvironment.from(Map.of("CNI_COMMAND", "DEL", "CNI_CONTAINERID", "c1"));
    assertThat(e.netns()).isEmpty();
    assertThat(e.ifname()).isNull();
    assertThatThrownBy(e::requireIfname).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void namesWhatIsMissingOrBad() {
    assertInvalid(Map.of(), "CNI_COMMAND is not set");
    assertInvalid(
        Map.of("CNI_COMMAND", "GET"), "CNI_COMMAND=GET is not one of ADD, DEL, CHECK, VERSION");
    Map<String, String> env = add();
    env.remove("CNI_NETNS");
    assertInvalid(env, "CNI_NETNS is not set");
    env = add();
    env.put("CNI_CONTAINERID", "-bad id");
    assertInvalid(
        env, "CNI_CONTAINERID=-bad id is not a container id ([A-Za-z0-9][A-Za-z0-9_.-]*)");
    env = add();
    env.put("CNI_NETNS", "run/netns/x");
    assertInvalid(env, "CNI_NETNS=run/netns/x is not an absolute path");
    env = add();
    env.put("CNI_IFNAME", "a-very-long-interface");
    assertInvalid(
        env,
        "CNI_IFNAME=a-very-long-interface: Interface name is 21 bytes, longer than 15:"
            + " a-very-long-interface");
    env = add();
    env.remove("CNI_IFNAME");
    env.put("CNI_COMMAND", "CHECK");
    assertInvalid(env, "CNI_IFNAME is not set");
  }
}
