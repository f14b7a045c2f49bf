package io.github.calicoj.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.testkit.EtcdExtension;
import io.github.calicoj.testkit.Requirements;
import io.github.calicoj.testkit.TestNamespace;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CLI's environment, with both etcd clients ({@code CALICOJ_ETCD_CLIENT}): mutual TLS from
 * {@code ETCD_CA_CERT_FILE}/{@code ETCD_CERT_FILE}/{@code ETCD_KEY_FILE}; user and password from
 * {@code ETCD_USERNAME}/{@code ETCD_PASSWORD}, reached through {@code ETCD_SCHEME} + {@code
 * ETCD_AUTHORITY}; {@code HOSTNAME}; {@code CALICO_DATA_ERA}. A refused connection or credential is
 * one line and exit 1 within the timeout. Commands run in this JVM through {@link Calicoctl#run};
 * what they wrote is read back with etcdctl.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CalicoctlEnvironmentIT {
  @RegisterExtension static final EtcdExtension TLS = EtcdExtension.mutualTls();
  @RegisterExtension static final EtcdExtension AUTH = EtcdExtension.single();

  private static final String ROOT = "--user=root:rootpw";

  @BeforeAll
  static void enableAuth() {
    var c = AUTH.cluster();
    c.etcdctl("user", "add", "root:rootpw");
    c.etcdctl("auth", "enable");
    c.etcdctl(ROOT, "role", "add", "calico-rw");
    // Calico's tree, and calicoj's workload markers beside it.
    for (String prefix : List.of("/calico/", "/calicoj/")) {
      c.etcdctl(
          ROOT, "role", "grant-permission", "calico-rw", "--prefix=true", "readwrite", prefix);
    }
    c.etcdctl(ROOT, "user", "add", "calico:calicopw");
    c.etcdctl(ROOT, "user", "grant-role", "calico", "calico-rw");
  }

  record Run(int exit, String out) {}

  private static Run run(Map<String, String> env, String... args) {
    ByteArrayOutputStream both = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(both, true, StandardCharsets.UTF_8);
    int exit = Calicoctl.run(args, ps, ps, new ByteArrayInputStream(new byte[0]), env);
    return new Run(exit, both.toString(StandardCharsets.UTF_8).trim());
  }

  private static Map<String, String> tlsEnv(String client, boolean withClientCert) {
    Map<String, String> env = new HashMap<>();
    env.put("CALICOJ_ETCD_CLIENT", client);
    env.put("ETCD_ENDPOINTS", TLS.endpoints());
    env.put("ETCD_CA_CERT_FILE", TLS.tls().caCert().toString());
    if (withClientCert) {
      env.put("ETCD_CERT_FILE", TLS.tls().clientCert().toString());
      env.put("ETCD_KEY_FILE", TLS.tls().clientKey().toString());
    }
    env.put("CALICO_ETCD_TIMEOUT", "3");
    env.put("HOSTNAME", "cjt-env-" + client);
    return env;
  }

  private static Map<String, String> authEnv(String client, String password) {
    String url = AUTH.endpoints();
    Map<String, String> env = new HashMap<>();
    env.put("CALICOJ_ETCD_CLIENT", client);
    env.put("ETCD_SCHEME", url.substring(0, url.indexOf("://")));
    env.put("ETCD_AUTHORITY", url.substring(url.indexOf("://") + 3));
    env.put("ETCD_USERNAME", "calico");
    env.put("ETCD_PASSWORD", password);
    env.put("CALICO_ETCD_TIMEOUT", "3");
    env.put("HOSTNAME", "cjt-env-" + client);
    return env;
  }

  /** A failure the CLI reports as the reference does: one line, exit 1, within the timeout. */
  private static void failsCleanly(Map<String, String> env, String... args) {
    long t0 = System.nanoTime();
    Run r = run(env, args);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(r.exit()).as(r.out()).isEqualTo(1);
    assertThat(r.out())
        .startsWith("Error accessing etcd (")
        .endsWith("Is etcd running?")
        .doesNotContain("\n")
        .doesNotContain("\tat ");
    assertThat(ms).as("milliseconds to fail").isLessThan(15_000);
  }

  @ParameterizedTest
  @ValueSource(strings = {"gateway", "jetcd"})
  void mutualTlsFromTheEnvironment(String client) {
    String profile = "TLS_" + client;
    assertThat(run(tlsEnv(client, true), "profile", "add", profile))
        .isEqualTo(new Run(0, "Created profile " + profile));
    assertThat(TLS.cluster().value("/calico/v1/policy/profile/" + profile + "/tags"))
        .isEqualTo("[\"" + profile + "\"]");
    // HOSTNAME names the host whose next hop `node` sets.
    assertThat(run(tlsEnv(client, true), "node", "--ip=172.31.249.1"))
        .isEqualTo(
            new Run(
                0,
                "Calico node configured for host cjt-env-"
                    + client
                    + " (IPv4 172.31.249.1, IPv6 none)"));
    assertThat(TLS.cluster().value("/calico/bgp/v1/host/cjt-env-" + client + "/ip_addr_v4"))
        .isEqualTo("172.31.249.1");

    // The server requires a client certificate.
    failsCleanly(tlsEnv(client, false), "profile", "show");
  }

  @ParameterizedTest
  @ValueSource(strings = {"gateway", "jetcd"})
  void userAndPasswordFromTheEnvironment(String client) {
    String profile = "AUTH_" + client;
    assertThat(run(authEnv(client, "calicopw"), "profile", "add", profile))
        .isEqualTo(new Run(0, "Created profile " + profile));
    assertThat(AUTH.cluster().value("/calico/v1/policy/profile/" + profile + "/tags", ROOT))
        .isEqualTo("[\"" + profile + "\"]");
    failsCleanly(authEnv(client, "wrong"), "profile", "show");
  }

  @Test
  void eraBFromTheEnvironment() {
    Requirements.requireRoot();
    try (TestNamespace host = TestNamespace.createHost("172.31.249.1");
        TestNamespace w = TestNamespace.create()) {
      Map<String, String> env = authEnv("gateway", "calicopw");
      env.put("CALICO_DATA_ERA", "B");
      env.put("CALICO_HOST_NETNS", host.path().toString());
      env.put("HOSTNAME", "cjt-env-era-b");
      assertThat(run(env, "pool", "add", "10.125.0.0/16").exit()).isZero();
      String path = w.path().toString();
      assertThat(run(env, "container", "add", path, "10.125.0.1"))
          .isEqualTo(new Run(0, "IP 10.125.0.1 added to " + path));
      String prefix =
          "/calico/v1/host/cjt-env-era-b/workload/namespace/" + path.replace('/', '-') + "/";
      String json =
          AUTH.cluster().etcdctl(ROOT, "get", "--prefix", "--print-value-only", prefix).trim();
      assertThat(json)
          .contains("\"ipv4_nets\": [\"10.125.0.1/32\"], \"ipv6_nets\": [], \"labels\": {}}")
          .doesNotContain("gateway");
      assertThat(run(env, "container", "remove", path))
          .isEqualTo(new Run(0, "Removed Calico from " + path));
      assertThat(AUTH.cluster().keys(prefix, ROOT)).isEmpty();
    }
  }
}
