package io.github.calicoj.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.InetAddresses;
import org.junit.jupiter.api.Test;

class CniArgsTest {

  private static void assertInvalid(String args, String message) {
    assertThatThrownBy(() -> CniArgs.parse(args).ips())
        .isInstanceOfSatisfying(
            CniException.class, e -> assertThat(e.code()).isEqualTo(CniCode.INVALID_ENVIRONMENT))
        .hasMessage(message);
  }

  @Test
  void readsPodmansArguments() {
    CniArgs a = CniArgs.parse("IgnoreUnknown=1;K8S_POD_NAME=web;IP=10.0.0.5;MAC=0a:58:0a:00:00:05");
    assertThat(a.ips()).containsExactly(InetAddresses.forString("10.0.0.5"));
    assertThat(a.mac()).contains("0a:58:0a:00:00:05");
  }

  @Test
  void emptyArgumentsRequestNothing() {
    assertThat(CniArgs.parse("").ips()).isEmpty();
    assertThat(CniArgs.parse(";;").values()).isEmpty();
    assertThat(CniArgs.parse("IP=").ips()).isEmpty();
    assertThat(CniArgs.parse("K8S_POD_NAMESPACE=default").mac()).isEmpty();
  }

  @Test
  void severalIpsAreCommaSeparated() {
    assertThat(CniArgs.parse("IP=10.0.0.5,fd00::5").ips())
        .containsExactly(InetAddresses.forString("10.0.0.5"), InetAddresses.forString("fd00::5"));
  }

  @Test
  void unknownKeysNeedIgnoreUnknown() {
    assertInvalid(
        "FOO=bar", "CNI_ARGS: unknown key FOO (set IgnoreUnknown=1 to ignore unknown keys)");
    assertThat(CniArgs.parse("IgnoreUnknown=true;FOO=bar").values()).containsEntry("FOO", "bar");
    assertInvalid(
        "IgnoreUnknown=0;FOO=bar",
        "CNI_ARGS: unknown key FOO (set IgnoreUnknown=1 to ignore unknown keys)");
  }

  @Test
  void badPairsAndValuesAreNamed() {
    assertInvalid("IP", "CNI_ARGS: \"IP\" is not KEY=VALUE (CNI_ARGS=IP)");
    assertInvalid("=x", "CNI_ARGS: \"=x\" is not KEY=VALUE (CNI_ARGS==x)");
    assertInvalid(
        "IP=1.2.3.4;IP=1.2.3.5", "CNI_ARGS: IP is given twice (CNI_ARGS=IP=1.2.3.4;IP=1.2.3.5)");
    assertInvalid("IP=10.0.0.300", "CNI_ARGS: IP=10.0.0.300: \"10.0.0.300\" is not an IP address");
    assertInvalid(
        "IP=fe80::1%eth0", "CNI_ARGS: IP=fe80::1%eth0: \"fe80::1%eth0\" is not an IP address");
  }
}
