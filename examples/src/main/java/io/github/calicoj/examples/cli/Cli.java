package io.github.calicoj.examples.cli;

import io.github.calicoj.core.WireFormat;
import io.github.calicoj.core.client.CalicoClient;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.etcd.EtcdGatewayDatastore;
import io.github.calicoj.datastore.etcd.EtcdSettings;
import io.github.calicoj.datastore.jetcd.EtcdDatastore;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What every command shares: the streams, the environment, and the datastore and client, made on
 * first use and closed at the end. Not thread-safe (one command per process).
 */
final class Cli implements AutoCloseable {
  final PrintStream out;
  final PrintStream err;
  final InputStream in;
  final Map<String, String> env;
  @Nullable Path hostNetns;
  @Nullable String etcdEndpoints;
  private @Nullable Datastore store;
  private @Nullable CalicoClient client;

  Cli(PrintStream out, PrintStream err, InputStream in, Map<String, String> env) {
    this.out = out;
    this.err = err;
    this.in = in;
    this.env = env;
  }

  /** {@code ETCD_ENDPOINTS}, else {@code ETCD_SCHEME://ETCD_AUTHORITY}, else the default. */
  String endpoints() {
    if (etcdEndpoints != null) {
      return etcdEndpoints;
    }
    String e = env.get("ETCD_ENDPOINTS");
    if (e != null && !e.isBlank()) {
      return e;
    }
    String authority = env.get("ETCD_AUTHORITY");
    if (authority != null && !authority.isBlank()) {
      return env.getOrDefault("ETCD_SCHEME", "http") + "://" + authority;
    }
    return "http://127.0.0.1:2379";
  }

  /**
   * The datastore, made on first use. By default the CLI talks to etcd through its JSON gateway
   * ({@link EtcdGatewayDatastore}), which starts in milliseconds; {@code CALICOJ_ETCD_CLIENT=jetcd}
   * selects {@link EtcdDatastore} instead. Both take the same settings from the environment.
   */
  Datastore store() {
    if (store == null) {
      boolean jetcd = "jetcd".equalsIgnoreCase(env.getOrDefault("CALICOJ_ETCD_CLIENT", "gateway"));
      if (jetcd) {
        EtcdDatastore.Builder b = EtcdDatastore.builder();
        configure(b);
        store = b.build();
      } else {
        EtcdGatewayDatastore.Builder b = EtcdGatewayDatastore.builder();
        configure(b);
        store = b.build();
      }
    }
    return store;
  }

  /** The etcd settings from the environment: endpoints, timeout, TLS files, credentials. */
  private void configure(EtcdSettings<?> b) {
    b.endpoints(endpoints())
        .requestTimeout(
            Duration.ofSeconds(Long.parseLong(env.getOrDefault("CALICO_ETCD_TIMEOUT", "5"))));
    String ca = env.get("ETCD_CA_CERT_FILE");
    if (ca != null && !ca.isBlank()) {
      b.trustedCa(Path.of(ca));
    }
    String cert = env.get("ETCD_CERT_FILE");
    String key = env.get("ETCD_KEY_FILE");
    if (cert != null && key != null && !cert.isBlank()) {
      b.clientCertificate(Path.of(cert), Path.of(key));
    }
    String user = env.get("ETCD_USERNAME");
    if (user != null && !user.isBlank()) {
      b.credentials(user, env.getOrDefault("ETCD_PASSWORD", ""));
    }
  }

  CalicoClient client() {
    if (client == null) {
      CalicoClient.Builder b = CalicoClient.builder(store(), hostname());
      Path netns = hostNetns;
      if (netns == null
          && env.get("CALICO_HOST_NETNS") != null
          && !env.get("CALICO_HOST_NETNS").isBlank()) {
        netns = Path.of(env.get("CALICO_HOST_NETNS"));
      }
      if (netns != null) {
        b.hostNamespace(netns);
      }
      if ("B".equalsIgnoreCase(env.getOrDefault("CALICO_DATA_ERA", "A"))) {
        b.wireFormat(WireFormat.ERA_B);
      }
      String docker = env.get("DOCKER_HOST");
      if (docker != null && !docker.isBlank()) {
        b.dockerHost(docker);
      }
      client = b.build();
    }
    return client;
  }

  /** {@code HOSTNAME} if set, else the kernel's hostname (pycalico {@code get_hostname}). */
  String hostname() {
    String h = env.get("HOSTNAME");
    if (h != null && !h.isBlank()) {
      return h.trim();
    }
    try {
      return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
    } catch (IOException e) {
      try {
        return InetAddress.getLocalHost().getHostName();
      } catch (IOException e2) {
        return "localhost";
      }
    }
  }

  /** Container commands need root: the reference's message on stderr and exit code 2. */
  void enforceRoot() {
    if (!isRoot()) {
      throw new CliException("This command must be run as root.", 2, true);
    }
  }

  static boolean isRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return com.google.common.base.Splitter.onPattern("\\s+")
              .splitToList(line)
              .get(1)
              .equals("0");
        }
      }
    } catch (IOException e) {
      // fall through
    }
    return "root".equals(System.getProperty("user.name"));
  }

  @Override
  public void close() {
    if (client != null) {
      client.close();
    }
    if (store != null) {
      store.close();
    }
  }
}
