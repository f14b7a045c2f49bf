package io.github.calicoj.cni;

import io.github.calicoj.core.WireFormat;
import io.github.calicoj.core.client.CalicoClient;
import io.github.calicoj.core.client.WorkloadRef;
import io.github.calicoj.core.ipam.IpOwner;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.etcd.EtcdGatewayDatastore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * What an invocation talks to: the etcd client ({@link EtcdGatewayDatastore}, which starts in
 * milliseconds, where jetcd's gRPC channel takes about half a second in a fresh JVM), the {@link
 * CalicoClient} of this node in era B (workloads route via 169.254.1.1, so the node needs no BGP
 * address configured first), and the container's identity in Calico's terms. Owns both clients;
 * {@link #close()} closes them. Thread-safe, as both clients are: the {@link CniServer}'s requests
 * share one (see {@link SessionCache}).
 */
final class CalicoSession implements AutoCloseable {
  /** The orchestrator id of every endpoint this plugin writes. */
  static final String ORCHESTRATOR = "cni";

  /** How long an ADD waits for the dataplane work it runs beside the datastore write. */
  private static final Duration DATAPLANE_WAIT = Duration.ofSeconds(20);

  private final String nodename;
  private final Datastore store;
  private final CalicoClient client;

  private CalicoSession(String nodename, Datastore store, CalicoClient client) {
    this.nodename = nodename;
    this.store = store;
    this.client = client;
  }

  /**
   * Connects to etcd (lazily: no request is made here) and builds the client.
   *
   * @throws CniException ({@link CniCode#INVALID_CONFIG}) for bad etcd endpoints or TLS files
   */
  static CalicoSession open(NetConf conf) {
    String nodename = conf.nodename(kernelHostname());
    EtcdGatewayDatastore.Builder b =
        EtcdGatewayDatastore.builder().requestTimeout(conf.etcdTimeout);
    Datastore store;
    try {
      b.endpoints(conf.etcdEndpoints);
      if (conf.etcdCaCertFile != null) {
        b.trustedCa(conf.etcdCaCertFile);
      }
      if (conf.etcdCertFile != null && conf.etcdKeyFile != null) {
        b.clientCertificate(conf.etcdCertFile, conf.etcdKeyFile);
      }
      store = b.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new CniException(CniCode.INVALID_CONFIG, "etcd settings: " + e.getMessage(), null, e);
    }
    try {
      CalicoClient.Builder cb =
          CalicoClient.builder(store, nodename)
              .wireFormat(WireFormat.ERA_B)
              .dataplaneWait(DATAPLANE_WAIT);
      if (conf.hostNetns != null) {
        cb.hostNamespace(conf.hostNetns);
      }
      return new CalicoSession(nodename, store, cb.build());
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /** The kernel's host name ({@code /proc/sys/kernel/hostname}), Calico's default node name. */
  static String kernelHostname() {
    try {
      String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
      if (!h.isEmpty()) {
        return h;
      }
    } catch (IOException e) {
      // fall through to the error below
    }
    throw new CniException(
        CniCode.INVALID_CONFIG, "Cannot read this host's name; set nodename in the configuration");
  }

  /** The client. */
  CalicoClient client() {
    return client;
  }

  /** The Calico host name. */
  String nodename() {
    return nodename;
  }

  /** The container as a Calico workload: orchestrator {@code cni}, workload id the container id. */
  static WorkloadRef workload(CniEnvironment env) {
    return new WorkloadRef(ORCHESTRATOR, env.containerId(), Path.of(env.netns()));
  }

  /**
   * The IPAM handle of the container's addresses on {@code network}: {@code network.containerId}.
   */
  static String handle(String network, String containerId) {
    return network + "." + containerId;
  }

  /**
   * The IPAM owner: the handle, and the block attributes {@code host}, {@code orchestrator} and
   * {@code workload} that calicoj's other writers set too (Calico's readers ignore them).
   */
  IpOwner owner(String network, String containerId) {
    return IpOwner.of(
        handle(network, containerId),
        Map.of("host", nodename, "orchestrator", ORCHESTRATOR, "workload", containerId));
  }

  /** Closes the client, then the datastore. Idempotent; never throws. */
  @Override
  public void close() {
    client.close();
    store.close();
  }
}
