package io.github.calicoj.core.client;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.github.calicoj.core.Hosts;
import io.github.calicoj.core.IpPools;
import io.github.calicoj.core.Profiles;
import io.github.calicoj.core.WireFormat;
import io.github.calicoj.core.WorkloadEndpoints;
import io.github.calicoj.core.ipam.Ipam;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.datastore.Datastore;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Puts containers on a Calico network: the reference {@code calicoctl container …} flows as a
 * library.
 *
 * <pre>{@code
 * try (Datastore store = EtcdDatastore.builder().endpoints("http://127.0.0.1:2379").build();
 *     CalicoClient calico = CalicoClient.builder(store, "calico-01").build()) {
 *   calico.configureNode((Inet4Address) InetAddress.getByName("172.17.8.101"), null, null);
 *   calico.ipPools().add(IpPool.of(Cidr.parse("192.168.0.0/16")));
 *   WorkloadEndpoint ep = calico.addContainer("my-container", "192.168.0.1");
 *   calico.profiles().create("web");
 *   calico.appendProfiles("my-container", List.of("web"));
 * }
 * }</pre>
 *
 * <p>A <b>workload</b> is a network namespace path ({@code /var/run/netns/x}, {@code
 * /proc/PID/ns/net}; orchestrator {@code namespace}) or a Docker container name or id (resolved
 * through the Docker Engine API; orchestrator {@code docker}, workload id the full 64-hex id).
 *
 * <p><b>Thread safety and ownership:</b> thread-safe; build one per host and share it. It borrows
 * the {@link Datastore} (close that after the client) and owns its netlink sockets, which {@link
 * #close()} releases. Namespace work needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN).
 */
public interface CalicoClient extends AutoCloseable {

  /** The reference CLI's default container interface. */
  String DEFAULT_INTERFACE = "eth1";

  /** A builder for a client of {@code hostname}'s workloads, keeping state in {@code datastore}. */
  static Builder builder(Datastore datastore, String hostname) {
    return new Builder(datastore, hostname);
  }

  /** The host whose workloads this client manages. */
  String hostname();

  /**
   * {@code calicoctl container add}: resolves the workload, checks that it has no endpoint, chooses
   * the IP, reads the next hop, creates the veth with its peer born in the container under {@code
   * interfaceName}, reads the MAC, writes the endpoint, adds the address and the on-link and
   * default routes, sets the host side's sysctls (if host routing is on), and routes the IP to the
   * cali link on the host. If any step fails, every earlier step is undone: no IP, veth or key is
   * left; a failure of the undo is attached as suppressed. {@link AddStep} lists the steps.
   *
   * <p>All datastore writes for the add happen in one transaction: the IP's block, the workload's
   * marker and the endpoint. It requires that the block is unchanged since the IP was chosen
   * (otherwise the IP is chosen again and the container readdressed) and that the workload has no
   * marker; it also reads the workload's endpoints, so one that another tool stored is found. So of
   * concurrent adds of one workload exactly one wins, and an add that dies midway leaves no IP or
   * key behind. Only claiming a new block for this host is written earlier.
   *
   * <p>The transaction is sent once the veth exists and its MAC is known; while it is in flight,
   * another thread adds the container's address and routes and the host's sysctls, and the add
   * returns only after both. A reader of the datastore may therefore see the endpoint up to one
   * transaction's time (about a millisecond) before the container's address and routes are in
   * place, never before its interface exists. The host route follows the transaction.
   *
   * @param ipRequest a specific IP, {@code ipv4}, {@code ipv6}, or a pool CIDR
   * @return the endpoint as written
   * @throws IllegalArgumentException for a bad IP request or interface name (nothing done)
   * @throws WorkloadException if the workload cannot be resolved, is not running, or uses the host
   *     network; or if {@code interfaceName} exists in it without an endpoint (after a bounded wait
   *     for a concurrent add of it from another process)
   * @throws io.github.calicoj.core.AlreadyExistsException "X has already been configured with
   *     Calico Networking." As in the reference, this comes before the IP request's own errors: a
   *     configured workload gets it even when its IP is taken or in no pool.
   * @throws io.github.calicoj.core.ipam.PoolNotFoundException if the IP is in no pool
   * @throws io.github.calicoj.core.ipam.AlreadyAssignedException if the IP is taken
   * @throws io.github.calicoj.core.ipam.IpPoolExhaustedException if no address is free
   * @throws NodeNotConfiguredException if this host has no next hop for the IP's version
   * @throws io.github.calicoj.netns.NetnsException if the kernel refused a dataplane step
   */
  WorkloadEndpoint addContainer(String workload, String ipRequest, String interfaceName);

  /** {@link #addContainer(String, String, String)} on {@link #DEFAULT_INTERFACE}. */
  default WorkloadEndpoint addContainer(String workload, String ipRequest) {
    return addContainer(workload, ipRequest, DEFAULT_INTERFACE);
  }

  /**
   * {@code calicoctl container remove}: releases the workload's IPs, deletes its veths (tolerating
   * ones already gone) and deletes its keys. Works when the container no longer exists (given its
   * full id or namespace path).
   *
   * @return the endpoints removed
   * @throws io.github.calicoj.core.NotFoundException "Failed find Calico data for X"
   */
  List<WorkloadEndpoint> removeContainer(String workload);

  /**
   * Removes many workloads at once: like {@link #removeContainer} for each, but all their veths go
   * in one bulk kernel delete (about 0.4 ms per veth instead of ~20 ms). Workloads without Calico
   * data are skipped.
   *
   * @return the endpoints removed
   */
  List<WorkloadEndpoint> removeContainers(java.util.Collection<String> workloads);

  /**
   * {@code calicoctl container <C> ip add}: assigns another IP and adds it to the interface. Unlike
   * the reference, the interface is checked before anything is assigned, and any failure releases
   * the IP again (calicoctl#565).
   *
   * @throws io.github.calicoj.core.NotFoundException if the workload has no endpoint, or the
   *     interface does not exist in the container
   */
  WorkloadEndpoint addIp(String workload, String ipRequest, String interfaceName);

  /**
   * {@code calicoctl container <C> ip remove}: removes the address from the interface and the
   * endpoint, then releases it.
   *
   * @throws io.github.calicoj.core.NotFoundException if the workload has no endpoint or not this IP
   */
  WorkloadEndpoint removeIp(String workload, InetAddress ip, String interfaceName);

  /** The workload's endpoint on this host, if it has one. */
  Optional<WorkloadEndpoint> endpoint(String workload);

  /** Every endpoint on this host. */
  List<WorkloadEndpoint> endpoints();

  /**
   * Appends profiles to the workload's endpoint; every profile must exist and appear once.
   *
   * @throws io.github.calicoj.core.NotFoundException for an unknown workload or profile
   * @throws io.github.calicoj.core.ProfileAlreadyInEndpointException if one is already there
   */
  WorkloadEndpoint appendProfiles(String workload, List<String> profiles);

  /**
   * Removes profiles from the workload's endpoint.
   *
   * @throws io.github.calicoj.core.ProfileNotInEndpointException if one is not there
   */
  WorkloadEndpoint removeProfiles(String workload, List<String> profiles);

  /** Replaces the workload's profiles (an empty list clears them). */
  WorkloadEndpoint setProfiles(String workload, List<String> profiles);

  /**
   * Configures this host's next hops (its BGP addresses) and AS number, and ensures the global
   * config Felix needs ({@code calicoctl node}, data part).
   */
  void configureNode(
      @Nullable Inet4Address ipv4, @Nullable Inet6Address ipv6, @Nullable String asNumber);

  /** The endpoint repository. */
  WorkloadEndpoints workloadEndpoints();

  /** The profile repository. */
  Profiles profiles();

  /** The pool repository. */
  IpPools ipPools();

  /** The host repository. */
  Hosts hosts();

  /** IPAM. */
  Ipam ipam();

  /** Releases the client's netlink sockets. Idempotent; never throws; the datastore stays open. */
  @Override
  void close();

  /** Configures a {@link CalicoClient}. Not thread-safe. */
  final class Builder {
    final Datastore datastore;
    final String hostname;
    WireFormat wireFormat = WireFormat.ERA_A;
    boolean hostRouting = true;
    @Nullable Path hostNamespace;
    Duration dockerTimeout = Duration.ofSeconds(10);
    Duration dataplaneWait = Duration.ofSeconds(60);
    @Nullable String dockerHost;
    Consumer<AddStep> stepListener = step -> {};

    Builder(Datastore datastore, String hostname) {
      this.datastore = requireNonNull(datastore, "datastore");
      this.hostname = requireNonNull(hostname, "hostname");
      checkArgument(!hostname.isEmpty() && hostname.indexOf('/') < 0, "Bad hostname: %s", hostname);
    }

    /**
     * The data-model era: {@link WireFormat#ERA_A} (next hops from the host's BGP addresses,
     * gateways in endpoints; the default) or {@link WireFormat#ERA_B} (169.254.1.1).
     */
    public Builder wireFormat(WireFormat format) {
      this.wireFormat = requireNonNull(format, "format");
      return this;
    }

    /**
     * Whether to program the host side (the /32 route to each workload, proxy ARP and NDP,
     * forwarding). On by default; turn it off when Felix does it.
     */
    public Builder hostRouting(boolean enabled) {
      this.hostRouting = enabled;
      return this;
    }

    /**
     * The network namespace in which the host ends of the veths live. Default: the caller's own.
     * Tests and simulations pass one they made, so several "hosts" share one machine.
     */
    public Builder hostNamespace(Path path) {
      this.hostNamespace = requireNonNull(path, "path");
      return this;
    }

    /** The Docker daemon ({@code unix:///var/run/docker.sock}); default {@code DOCKER_HOST}. */
    public Builder dockerHost(String dockerHost) {
      this.dockerHost = requireNonNull(dockerHost, "dockerHost");
      return this;
    }

    /** The bound on one Docker API call. Default 10 s. */
    public Builder dockerTimeout(Duration timeout) {
      requireNonNull(timeout, "timeout");
      checkArgument(!timeout.isNegative() && !timeout.isZero(), "dockerTimeout must be positive");
      this.dockerTimeout = timeout;
      return this;
    }

    /**
     * The longest an add waits for the dataplane work (container address and routes, host sysctls)
     * that it runs on another thread while it writes to the datastore. Netlink calls are bounded on
     * their own, which normally ends the wait first. When it passes, the add fails with a {@link
     * io.github.calicoj.core.CalicoException} and rolls back. Default 60 s.
     */
    public Builder dataplaneWait(Duration timeout) {
      requireNonNull(timeout, "timeout");
      checkArgument(!timeout.isNegative() && !timeout.isZero(), "dataplaneWait must be positive");
      this.dataplaneWait = timeout;
      return this;
    }

    /**
     * Called before each {@link AddStep} of {@code addContainer}. A listener that throws fails the
     * add at that step, which then rolls back: the seam for fault-injection tests and for tracing.
     * It must be fast and thread-safe.
     */
    public Builder stepListener(Consumer<AddStep> listener) {
      this.stepListener = requireNonNull(listener, "listener");
      return this;
    }

    /** Builds the client. No socket is opened until the first namespace operation. */
    public CalicoClient build() {
      return new DefaultCalicoClient(this);
    }
  }
}
