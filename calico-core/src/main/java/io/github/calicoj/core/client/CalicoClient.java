package io.github.calicoj.core.client;

import static java.util.Objects.requireNonNull;

import io.github.calicoj.core.AlreadyExistsException;
import io.github.calicoj.core.CalicoException;
import io.github.calicoj.core.CalicoException.Reason;
import io.github.calicoj.core.ConflictException;
import io.github.calicoj.core.NodeNotConfiguredException;
import io.github.calicoj.core.NotFoundException;
import io.github.calicoj.core.ProfileAlreadyInEndpointException;
import io.github.calicoj.core.ProfileNotInEndpointException;
import io.github.calicoj.core.WireFormat;
import io.github.calicoj.core.WorkloadException;
import io.github.calicoj.core.check.CheckOptions;
import io.github.calicoj.core.check.CheckReport;
import io.github.calicoj.core.check.IpamChecker;
import io.github.calicoj.core.internal.Durations;
import io.github.calicoj.core.ipam.Ipam;
import io.github.calicoj.core.model.Names;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.core.repository.Hosts;
import io.github.calicoj.core.repository.IpPools;
import io.github.calicoj.core.repository.Profiles;
import io.github.calicoj.core.repository.WorkloadEndpoints;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.netns.InterfaceName;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Puts containers on a Calico network: the reference {@code calicoctl container …} flows as a
 * library.
 *
 * <pre>{@code
 * try (Datastore store = EtcdGatewayDatastore.builder().endpoints("http://127.0.0.1:2379").build();
 *     CalicoClient calico = CalicoClient.builder(store, "calico-01").build()) {
 *   calico.configureNode(NodeConfig.ipv4((Inet4Address) InetAddress.getByName("172.17.8.101")));
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
   * {@code calicoctl container add}: resolves the workload, chooses its IP, creates the veth with
   * its peer born in the workload under {@code interfaceName}, reads the MAC, routes the IP to the
   * cali link on the host, and commits the IP's block, the workload's marker and the endpoint in
   * one transaction; meanwhile the container's address, its on-link and default routes and the host
   * link's settings are set up on another thread. If any step fails, every earlier step is undone:
   * no IP, veth or key is left; a failure of the undo is attached as suppressed. {@link AddStep}
   * lists the steps.
   *
   * <p>Of concurrent adds of one workload exactly one wins. A workload whose endpoint is dead (its
   * cali link gone and no interface of the workload its peer, as after a killed add whose write the
   * datastore applied late, or a restarted container) has it removed and is added again. A cali
   * pair that a killed add left in the workload is deleted. A namespace that is the host side's own
   * or the caller's is refused.
   *
   * <p>A reader of the datastore may see the endpoint up to one transaction's time (about a
   * millisecond) before the container's address and routes are in place, never before its interface
   * and host route exist.
   *
   * @param workload a namespace path or a Docker container name or id
   * @return the endpoint as written
   * @throws WorkloadException if the workload cannot be resolved, is not running, uses the host
   *     network or the host's namespace, or {@code interfaceName} exists in it without an endpoint
   * @throws AlreadyExistsException ({@link Reason#ALREADY_CONFIGURED}) "X has already been
   *     configured with Calico Networking.", X as given. As in the reference, this comes before the
   *     IP request's own errors.
   * @throws NotFoundException ({@link Reason#POOL_NOT_FOUND}) if the IP is in no pool
   * @throws AlreadyExistsException ({@link Reason#ADDRESS_ALREADY_ASSIGNED}) if the IP is taken
   * @throws CalicoException ({@link Reason#POOL_EXHAUSTED}) if no address is free; ({@link
   *     Reason#OUTCOME_UNKNOWN}) if the datastore did not confirm the write (rolled back)
   * @throws NodeNotConfiguredException if this host has no next hop for the IP's version
   * @throws io.github.calicoj.netns.NetnsException if the kernel refused a dataplane step
   */
  WorkloadEndpoint addContainer(String workload, IpRequest ipRequest, InterfaceName interfaceName);

  /**
   * {@link #addContainer(String, IpRequest, InterfaceName)} with the request and the interface as
   * text.
   *
   * @param ipRequest a specific IP, {@code ipv4}, {@code ipv6}, or a pool CIDR
   * @throws IllegalArgumentException for a bad IP request or interface name (nothing done)
   */
  default WorkloadEndpoint addContainer(String workload, String ipRequest, String interfaceName) {
    return addContainer(workload, IpRequest.parse(ipRequest), InterfaceName.of(interfaceName));
  }

  /** {@link #addContainer(String, String, String)} on {@link #DEFAULT_INTERFACE}. */
  default WorkloadEndpoint addContainer(String workload, String ipRequest) {
    return addContainer(workload, ipRequest, DEFAULT_INTERFACE);
  }

  /**
   * Adds a workload that the caller has resolved itself (an orchestrator such as a CNI runtime):
   * the same flow as {@link #addContainer(String, IpRequest, InterfaceName)}, with the endpoint
   * keyed by the given orchestrator and workload id, starting in {@code options}' profiles, and its
   * addresses owned by {@code options}' owner. Messages name the workload by its id.
   *
   * @throws NotFoundException ({@link Reason#PROFILE_NOT_FOUND}) if a profile does not exist
   * @throws AlreadyExistsException ({@link Reason#ALREADY_CONFIGURED}) if it has an endpoint
   */
  WorkloadEndpoint addWorkload(
      WorkloadRef workload, IpRequest ipRequest, InterfaceName interfaceName, AddOptions options);

  /**
   * Removes a workload that the caller has resolved itself, idempotently: its data (endpoints,
   * marker and addresses in one transaction), then its veths, then any cali pair a killed add left
   * in its namespace (if the namespace still exists). Nothing to remove is not an error.
   *
   * @return the endpoints removed (empty if there were none)
   */
  List<WorkloadEndpoint> removeWorkload(WorkloadRef workload);

  /** The endpoint of a workload that the caller has resolved itself, if it has one. */
  Optional<WorkloadEndpoint> endpoint(WorkloadRef workload);

  /**
   * {@code calicoctl container remove}: deletes the workload's endpoints and marker and releases
   * their IPs in one transaction, then deletes its veths (tolerating ones already gone). Works when
   * the container no longer exists (given its full id or namespace path). With no data but a cali
   * pair left in the workload by a killed add, deletes the pair. A workload's marker is deleted
   * whatever else is found, even alone (as an endpoint deleted by another tool leaves it).
   *
   * @return the endpoints removed (empty if only a marker or a leftover pair was)
   * @throws NotFoundException ({@link Reason#WORKLOAD_NOT_CONFIGURED}) "Failed find Calico data for
   *     X"
   * @throws ConflictException ({@link Reason#WORKLOAD_MISMATCH}) if a path shares its workload id
   *     with the path the workload was added by and names another namespace
   */
  List<WorkloadEndpoint> removeContainer(String workload);

  /**
   * Removes many workloads at once: like {@link #removeContainer} for each, but their data goes in
   * a few transactions and their veths in one bulk kernel delete (about 0.4 ms per veth instead of
   * ~20 ms). Workloads without Calico data are skipped. A path that shares its workload id with the
   * path the workload was added by, and names another namespace, is refused as {@link
   * #removeContainer} refuses it: that workload stays, the others are removed, then the refusal is
   * thrown.
   *
   * @return the endpoints removed
   * @throws ConflictException ({@link Reason#WORKLOAD_MISMATCH}) after removing the other
   *     workloads, with {@link #removeContainer}'s message for each refused path
   */
  List<WorkloadEndpoint> removeContainers(Collection<String> workloads);

  /**
   * Re-plumbs a configured workload whose network namespace was replaced, as after {@code docker
   * restart}: the same endpoint, interface name and addresses, a new veth into the workload's
   * current namespace, its addresses, routes and host side set up again; then the endpoint's MAC
   * (which the node agent's policy checks) and the workload's recorded namespace are updated in one
   * compare-and-set transaction. A workload whose interface is in place is left as it is.
   *
   * @return the endpoint as it is now
   * @throws NotFoundException ({@link Reason#WORKLOAD_NOT_CONFIGURED}) if it has no endpoint
   */
  WorkloadEndpoint restoreContainer(String workload);

  /**
   * {@code calicoctl container <C> ip add}: assigns another IP and adds it to the interface and the
   * endpoint; the IP's block and the endpoint commit together. The first address of a family also
   * gets that family's on-link and default routes in the container, the host side's settings, and
   * (era A) the endpoint's gateway of that family. The interface is checked before anything is
   * assigned, and any failure undoes the address and route (calicoctl#565).
   *
   * @return the endpoint as written; the new address is the one it did not have before
   * @throws NotFoundException if the workload has no endpoint ({@link
   *     Reason#WORKLOAD_NOT_CONFIGURED}), or the interface does not exist in the container ({@link
   *     Reason#INTERFACE_NOT_FOUND})
   */
  WorkloadEndpoint addIp(String workload, IpRequest ipRequest, InterfaceName interfaceName);

  /**
   * {@link #addIp(String, IpRequest, InterfaceName)} for a workload that the caller has resolved
   * itself: a second address family for a CNI container, say (its on-link and default routes come
   * with its first address).
   */
  WorkloadEndpoint addIp(WorkloadRef workload, IpRequest ipRequest, InterfaceName interfaceName);

  /** {@link #addIp(String, IpRequest, InterfaceName)} with the request and interface as text. */
  default WorkloadEndpoint addIp(String workload, String ipRequest, String interfaceName) {
    return addIp(workload, IpRequest.parse(ipRequest), InterfaceName.of(interfaceName));
  }

  /**
   * {@code calicoctl container <C> ip remove}: removes the address from the interface and the host
   * route, then from the endpoint and IPAM in one transaction.
   *
   * @throws NotFoundException if the workload has no endpoint, or not this IP ({@link
   *     Reason#ADDRESS_NOT_ON_ENDPOINT})
   */
  WorkloadEndpoint removeIp(String workload, InetAddress ip, InterfaceName interfaceName);

  /** {@link #removeIp(String, InetAddress, InterfaceName)} with the interface as text. */
  default WorkloadEndpoint removeIp(String workload, InetAddress ip, String interfaceName) {
    return removeIp(workload, ip, InterfaceName.of(interfaceName));
  }

  /** The workload's endpoint on this host, if it has one. */
  Optional<WorkloadEndpoint> endpoint(String workload);

  /** Every endpoint on this host. */
  List<WorkloadEndpoint> endpoints();

  /**
   * Appends profiles to the workload's endpoint; every profile must exist and appear once.
   *
   * @throws NotFoundException for an unknown workload ({@link Reason#ENDPOINT_NOT_FOUND}) or
   *     profile ({@link Reason#PROFILE_NOT_FOUND})
   * @throws ProfileAlreadyInEndpointException if one is already there
   */
  WorkloadEndpoint appendProfiles(String workload, List<String> profiles);

  /**
   * Removes profiles from the workload's endpoint.
   *
   * @throws ProfileNotInEndpointException if one is not there
   */
  WorkloadEndpoint removeProfiles(String workload, List<String> profiles);

  /** Replaces the workload's profiles (an empty list clears them). */
  WorkloadEndpoint setProfiles(String workload, List<String> profiles);

  /**
   * Configures this host's next hops (its BGP addresses) and AS number, and ensures the global
   * config Felix needs ({@code calicoctl node}, data part).
   */
  void configureNode(NodeConfig config);

  /**
   * {@code calicoctl ipam check [--repair] [--grace DURATION] [--all-hosts]}: finds what outlived
   * its workload or lost its partner (allocations without endpoints, endpoints without allocations
   * or links, dead workloads, leftover links and markers, empty affine blocks, wrong handles) on
   * this host, or in the datastore of every host, and with {@link CheckOptions#repair()} repairs it
   * with guarded transactions, never touching anything younger than the grace period. Uses this
   * client's host namespace, Docker daemon and IPAM; see {@link IpamChecker} for what is read and
   * written.
   *
   * @return the findings, what was done about them, and their table and JSON renderings
   */
  CheckReport checkIpam(CheckOptions options);

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
    Duration rollbackWait = Duration.ofSeconds(2);
    @Nullable String dockerHost;
    Consumer<AddStep> stepListener = step -> {};

    Builder(Datastore datastore, String hostname) {
      this.datastore = requireNonNull(datastore, "datastore");
      this.hostname = Names.checkHostname(hostname);
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
      this.dockerTimeout = Durations.requirePositive(timeout, "timeout", "dockerTimeout");
      return this;
    }

    /**
     * The longest an add waits for the dataplane work (container address and routes, host sysctls)
     * that it runs on another thread while it writes to the datastore. Netlink calls are bounded on
     * their own, which normally ends the wait first. When it passes, the add fails with a {@link
     * io.github.calicoj.core.CalicoException} and rolls back. Default 60 s.
     */
    public Builder dataplaneWait(Duration timeout) {
      this.dataplaneWait = Durations.requirePositive(timeout, "timeout", "dataplaneWait");
      return this;
    }

    /**
     * The longest a rollback waits for the datastore after a write whose outcome is unknown (while
     * it makes sure the write can never apply). When it passes, the command ends anyway, and what
     * the datastore may still apply is cleaned up by the next command on that workload. Default 2
     * s.
     */
    public Builder rollbackWait(Duration timeout) {
      this.rollbackWait = Durations.requirePositive(timeout, "timeout", "rollbackWait");
      return this;
    }

    /**
     * Called before each {@link AddStep} of {@code addContainer}. A listener that throws fails the
     * add at that step, which then rolls back: the seam for fault-injection tests and tracing,
     * reachable from this package only.
     */
    Builder stepListener(Consumer<AddStep> listener) {
      this.stepListener = requireNonNull(listener, "listener");
      return this;
    }

    /** Builds the client. No socket is opened until the first namespace operation. */
    public CalicoClient build() {
      return new DefaultCalicoClient(this);
    }
  }
}
