package io.github.calicoj.examples.cli;

import io.github.calicoj.core.client.CalicoClient;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.etcd.EtcdClientKind;
import io.github.calicoj.datastore.etcd.EtcdGatewayDatastore;
import io.github.calicoj.datastore.etcd.EtcdSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What every command shares: the streams, the environment, the global options, and the settings,
 * datastore and client, each made on first use and closed at the end. Not thread-safe (one command
 * per process).
 */
final class Cli implements AutoCloseable {
  final PrintStream out;
  final PrintStream err;
  final InputStream in;
  final Map<String, String> env;
  private final @Nullable Path hostNetnsOption;
  private final @Nullable String endpointsOption;
  private final boolean ownsStore;
  private @Nullable Settings settings;
  private @Nullable Datastore store;
  private @Nullable CalicoClient client;

  /**
   * A context for one command.
   *
   * @param hostNetns {@code --host-netns}, if given
   * @param etcdEndpoints {@code --etcd-endpoints}, if given
   * @param store a datastore to borrow instead of connecting to etcd (tests), or null
   */
  Cli(
      PrintStream out,
      PrintStream err,
      InputStream in,
      Map<String, String> env,
      @Nullable Path hostNetns,
      @Nullable String etcdEndpoints,
      @Nullable Datastore store) {
    this.out = out;
    this.err = err;
    this.in = in;
    this.env = env;
    this.hostNetnsOption = hostNetns;
    this.endpointsOption = etcdEndpoints;
    this.store = store;
    this.ownsStore = store == null;
  }

  /** Prints a line on stdout. */
  void print(String line) {
    out.println(line);
  }

  /** The settings from the environment and the global options, checked on first use. */
  Settings settings() {
    if (settings == null) {
      settings = Settings.from(env, hostNetnsOption, endpointsOption);
    }
    return settings;
  }

  /**
   * The datastore, made on first use. By default the CLI talks to etcd through its JSON gateway
   * ({@link EtcdGatewayDatastore}), which starts in milliseconds; {@code CALICOJ_ETCD_CLIENT=jetcd}
   * selects the jetcd client ({@code calico-datastore-jetcd}) instead. Both take the same settings.
   */
  Datastore store() {
    if (store == null) {
      Settings s = settings();
      EtcdSettings<?> b = (s.jetcd() ? EtcdClientKind.JETCD : EtcdClientKind.GATEWAY).builder();
      s.applyTo(b);
      store = b.build();
    }
    return store;
  }

  /** The client of this host's workloads, made on first use. */
  CalicoClient client() {
    if (client == null) {
      Settings s = settings();
      CalicoClient.Builder b = CalicoClient.builder(store(), hostname()).wireFormat(s.wireFormat());
      if (s.hostNetns() != null) {
        b.hostNamespace(s.hostNetns());
      }
      if (s.dockerHost() != null) {
        b.dockerHost(s.dockerHost());
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
      throw CliException.notRoot();
    }
  }

  /** Whether this process's real uid is 0, from {@code /proc/self/status}. */
  static boolean isRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          String ids = line.substring(4).strip();
          int end = 0;
          while (end < ids.length() && !Character.isWhitespace(ids.charAt(end))) {
            end++;
          }
          return ids.substring(0, end).equals("0");
        }
      }
    } catch (IOException e) {
      // no procfs: fall back to the user name
    }
    return "root".equals(System.getProperty("user.name"));
  }

  /** Closes the client, then the datastore if this context made it. Never throws. */
  @Override
  public void close() {
    if (client != null) {
      client.close();
    }
    if (store != null && ownsStore) {
      store.close();
    }
  }
}
