package io.github.calicoj.core.client;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.github.calicoj.core.CalicoException.Reason;
import io.github.calicoj.core.NotFoundException;
import io.github.calicoj.core.WireFormat;
import io.github.calicoj.core.check.CheckOptions;
import io.github.calicoj.core.check.CheckReport;
import io.github.calicoj.core.check.IpamChecker;
import io.github.calicoj.core.ipam.Ipam;
import io.github.calicoj.core.model.HostConfig;
import io.github.calicoj.core.model.Names;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.core.repository.EndpointQuery;
import io.github.calicoj.core.repository.Hosts;
import io.github.calicoj.core.repository.IpPools;
import io.github.calicoj.core.repository.Profiles;
import io.github.calicoj.core.repository.WorkloadEndpoints;
import io.github.calicoj.netns.InterfaceName;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The {@link CalicoClient} implementation: a facade over named parts, each owning its state —
 * {@link WorkloadResolver} (path or Docker), {@link HostDataplane} (the host namespace, its routes
 * and next hops), {@link ContainerAdd}, {@link ContainerRemove}, {@link ContainerIps}, {@link
 * IpamChecker} — and the repositories and IPAM they share. Thread-safe.
 */
final class DefaultCalicoClient implements CalicoClient {
  private final String hostname;
  private final WorkloadEndpoints endpoints;
  private final Profiles profiles;
  private final IpPools pools;
  private final Hosts hosts;
  private final Ipam ipam;
  private final WorkloadResolver resolver;
  private final HostDataplane host;
  private final ContainerAdd adds;
  private final ContainerRemove removes;
  private final ContainerIps ips;
  private final WorkloadRepair repair;
  private final ContainerRestore restores;
  private final IpamChecker checker;

  /** Runs each add's dataplane work while the add's thread writes to the datastore. */
  private final ExecutorService background =
      Executors.newCachedThreadPool(
          new ThreadFactoryBuilder().setNameFormat("calicoj-dataplane-%d").setDaemon(true).build());

  /** Workloads with an add running in this client: a second add of one is refused at once. */
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();

  DefaultCalicoClient(CalicoClient.Builder b) {
    this.hostname = b.hostname;
    WireFormat format = b.wireFormat;
    DockerEngine docker =
        b.dockerHost != null
            ? new DockerEngine(b.dockerHost, b.dockerTimeout)
            : DockerEngine.fromEnvironment(b.dockerTimeout);
    this.endpoints = new WorkloadEndpoints(b.datastore, format);
    this.profiles = new Profiles(b.datastore, format, endpoints);
    this.pools = new IpPools(b.datastore);
    this.hosts = new Hosts(b.datastore, format);
    this.ipam = Ipam.on(b.datastore);
    this.resolver = new WorkloadResolver(docker);
    this.host = new HostDataplane(hostname, format, hosts, b.hostRouting, b.hostNamespace);
    IpChoice choice = new IpChoice(hostname, pools, ipam);
    this.repair = new WorkloadRepair(hostname, endpoints, host, resolver);
    this.removes =
        new ContainerRemove(hostname, b.datastore, endpoints, ipam, host, resolver, repair);
    this.adds =
        new ContainerAdd(
            hostname,
            format,
            b.datastore,
            endpoints,
            choice,
            host,
            removes,
            repair,
            new CommitFence(b.datastore, removes, background, b.rollbackWait),
            background,
            b.stepListener,
            b.dataplaneWait);
    this.ips = new ContainerIps(hostname, b.datastore, endpoints, ipam, choice, host);
    this.restores = new ContainerRestore(hostname, format, b.datastore, endpoints, host);
    IpamChecker.Builder check =
        IpamChecker.builder(b.datastore, hostname)
            .ipam(ipam)
            .docker(docker)
            .restorer(this::restoreContainer);
    if (b.hostNamespace != null) {
      check.hostNamespace(b.hostNamespace);
    }
    this.checker = check.build();
  }

  @Override
  public String hostname() {
    return hostname;
  }

  @Override
  public WorkloadEndpoint addContainer(
      String workload, IpRequest ipRequest, InterfaceName interfaceName) {
    requireNonNull(workload, "workload");
    requireNonNull(ipRequest, "ipRequest");
    requireNonNull(interfaceName, "interfaceName");
    return add(resolver.resolve(workload, true), ipRequest, interfaceName, AddOptions.DEFAULT);
  }

  @Override
  public WorkloadEndpoint addWorkload(
      WorkloadRef workload, IpRequest ipRequest, InterfaceName interfaceName, AddOptions options) {
    requireNonNull(workload, "workload");
    requireNonNull(ipRequest, "ipRequest");
    requireNonNull(interfaceName, "interfaceName");
    requireNonNull(options, "options");
    validProfiles(options.profiles());
    return add(resolved(workload), ipRequest, interfaceName, options);
  }

  private WorkloadEndpoint add(
      ResolvedWorkload w, IpRequest ipRequest, InterfaceName interfaceName, AddOptions options) {
    String key = w.orchestratorId() + "/" + w.workloadId();
    if (!inFlight.add(key)) {
      throw ContainerAdd.alreadyConfigured(w); // an add of it is running here
    }
    try {
      return adds.add(w, ipRequest, interfaceName, options);
    } finally {
      inFlight.remove(key);
    }
  }

