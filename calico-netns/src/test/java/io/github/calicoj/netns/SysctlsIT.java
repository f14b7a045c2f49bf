package io.github.calicoj.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.calicoj.testkit.IpOracle;
import io.github.calicoj.testkit.Requirements;
import io.github.calicoj.testkit.TestNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Sysctls of a namespace the test makes, written from a thread outside it and from one inside it,
 * each checked with {@code cat /proc/sys/...} run inside the namespace.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class SysctlsIT {
  private TestNamespace hostNs;
  private TestNamespace workloadNs;
  private NetNs host;
  private NetNs workload;
  private Netlink hostNl;
  private InterfaceName cali;
  private Sysctls sysctls;

  @BeforeEach
  void setUp() {
    Requirements.requireRoot();
    Requirements.require(
        NetnsSupport.isAvailable(), "netns support: " + NetnsSupport.unavailabilityCause());
    hostNs = TestNamespace.create();
    workloadNs = TestNamespace.create();
    host = NetNs.open(hostNs.path());
    workload = NetNs.open(workloadNs.path());
    hostNl = Netlink.openIn(host);
    cali = InterfaceName.of("cjt" + UUID.randomUUID().toString().substring(0, 8));
    hostNl.createVeth(cali, InterfaceName.of("eth1"), workload);
    sysctls = Sysctls.in(host);
  }

  @AfterEach
  void tearDown() {
    for (AutoCloseable c : new AutoCloseable[] {hostNl, host, workload, hostNs, workloadNs}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // keep closing the rest
      }
    }
  }

  @Test
  void writesAndReadsInsideTheNamespace() {
    String key = "net.ipv4.conf." + cali.value() + ".proxy_arp";
    sysctls.write(key, "1");
    sysctls.write("net.ipv4.neigh." + cali.value() + ".proxy_delay", "0");
    assertThat(sysctls.read(key)).isEqualTo("1");
    assertThat(IpOracle.sysctl(hostNs.name(), key)).isEqualTo("1");
    assertThat(IpOracle.sysctl(hostNs.name(), "net.ipv4.neigh." + cali.value() + ".proxy_delay"))
        .isEqualTo("0");
    // The real host has no such interface: the write did not go there.
    assertThat(Files.exists(Path.of("/proc/sys/net/ipv4/conf/" + cali.value()))).isFalse();
    assertThatThrownBy(() -> sysctls.write("kernel.hostname", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kernel.hostname");
  }

  @Test
  void severalValuesInOrderAndAFailureNamesItsKeyAndErrno() {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("net.ipv4.conf." + cali.value() + ".proxy_arp", "1");
    values.put("net.ipv4.neigh." + cali.value() + ".proxy_delay", "0");
    values.put("net.ipv4.conf." + cali.value() + ".forwarding", "1");
    sysctls.write(values);
    for (Map.Entry<String, String> e : values.entrySet()) {
      assertThat(IpOracle.sysctl(hostNs.name(), e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
    }
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put("net.ipv4.conf." + cali.value() + ".proxy_arp", "0");
    bad.put("net.ipv4.conf.cjt-no-such-link.proxy_arp", "1");
    assertThatThrownBy(() -> sysctls.write(bad))
        .isInstanceOfSatisfying(
            NetnsException.class,
            e -> {
              assertThat(e.isNotFound()).isTrue();
              assertThat(e.errnoName()).isEqualTo("ENOENT");
              assertThat(e.subject()).isEqualTo("net.ipv4.conf.cjt-no-such-link.proxy_arp");
            });
    // Written in order up to the failure.
    assertThat(IpOracle.sysctl(hostNs.name(), "net.ipv4.conf." + cali.value() + ".proxy_arp"))
        .isEqualTo("0");
    assertThatThrownBy(() -> sysctls.write(Map.of("kernel.hostname", "x")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aValueTheKernelRefusesIsEinval() {
    String key = "net.ipv4.conf." + cali.value() + ".proxy_arp";
    assertThatThrownBy(() -> sysctls.write(key, "not-a-number"))
        .isInstanceOfSatisfying(
            NetnsException.class,
            e -> {
              assertThat(e.isInvalidArgument()).isTrue();
              assertThat(e.getMessage()).contains(key).contains("not-a-number");
            });
    assertThatThrownBy(() -> sysctls.read("net.ipv4.conf.cjt-no-such-link.proxy_arp"))
        .isInstanceOfSatisfying(NetnsException.class, e -> assertThat(e.isNotFound()).isTrue());
  }

  @Test
  void fromAThreadAlreadyInTheNamespace() {
    String key = "net.ipv4.conf." + cali.value() + ".proxy_arp";
    String inside =
        host.call(
            () -> {
              sysctls.write(key, "1");
              return sysctls.read(key);
            });
    assertThat(inside).isEqualTo("1");
    assertThat(IpOracle.sysctl(hostNs.name(), key)).isEqualTo("1");
  }

  @Test
  void aClosedNamespaceIsACallerError() {
    try (NetNs copy = host.duplicate()) {
      Sysctls s = Sysctls.in(copy);
      copy.close();
      assertThatThrownBy(() -> s.read("net.ipv4.conf." + cali.value() + ".proxy_arp"))
          .isInstanceOf(IllegalStateException.class);
    }
  }
}
