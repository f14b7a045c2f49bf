package io.github.calicoj.core.client;

import static java.util.Objects.requireNonNull;

import com.google.common.base.Throwables;
import com.google.common.net.InetAddresses;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.github.calicoj.core.CalicoException;
import io.github.calicoj.core.ConflictException;
import io.github.calicoj.core.Hosts;
import io.github.calicoj.core.IpPools;
import io.github.calicoj.core.NotFoundException;
import io.github.calicoj.core.Profiles;
import io.github.calicoj.core.WireFormat;
import io.github.calicoj.core.WorkloadEndpoints;
import io.github.calicoj.core.ipam.AlreadyAssignedException;
import io.github.calicoj.core.ipam.Ipam;
import io.github.calicoj.core.ipam.PoolNotFoundException;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.HostConfig;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.model.Names;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.DatastoreException;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.Transaction;
import io.github.calicoj.datastore.TxnResult;
import io.github.calicoj.netns.InterfaceName;
import io.github.calicoj.netns.IpPrefix;
import io.github.calicoj.netns.MacAddress;
import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.Netlink;
import io.github.calicoj.netns.NetnsException;
import io.github.calicoj.netns.Route;
import io.github.calicoj.netns.VethOptions;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link CalicoClient} implementation. Thread-safe. */
final class DefaultCalicoClient implements CalicoClient {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultCalicoClient.class);

  /** Era B's IPv4 next hop, owned by nobody and answered by proxy ARP. */
  static final InetAddress LINK_LOCAL_V4 = InetAddresses.forString("169.254.1.1");

  /** Era B's IPv6 next hop: the link-local address the kernel derives from ee:ee:ee:ee:ee:ee. */
  static final InetAddress LINK_LOCAL_V6 = InetAddresses.forString("fe80::ecee:eeff:feee:eeee");

  private final String hostname;
  private final WireFormat format;
  private final boolean hostRouting;
  private final @Nullable Path hostNamespacePath;
  private final Consumer<AddStep> steps;
  private final DockerEngine docker;
  private final WorkloadEndpoints endpoints;
  private final Profiles profiles;
  private final IpPools pools;
  private final Hosts hosts;
  private final Ipam ipam;
  private final Datastore datastore;
  private final long dataplaneWaitNanos;

  /** Sets up the rest of each add's dataplane while the add's thread writes to the datastore. */
  private final ExecutorService background =
      Executors.newCachedThreadPool(
          new ThreadFactoryBuilder().setNameFormat("calicoj-dataplane-%d").setDaemon(true).build());

  /** Workloads with an add running in this client: a second add of one is refused at once. */
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();

  private final Object lock = new Object();
  private @Nullable Netlink hostNetlink; // guarded by lock; opened on first use
  private @Nullable NetNs hostNamespace; // guarded by lock
  private boolean closed; // guarded by lock

  DefaultCalicoClient(CalicoClient.Builder b) {
    this.hostname = b.hostname;
    this.format = b.wireFormat;
    this.hostRouting = b.hostRouting;
    this.hostNamespacePath = b.hostNamespace;
    this.steps = b.stepListener;
    this.docker =
        b.dockerHost != null
            ? new DockerEngine(b.dockerHost, b.dockerTimeout)
            : DockerEngine.fromEnvironment(b.dockerTimeout);
    this.endpoints = new WorkloadEndpoints(b.datastore, format);
    this.profiles = new Profiles(b.datastore, format, endpoints);
    this.pools = new IpPools(b.datastore);
    this.hosts = new Hosts(b.datastore, format);
    this.ipam = Ipam.on(b.datastore);
    this.datastore = b.datastore;
    this.dataplaneWaitNanos = b.dataplaneWait.toNanos();
  }

  @Override
  public String hostname() {
    return hostname;
  }

  // ------------------------------------------------------------------ container add

  /**
   * The add: every datastore write happens in one final transaction (the IP's block, the workload's
   * marker and the endpoint), after the dataplane work. The IP is chosen from the cached block
   * beforehand. If the transaction finds that another writer took the block, the IP is chosen again
   * and the container's address changed to it; if it finds the workload taken (a marker, or an
   * endpoint that another tool wrote), everything is undone.
   */
  @Override
  public WorkloadEndpoint addContainer(String workload, String ipRequest, String interfaceName) {
    requireNonNull(workload, "workload");
    IpRequest request = IpRequest.parse(requireNonNull(ipRequest, "ipRequest"));
    InterfaceName iface = InterfaceName.of(requireNonNull(interfaceName, "interfaceName"));
    ResolvedWorkload w = resolve(workload, true, false); // add() opens (and so checks) the path
    String inFlightKey = w.orchestratorId() + "/" + w.workloadId();
    if (!inFlight.add(inFlightKey)) {
      throw WorkloadEndpoints.alreadyConfigured(w.workloadId()); // an add of it is running here
    }
    try {
      return add(w, request, iface);
    } finally {
      inFlight.remove(inFlightKey);
    }
  }

  private WorkloadEndpoint add(ResolvedWorkload w, IpRequest request, InterfaceName iface) {
    String endpointId = UUID.randomUUID().toString().replace("-", "");
    InterfaceName cali = InterfaceName.of(WorkloadEndpoint.interfaceName(endpointId));
    Deque<Undo> undo = new ArrayDeque<>();
    try (NetNs ns = NetNs.open(w.namespace());
        Netlink inside = Netlink.openIn(ns)) {
      steps.accept(AddStep.RESERVE);

      Ipam.Pending pending;
      InetAddress ip;
      InetAddress nextHop;
      try {
        steps.accept(AddStep.ASSIGN_IP);
        pending = prepare(request);
        ip = pending.addresses().get(0);

        steps.accept(AddStep.NEXT_HOP);
        nextHop = nextHop(version(ip));
      } catch (CalicoException e) {
        throw alreadyConfiguredFirst(w, e);
      }

      Netlink host = hostNetlink();
      steps.accept(AddStep.CREATE_VETH);
      createVeth(host, cali, inside, iface, ns, w);
      undo.push(new Undo("delete " + cali, () -> host.deleteLinkIfExists(cali)));
      steps.accept(AddStep.READ_MAC);
      MacAddress mac = inside.link(iface).mac();

      // The write goes out now, from this thread; the rest of the dataplane is set up meanwhile on
      // another (the thread that must wake up is the one with less to do).
      steps.accept(AddStep.WRITE_ENDPOINT);
      WorkloadEndpoint endpoint = endpoint(w, endpointId, mac, ip, nextHop);
      InetAddress first = ip;
      Future<Integer> dataplane =
          background.submit(
              () -> {
                steps.accept(AddStep.CONTAINER_ADDRESS);
                inside.setUp(iface);
                inside.addAddress(iface, IpPrefix.host(first));
                steps.accept(AddStep.CONTAINER_ROUTES);
                inside.replaceRoute(Route.onLink(nextHop, iface));
                inside.replaceRoute(Route.defaultVia(nextHop, iface));
                if (hostRouting) {
                  steps.accept(AddStep.HOST_SYSCTLS);
                  programHostSide(host, cali, first, nextHop);
                }
                return 0;
              });
      // Nothing is undone while that work may still run.
      undo.push(new Undo("finish the dataplane work", () -> awaitQuietly(dataplane)));
      TxnResult r = commit(endpoint, pending, ip, undo);
      for (int attempt = 0; attempt < Ipam.MAX_RETRIES; attempt++) {
        InetAddress chosen = ip;
        WorkloadEndpoint written = endpoint;
        boolean committed = pending.settle(r);
        if (committed) {
          undo.push(
              new Undo(
                  "remove the endpoint and release " + text(chosen),
                  () -> {
                    endpoints.undoCreate(written);
                    ipam.release(List.of(chosen));
                  }));
          if (!endpoints.createdAlone(r, written)) {
            throw WorkloadEndpoints.alreadyConfigured(w.workloadId()); // another tool's endpoint
          }
        } else {
          endpoints.checkCreate(r, written); // throws if the workload is taken
        }
        await(dataplane, WorkloadEndpoints.keyOf(written)); // at once after the first time
        if (committed) {
          if (hostRouting) {
            // Only now is the IP ours: replacing a route to it cannot take another workload's.
            steps.accept(AddStep.HOST_ROUTE);
            host.replaceRoute(Route.toDevice(IpPrefix.host(chosen), cali));
          }
          return written.withRevision(r.revision());
        }
        // Another writer changed the IP's block: choose again, and readdress if the IP moved.
        pending = prepare(request);
        InetAddress again = pending.addresses().get(0);
        if (!again.equals(ip)) {
          inside.addAddress(iface, IpPrefix.host(again)); // new first: the last one going would
          inside.deleteAddress(iface, IpPrefix.host(ip)); // take the interface's routes with it
          ip = again;
        }
        endpoint = endpoint(w, endpointId, mac, ip, nextHop);
        r = commit(endpoint, pending, ip, undo);
      }
      throw new ConflictException("Hit max retries committing the endpoint of " + w.workloadId());
    } catch (RuntimeException | Error e) {
      rollback(undo, e);
      throw e;
    }
  }

  /**
   * The reference refuses a workload that already has an endpoint before it assigns an IP, so
   * re-adding a configured container with, say, its own IP says "already configured", not "already
   * assigned". Here that check is part of the final transaction, so when choosing the IP or the
   * next hop fails, one read finds out which error is the reference's. Only failing adds pay for
   * it.
   *
   * @return "already configured", with {@code e} suppressed, if the workload has an endpoint; else
   *     {@code e} (with a failure of the lookup itself suppressed)
   */
  private CalicoException alreadyConfiguredFirst(ResolvedWorkload w, CalicoException e) {
    try {
      if (!endpoints.find(hostname, w.orchestratorId(), w.workloadId(), null).isEmpty()) {
        CalicoException already = WorkloadEndpoints.alreadyConfigured(w.workloadId());
        already.addSuppressed(e);
        return already;
      }
    } catch (RuntimeException lookup) {
      e.addSuppressed(lookup);
    }
    return e;
  }

  private WorkloadEndpoint endpoint(
      ResolvedWorkload w, String endpointId, MacAddress mac, InetAddress ip, InetAddress nextHop) {
    WorkloadEndpoint.Builder ep =
        WorkloadEndpoint.builder()
            .hostname(hostname)
            .orchestratorId(w.orchestratorId())
            .workloadId(w.workloadId())
            .endpointId(endpointId)
            .mac(mac.toString())
            .addNet(Cidr.host(ip));
    if (format.era() == WireFormat.Era.GATEWAY) {
      ep.gateway(nextHop);
    }
    return ep.build();
  }

  /**
   * Commits the add's one transaction: the IP's block, the workload's marker and the endpoint. If
   * the datastore fails, an undo that finds out whether the write happened anyway is queued.
   */
  private TxnResult commit(
      WorkloadEndpoint endpoint, Ipam.Pending pending, InetAddress ip, Deque<Undo> undo) {
    Transaction.Builder txn = Transaction.builder();
    endpoints.addCreate(txn, endpoint);
    pending.addTo(txn);
    try {
      return datastore.commit(txn.build());
    } catch (DatastoreException e) {
      undo.push(
          new Undo(
              "remove the endpoint if it was written after all",
              () -> removeIfWritten(endpoint, ip)));
      throw e;
    }
  }

  /**
   * The result of an add's background dataplane work, within {@link
   * CalicoClient.Builder#dataplaneWait}; its failure is rethrown as it was thrown.
   */
  private <T> T await(Future<T> work, Key subject) {
    try {
      return work.get(dataplaneWaitNanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new CalicoException(
          "The dataplane work for "
              + subject
              + " did not finish within "
              + Duration.ofNanos(dataplaneWaitNanos),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for an add's dataplane work", e);
    } catch (ExecutionException e) {
      Throwables.throwIfUnchecked(e.getCause());
      throw new IllegalStateException(e.getCause());
    }
  }

  /**
   * Waits for background work to end, whatever its outcome (rollback: nothing is undone under it).
   */
  private void awaitQuietly(Future<?> work) {
    boolean interrupted = Thread.interrupted(); // a rollback must still wait
    try {
      work.get(dataplaneWaitNanos, TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      // the add reports its own failure; this one is the same or a consequence
    } catch (TimeoutException | InterruptedException e) {
      LOG.warn(
          "Dataplane work of an add did not end within {}",
          Duration.ofNanos(dataplaneWaitNanos),
          e);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Creates the veth. If the container already has an interface of that name, either another add of
   * this workload holds it (from another process; those in this one are refused earlier), or
   * something else does. Waits a bounded time for that add to end: its endpoint appearing means
   * "already configured"; the interface going away means this add may try again.
   */
  private void createVeth(
      Netlink host,
      InterfaceName cali,
      Netlink inside,
      InterfaceName iface,
      NetNs ns,
      ResolvedWorkload w) {
    long deadline = System.nanoTime() + INTERFACE_WAIT_NANOS;
    while (true) {
      try {
        host.createVeth(cali, iface, ns, VethOptions.DEFAULT.withHostMac(MacAddress.CALICO_HOST));
        return;
      } catch (NetnsException e) {
        if (!e.isAlreadyExists() || !inside.exists(iface)) {
          throw e;
        }
        if (endpoints.findForWorkload(hostname, w.orchestratorId(), w.workloadId()).isPresent()) {
          throw WorkloadEndpoints.alreadyConfigured(w.workloadId());
        }
        if (System.nanoTime() - deadline > 0) {
          throw new WorkloadException(
              WorkloadException.Reason.INTERFACE_EXISTS,
              "Interface "
                  + iface
                  + " already exists in the namespace of "
                  + w.workloadId()
                  + ", and no Calico endpoint claims it.",
              e);
        }
        try {
          Thread.sleep(10);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("Interrupted while adding " + w.workloadId(), ie);
        }
      }
    }
  }

  /** How long an add waits for another process's add of the same container interface. */
  private static final long INTERFACE_WAIT_NANOS = 3_000_000_000L;

  /** After a commit whose outcome is unknown: undoes it if it happened. */
  private void removeIfWritten(WorkloadEndpoint endpoint, InetAddress ip) {
    if (datastore.get(WorkloadEndpoints.keyOf(endpoint)).isPresent()) {
      endpoints.removeWorkload(hostname, endpoint.orchestratorId(), endpoint.workloadId());
      ipam.release(List.of(ip));
    }
  }

  private record Undo(String what, Runnable action) {}

  /** Undoes in reverse order; each failure is logged and attached to {@code cause}. */
  private static void rollback(Deque<Undo> undo, Throwable cause) {
    while (!undo.isEmpty()) {
      Undo u = undo.pop();
      try {
        u.action().run();
      } catch (RuntimeException e) {
        LOG.error("Rollback step failed: {}", u.what(), e);
        cause.addSuppressed(e);
      }
    }
  }

  private void programHostSide(
      Netlink host, InterfaceName cali, InetAddress ip, InetAddress nextHop) {
    Map<String, String> sysctls = new LinkedHashMap<>();
    if (ip instanceof Inet4Address) {
      sysctls.put("net.ipv4.conf." + cali + ".proxy_arp", "1");
      sysctls.put("net.ipv4.neigh." + cali + ".proxy_delay", "0");
      sysctls.put("net.ipv4.conf." + cali + ".forwarding", "1");
      host.writeSysctls(sysctls);
    } else {
      sysctls.put("net.ipv6.conf." + cali + ".proxy_ndp", "1");
      sysctls.put("net.ipv6.conf." + cali + ".forwarding", "1");
      host.writeSysctls(sysctls);
      host.addProxyNeighbor(cali, nextHop);
    }
  }

  /** Assigns the requested IP at once (calicoctl {@code get_ip_and_pool}). */
  private InetAddress assign(IpRequest request) {
    for (int attempt = 0; attempt < Ipam.MAX_RETRIES; attempt++) {
      Ipam.Pending p = prepare(request);
      if (p.commit()) {
        return p.addresses().get(0);
      }
    }
    throw new ConflictException("Hit max retries assigning " + request);
  }

  /**
   * Chooses the requested IP, to be committed with other writes (calicoctl {@code
   * get_ip_and_pool}).
   */
  private Ipam.Pending prepare(IpRequest request) {
    if (request instanceof IpRequest.Specific s) {
      InetAddress ip = s.address();
      IpPool pool =
          pools
              .poolFor(ip, false)
              .orElseThrow(
                  () -> new PoolNotFoundException(text(ip) + " is not in any configured pools"));
      try {
        return ipam.prepareAssign(ip, hostname, null, Map.of());
      } catch (AlreadyAssignedException e) {
        throw new AlreadyAssignedException(
            "IP address is already assigned in pool " + pool.cidr() + ".");
      }
    }
    if (request instanceof IpRequest.FromPool p) {
      if (pools.find(p.pool()).isEmpty()) {
        throw new PoolNotFoundException(
            "Invalid CIDR specified for desired pool. No pool found for " + p.pool() + ".");
      }
      return ipam.prepareAutoAssignOne(p.version(), hostname, p.pool());
    }
    return ipam.prepareAutoAssignOne(request.version(), hostname, null);
  }

  /** This host's next hops, read at most once per {@link #NEXT_HOP_TTL_NANOS}. */
  private static final long NEXT_HOP_TTL_NANOS = 1_000_000_000L;

  private volatile @Nullable Map<Integer, InetAddress> cachedHops;
  private volatile long cachedHopsAt;

  private InetAddress nextHop(int version) {
    if (format.era() == WireFormat.Era.LINK_LOCAL) {
      return version == 4 ? LINK_LOCAL_V4 : LINK_LOCAL_V6;
    }
    Map<Integer, InetAddress> hops = cachedHops;
    if (hops == null
        || System.nanoTime() - cachedHopsAt > NEXT_HOP_TTL_NANOS
        || !hops.containsKey(version)) {
      try {
        hops = hosts.nextHops(hostname);
      } catch (NotFoundException e) {
        throw new NodeNotConfiguredException(version);
      }
      cachedHops = hops;
      cachedHopsAt = System.nanoTime();
    }
    InetAddress hop = hops.get(version);
    if (hop == null) {
      throw new NodeNotConfiguredException(version);
    }
    return hop;
  }

  // ------------------------------------------------------------------ container remove

  @Override
  public List<WorkloadEndpoint> removeContainer(String workload) {
    requireNonNull(workload, "workload");
    List<WorkloadEndpoint> found = findEndpoints(workload);
    if (found.isEmpty()) {
      throw new NotFoundException("Failed find Calico data for " + workload);
    }
    Netlink host = hostNetlink();
    for (WorkloadEndpoint ep : found) {
      List<InetAddress> ips = new ArrayList<>();
      ep.nets().forEach(c -> ips.add(c.address()));
      ipam.release(ips);
      try {
        host.deleteLinkIfExists(InterfaceName.of(ep.name()));
      } catch (NetnsException e) {
        LOG.warn("Could not remove Calico interface {}", ep.name(), e);
      }
    }
    WorkloadEndpoint first = found.get(0);
    endpoints.removeWorkload(hostname, first.orchestratorId(), first.workloadId());
    return found;
  }

  @Override
  public List<WorkloadEndpoint> removeContainers(java.util.Collection<String> workloads) {
    requireNonNull(workloads, "workloads");
    List<WorkloadEndpoint> found = new ArrayList<>();
    for (String w : workloads) {
      found.addAll(findEndpoints(requireNonNull(w, "workload")));
    }
    List<InetAddress> ips = new ArrayList<>();
    List<InterfaceName> links = new ArrayList<>();
    for (WorkloadEndpoint ep : found) {
      ep.nets().forEach(c -> ips.add(c.address()));
      links.add(InterfaceName.of(ep.name()));
    }
    ipam.release(ips);
    hostNetlink().deleteLinks(links);
    java.util.Set<String> done = new java.util.HashSet<>();
    for (WorkloadEndpoint ep : found) {
      if (done.add(ep.orchestratorId() + "/" + ep.workloadId())) {
        endpoints.removeWorkload(hostname, ep.orchestratorId(), ep.workloadId());
      }
    }
    return found;
  }

  /** The workload's endpoints, found without needing the container to exist when possible. */
  private List<WorkloadEndpoint> findEndpoints(String workload) {
    if (workload.startsWith("/")) {
      String escaped = Names.escapeWorkloadId(workload);
      List<WorkloadEndpoint> eps = endpoints.find(hostname, "namespace", escaped, null);
      return eps.isEmpty() ? endpoints.find(hostname, "docker", escaped, null) : eps;
    }
    List<WorkloadEndpoint> literal = endpoints.find(hostname, "docker", workload, null);
    if (!literal.isEmpty()) {
      return literal;
    }
    try {
      return endpoints.find(hostname, "docker", docker.inspect(workload).id(), null);
    } catch (WorkloadException e) {
      if (e.reason() == WorkloadException.Reason.NOT_FOUND) {
        return List.of();
      }
      throw e;
    }
  }

  // ------------------------------------------------------------------ ip add / remove

  @Override
  public WorkloadEndpoint addIp(String workload, String ipRequest, String interfaceName) {
    IpRequest request = IpRequest.parse(requireNonNull(ipRequest, "ipRequest"));
    InterfaceName iface = InterfaceName.of(requireNonNull(interfaceName, "interfaceName"));
    ResolvedWorkload w = resolve(workload, true);
    WorkloadEndpoint ep = requireEndpoint(w, workload);
    Deque<Undo> undo = new ArrayDeque<>();
    try (NetNs ns = NetNs.open(w.namespace());
        Netlink inside = Netlink.openIn(ns)) {
      if (!inside.exists(iface)) {
        throw new NotFoundException("Interface provided does not exist in container. Aborting.");
      }
      InetAddress ip = assign(request);
      undo.push(new Undo("release " + text(ip), () -> ipam.release(List.of(ip))));
      IpPrefix prefix = IpPrefix.host(ip);
      inside.addAddress(iface, prefix);
      undo.push(new Undo("remove " + prefix, () -> inside.deleteAddress(iface, prefix)));
      if (hostRouting) {
        Netlink host = hostNetlink();
        InterfaceName cali = InterfaceName.of(ep.name());
        host.replaceRoute(Route.toDevice(prefix, cali));
        undo.push(
            new Undo(
                "remove host route " + prefix,
                () -> host.deleteRoute(Route.toDevice(prefix, cali))));
      }
      return endpoints.modify(ep, e -> e.toBuilder().addNet(Cidr.host(ip)).build());
    } catch (RuntimeException | Error e) {
      rollback(undo, e);
      throw e;
    }
  }

  @Override
  public WorkloadEndpoint removeIp(String workload, InetAddress ip, String interfaceName) {
    requireNonNull(ip, "ip");
    InterfaceName iface = InterfaceName.of(requireNonNull(interfaceName, "interfaceName"));
    ResolvedWorkload w = resolve(workload, true);
    WorkloadEndpoint ep = requireEndpoint(w, workload);
    Cidr net = Cidr.host(ip);
    if (!ep.nets().contains(net)) {
      throw new NotFoundException("IP address is not assigned to container. Aborting.");
    }
    try (NetNs ns = NetNs.open(w.namespace());
        Netlink inside = Netlink.openIn(ns)) {
      try {
        inside.deleteAddress(iface, IpPrefix.host(ip));
      } catch (NetnsException e) {
        if (!e.isNotFound() && e.errno() != 99 /* EADDRNOTAVAIL: already gone */) {
          throw e;
        }
      }
    }
    if (hostRouting) {
      try {
        hostNetlink().deleteRoute(Route.toDevice(IpPrefix.host(ip), InterfaceName.of(ep.name())));
      } catch (NetnsException e) {
        LOG.debug("No host route for {} to remove: {}", text(ip), e.getMessage());
      }
    }
    WorkloadEndpoint updated = endpoints.modify(ep, e -> e.toBuilder().removeNet(net).build());
    ipam.release(List.of(ip));
    return updated;
  }

  private WorkloadEndpoint requireEndpoint(ResolvedWorkload w, String workload) {
    return endpoints
        .findForWorkload(hostname, w.orchestratorId(), w.workloadId())
        .orElseThrow(
            () ->
                new NotFoundException(
                    "Container "
                        + workload
                        + " is unknown to Calico. Use `calicoctl container add` to add the"
                        + " container to the Calico network."));
  }

  // ------------------------------------------------------------------ lookups, profiles, node

  @Override
  public Optional<WorkloadEndpoint> endpoint(String workload) {
    List<WorkloadEndpoint> eps = findEndpoints(requireNonNull(workload, "workload"));
    return eps.stream().findFirst();
  }

  @Override
  public List<WorkloadEndpoint> endpoints() {
    return endpoints.find(hostname, null, null, null);
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
            () -> new NotFoundException("Endpoint " + workload + " is unknown to Calico."));
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
        throw new NotFoundException("Profile with name " + n + " was not found.");
      }
      seen.add(n);
    }
    return seen;
  }

  @Override
  public void configureNode(
      @Nullable Inet4Address ipv4, @Nullable Inet6Address ipv6, @Nullable String asNumber) {
    cachedHops = null;
    hosts.configure(new HostConfig(hostname, ipv4, ipv6, asNumber));
    hosts.ensureGlobalConfig();
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

  // ------------------------------------------------------------------ resolution, lifecycle

  /** A resolved workload: orchestrator, workload id, and its network namespace. */
  record ResolvedWorkload(String orchestratorId, String workloadId, Path namespace) {}

  private ResolvedWorkload resolve(String workload, boolean requireRunning) {
    return resolve(workload, requireRunning, true);
  }

  /**
   * @param checkPath whether to check now that a path is a network namespace (a caller that opens
   *     it straight away gets the same error from {@link NetNs#open})
   */
  private ResolvedWorkload resolve(String workload, boolean requireRunning, boolean checkPath) {
    if (workload.startsWith("/")) {
      if (!checkPath) {
        return new ResolvedWorkload(
            "namespace", Names.escapeWorkloadId(workload), Path.of(workload));
      }
      // A path: it must be a network namespace (NetNs.open says precisely what it is otherwise).
      try (NetNs ns = NetNs.open(Path.of(workload))) {
        return new ResolvedWorkload(
            "namespace", Names.escapeWorkloadId(workload), Path.of(ns.path()));
      }
    }
    DockerEngine.Container c = docker.inspect(workload);
    if (requireRunning && !c.running()) {
      throw new WorkloadException(
          WorkloadException.Reason.NOT_RUNNING, workload + " is not currently running.", null);
    }
    if ("host".equals(c.networkMode())) {
      throw new WorkloadException(
          WorkloadException.Reason.HOST_NETWORK,
          "Can't add " + workload + " to Calico because it is running NetworkMode = host.",
          null);
    }
    return new ResolvedWorkload("docker", c.id(), c.netnsPath());
  }

  private Netlink hostNetlink() {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("CalicoClient is closed");
      }
      if (hostNetlink == null) {
        if (hostNamespacePath != null) {
          hostNamespace = NetNs.open(hostNamespacePath);
          hostNetlink = Netlink.openIn(hostNamespace);
        } else {
          hostNetlink = Netlink.open();
        }
      }
      return hostNetlink;
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      background.shutdown(); // work in flight finishes; its add is waiting for it
      if (hostNetlink != null) {
        hostNetlink.close();
      }
      if (hostNamespace != null) {
        hostNamespace.close();
      }
    }
  }

  private static int version(InetAddress ip) {
    return ip instanceof Inet4Address ? 4 : 6;
  }

  private static String text(InetAddress ip) {
    return InetAddresses.toAddrString(ip);
  }
}