  private static ResolvedWorkload resolved(WorkloadRef w) {
    return new ResolvedWorkload(w.workloadId(), w.orchestratorId(), w.workloadId(), w.namespace());
  }

  @Override
  public List<WorkloadEndpoint> removeWorkload(WorkloadRef workload) {
    requireNonNull(workload, "workload");
    List<WorkloadEndpoint> removed =
        removes.removeStored(workload.orchestratorId(), workload.workloadId());
    removes.teardown(removed);
    repair.removeLeftovers(resolved(workload));
    return removed;
  }

  @Override
  public Optional<WorkloadEndpoint> endpoint(WorkloadRef workload) {
    requireNonNull(workload, "workload");
    return endpoints.findForWorkload(hostname, workload.orchestratorId(), workload.workloadId());
  }

  @Override
  public List<WorkloadEndpoint> removeContainer(String workload) {
    return removes.remove(requireNonNull(workload, "workload"));
  }

  @Override
  public List<WorkloadEndpoint> removeContainers(Collection<String> workloads) {
    requireNonNull(workloads, "workloads");
    workloads.forEach(w -> requireNonNull(w, "workload"));
    return removes.removeAll(workloads);
  }

  @Override
  public WorkloadEndpoint restoreContainer(String workload) {
    return restores.restore(resolver.resolve(requireNonNull(workload, "workload"), true));
  }

  @Override
  public WorkloadEndpoint addIp(String workload, IpRequest ipRequest, InterfaceName interfaceName) {
    requireNonNull(ipRequest, "ipRequest");
    requireNonNull(interfaceName, "interfaceName");
    return ips.add(
        resolver.resolve(requireNonNull(workload, "workload"), true), ipRequest, interfaceName);
  }

  @Override
  public WorkloadEndpoint addIp(
      WorkloadRef workload, IpRequest ipRequest, InterfaceName interfaceName) {
    requireNonNull(ipRequest, "ipRequest");
    requireNonNull(interfaceName, "interfaceName");
    return ips.add(resolved(requireNonNull(workload, "workload")), ipRequest, interfaceName);
  }

  @Override
  public WorkloadEndpoint removeIp(String workload, InetAddress ip, InterfaceName interfaceName) {
    requireNonNull(ip, "ip");
    requireNonNull(interfaceName, "interfaceName");
    return ips.remove(
        resolver.resolve(requireNonNull(workload, "workload"), true), ip, interfaceName);
  }

  @Override
  public Optional<WorkloadEndpoint> endpoint(String workload) {
    return ips.find(resolver, requireNonNull(workload, "workload")).stream().findFirst();
  }

  @Override
  public List<WorkloadEndpoint> endpoints() {
    return endpoints.find(EndpointQuery.onHost(hostname));
  }

  @Override
  public WorkloadEndpoint appendProfiles(String workload, List<String> names) {
    return endpoints.appendProfiles(endpointFor(workload), validProfiles(names));
  }

  @Override
  public WorkloadEndpoint removeProfiles(String workload, List<String> names) {
    return endpoints.removeProfiles(endpointFor(workload), List.copyOf(names));
  }

  @Override
  public WorkloadEndpoint setProfiles(String workload, List<String> names) {
    return endpoints.setProfiles(endpointFor(workload), validProfiles(names));
  }

  private WorkloadEndpoint endpointFor(String workload) {
    return endpoint(workload)
        .orElseThrow(
            () ->
                new NotFoundException(
                    Reason.ENDPOINT_NOT_FOUND, "Endpoint " + workload + " is unknown to Calico."));
  }

  /** calicoctl's {@code validate_profile_list}. */
  private List<String> validProfiles(List<String> names) {
    List<String> seen = new ArrayList<>();
    for (String n : names) {
      Names.checkProfileName(n);
      if (seen.contains(n)) {
        throw new IllegalArgumentException(
            "Profile with name " + n + " was specified more than once.");
      }
      if (!profiles.exists(n)) {
        throw new NotFoundException(
            Reason.PROFILE_NOT_FOUND, "Profile with name " + n + " was not found.");
      }
      seen.add(n);
    }
    return seen;
  }

  @Override
  public void configureNode(NodeConfig config) {
    requireNonNull(config, "config");
    host.forgetNextHops();
    hosts.configure(new HostConfig(hostname, config.ipv4(), config.ipv6(), config.asNumber()));
    hosts.ensureGlobalConfig();
  }

  @Override
  public CheckReport checkIpam(CheckOptions options) {
    return checker.run(requireNonNull(options, "options"));
  }

  @Override
  public WorkloadEndpoints workloadEndpoints() {
    return endpoints;
  }

  @Override
  public Profiles profiles() {
    return profiles;
  }

  @Override
  public IpPools ipPools() {
    return pools;
  }

  @Override
  public Hosts hosts() {
    return hosts;
  }

  @Override
  public Ipam ipam() {
    return ipam;
  }

  @Override
  public void close() {
    background.shutdown(); // work in flight finishes; its add is waiting for it
    host.close();
  }
}
