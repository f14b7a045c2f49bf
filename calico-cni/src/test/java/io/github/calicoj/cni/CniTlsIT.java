package io.github.calicoj.cni;

import static io.github.calicoj.cni.CniTestbed.containerId;
import static io.github.calicoj.cni.CniTestbed.endpointKeys;
import static io.github.calicoj.cni.CniTestbed.invoke;
import static io.github.calicoj.cni.CniTestbed.withPrevResult;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.calicoj.testkit.EtcdExtension;
import io.github.calicoj.testkit.EtcdTls;
import io.github.calicoj.testkit.IpOracle;
import io.github.calicoj.testkit.Requirements;
import io.github.calicoj.testkit.TestNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The plugin against an etcd member that requires client certificates (mutual TLS), with the
 * configuration's TLS file options, and with Calico's defaults: no {@code nodename} (the kernel's
 * host name) and the default log level (nothing on stderr for a success).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CniTlsIT {
  @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.mutualTls();

  private static TestNamespace hostNs;

  @BeforeAll
  static void setUp() {
    Requirements.requireOpenssl();
    CniTestbed.requirePlugin();
    hostNs = CniTestbed.hostNamespace();
    CniTestbed.addPool(ETCD.cluster(), "10.128.0.0/16");
  }

  @AfterAll
  static void tearDown() {
    if (hostNs != null) {
      hostNs.close();
    }
  }

  private static String conf(boolean clientCertificate) {
    EtcdTls tls = ETCD.tls();
    return "{\"cniVersion\":\"1.0.0\",\"name\":\"cjt-tls-net\",\"type\":\"calico-cni\","
        + "\"etcd_endpoints\":\""
        + ETCD.endpoints()
        + "\",\"etcd_timeout\":5,\"etcd_ca_cert_file\":\""
        + tls.caCert()
        + "\""
        + (clientCertificate
            ? ",\"etcd_cert_file\":\""
                + tls.clientCert()
                + "\",\"etcd_key_file\":\""
                + tls.clientKey()
                + "\""
            : "")
        + ",\"host_netns\":\""
        + hostNs.path()
        + "\",\"ipam\":{\"type\":\"calico-ipam\"}}";
  }

  @Test
  void addAndDelOverMutualTlsOnTheKernelsHostName() throws Exception {
    assertThat(ETCD.endpoints()).startsWith("https://");
    String node = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
    try (TestNamespace c = TestNamespace.create()) {
      String id = containerId();
      String cfg = conf(true);
      CniTestbed.Invocation add = invoke("ADD", id, c.path().toString(), "eth0", "", cfg);
      String out = add.ok();
      assertThat(add.stderr()).doesNotContain("INFO").doesNotContain("WARN");
      assertThat(endpointKeys(ETCD.cluster(), node, id)).hasSize(1);
      invoke("CHECK", id, c.path().toString(), "eth0", "", withPrevResult(cfg, out)).ok();
      invoke("DEL", id, c.path().toString(), "eth0", "", withPrevResult(cfg, out)).ok();
      assertThat(endpointKeys(ETCD.cluster(), node, id)).isEmpty();
    }
  }

  @Test
  void withoutTheClientCertificateEtcdRefusesAndNothingIsMade() {
    assertThat(ETCD.endpoints()).doesNotContain(",");
    try (TestNamespace c = TestNamespace.create()) {
      String id = containerId();
      JsonNode e = invoke("ADD", id, c.path().toString(), "eth0", "", conf(false)).error(11);
      assertThat(e.path("msg").asText()).startsWith("ADD of container " + id.substring(0, 12));
      // etcd drops the connection (TLS 1.3 refuses the missing certificate after the handshake),
      // which the datastore cannot tell from an outage.
      assertThat(e.path("msg").asText()).contains("(etcd " + ETCD.endpoints());
      assertThat(e.path("details").asText()).isNotEmpty();
      assertThat(IpOracle.link(c.name(), "eth0")).isEmpty();
    }
  }

  @Test
  void aMissingTlsFileIsAConfigurationError() {
    try (TestNamespace c = TestNamespace.create()) {
      String cfg = conf(true).replace(ETCD.tls().caCert().toString(), "/nonexistent/ca.pem");
      JsonNode e = invoke("ADD", containerId(), c.path().toString(), "eth0", "", cfg).error(7);
      assertThat(e.path("msg").asText())
          .startsWith("etcd settings: ")
          .contains("/nonexistent/ca.pem");
    }
  }
}
