package io.github.calicoj.core.client;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.AlreadyExistsException;
import io.github.calicoj.core.CalicoException;
import io.github.calicoj.core.CalicoException.Reason;
import io.github.calicoj.core.TxnPart;
import io.github.calicoj.core.WireFormat;
import io.github.calicoj.core.WorkloadException;
import io.github.calicoj.core.internal.Retry;
import io.github.calicoj.core.ipam.IpOwner;
import io.github.calicoj.core.ipam.IpamChange;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.core.repository.EndpointCreate;
import io.github.calicoj.core.repository.EndpointQuery;
import io.github.calicoj.core.repository.WorkloadEndpoints;
import io.github.calicoj.core.repository.WorkloadMarker;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.DatastoreUnavailableException;
import io.github.calicoj.datastore.TxnResult;
import io.github.calicoj.netns.InterfaceName;
import io.github.calicoj.netns.IpPrefix;
import io.github.calicoj.netns.Link;
import io.github.calicoj.netns.MacAddress;
import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.Netlink;
import io.github.calicoj.netns.NetnsException;
import io.github.calicoj.netns.Route;
import io.github.calicoj.netns.VethOptions;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code container add}: one workload onto the network, all or nothing.
 *
 * <p>The order, and why:
 *
 * <ol>
 *   <li>The next hop, then the IP, chosen on the cached IPAM block (a host without a next hop
 *       claims no block).
 *   <li>The veth, its peer born in the workload's namespace under its final name; then its MAC.
 *   <li>The host route to the IP through the cali link, added only if no route to that IP exists
 *       (never replaced: until the commit the IP may still be another workload's). Since it comes
 *       before the commit, an endpoint never exists without its route; a route that exists means
 *       the IP is in use on this host, and another one is chosen.
 *   <li>One transaction: the IP's block (guarded on its revision), the workload's marker (guarded
 *       on its absence) and the endpoint, plus a read of the workload's endpoints. While it is in
 *       flight another thread adds the container's address and routes and sets the host link's
 *       settings. A taken block means choosing again and readdressing; a taken workload means
 *       "already configured" unless its endpoint is dead (its cali link gone and no interface of
 *       the workload is its peer), which is removed first.
 * </ol>
 *
 * A failure at any step undoes every earlier one (an {@link UndoLog}). If the commit's outcome is
 * unknown (the datastore did not answer in time), the undo makes sure the transaction can never
 * apply later: it rewrites the block unchanged at the revision the transaction was guarded on, so
 * that guard can never hold again; if the transaction had applied, it is removed. If the datastore
 * does not answer that either within the rollback wait, what it may still apply is an endpoint
 * whose cali link is gone: dead, and removed by the next add or remove of that workload.
 *
 * <p>The order of these steps is what makes an add all-or-nothing, so it is kept in one class of
 * about 500 lines, over the usual 400; the parts it leans on (IP choice, host dataplane, repair of
 * leftovers, the fence, the undo log) live in their own.
 *
 * <p>Thread-safe: concurrent adds of different workloads run in parallel.
 */
final class ContainerAdd {
  private static final Logger LOG = LoggerFactory.getLogger(ContainerAdd.class);

  /** How long an add waits for another process's add of the same container interface. */
  private static final long INTERFACE_WAIT_NANOS = 3_000_000_000L;

  private final String hostname;
  private final WireFormat format;
  private final Datastore datastore;
  private final WorkloadEndpoints endpoints;
  private final IpChoice ips;
  private final HostDataplane host;
  private final ContainerRemove remove;
  private final WorkloadRepair repair;
  private final CommitFence fence;
  private final ExecutorService background;
  private final Consumer<AddStep> steps;
  private final Duration dataplaneWait;

  ContainerAdd(
      String hostname,
      WireFormat format,
      Datastore datastore,
      WorkloadEndpoints endpoints,
      IpChoice ips,
      HostDataplane host,
      ContainerRemove remove,
      WorkloadRepair repair,
      CommitFence fence,
      ExecutorService background,
      Consumer<AddStep> steps,
      Duration dataplaneWait) {
    this.hostname = hostname;
    this.format = format;
    this.datastore = datastore;
    this.endpoints = endpoints;
    this.ips = ips;
    this.host = host;
    this.remove = remove;
    this.repair = repair;
    this.fence = fence;
    this.background = background;
    this.steps = steps;
    this.dataplaneWait = dataplaneWait;
  }

  /** What an add has done that a failure undoes. */
  private sealed interface Undo {}

  /** The veth exists: delete its host end (the peer and the host route go with it). */
  private record DeleteVeth(InterfaceName cali) implements Undo {}

  /** Dataplane work runs on another thread: wait for it before undoing what it works on. */
  private record AwaitDataplane(DataplaneWork work) implements Undo {}

  /** The transaction committed: remove the endpoint, the marker and the IP again. */
  private record RemoveCommitted(WorkloadEndpoint endpoint) implements Undo {}

  /** The transaction's outcome is unknown: make sure it never applies, or undo it if it did. */
  private record Fence(WorkloadEndpoint endpoint, IpamChange change) implements Undo {}

  /** The state of one add: its namespace, interfaces and current IP. */
  private final class Add {
    final ResolvedWorkload w;
    final IpRequest request;
    final InterfaceName iface;
    final NetNs ns;
    final Netlink inside;
    final IpOwner owner;
    final String endpointId = UUID.randomUUID().toString().replace("-", "");
    final InterfaceName cali = InterfaceName.of(WorkloadEndpoint.interfaceName(endpointId));
    final UndoLog<Undo> undo = new UndoLog<>();
    final Set<InetAddress> inUseHere = new HashSet<>();

    /** Container routes that existed already: replaced after the commit, in this order. */
    final List<Route> deferredRoutes = new CopyOnWriteArrayList<>();

    final List<String> profiles;

    Add(
        ResolvedWorkload w,
        IpRequest request,
        InterfaceName iface,
        AddOptions options,
        NetNs ns,
        Netlink inside) {
      this.w = w;
      this.request = request;
      this.iface = iface;
      this.ns = ns;
      this.inside = inside;
      IpOwner given = options.owner();
      this.owner = given != null ? given : Owners.of(hostname, w.orchestratorId(), w.workloadId());
      this.profiles = options.profiles();
      this.mtu = options.mtu();
    }

    final int mtu;

    WorkloadEndpoint endpoint(MacAddress mac, InetAddress ip, InetAddress nextHop) {
      WorkloadEndpoint.Builder ep =
          WorkloadEndpoint.builder()
              .hostname(hostname)
              .orchestratorId(w.orchestratorId())
              .workloadId(w.workloadId())
              .endpointId(endpointId)
              .mac(mac.toString())
              .profileIds(profiles)
              .addNet(Cidr.host(ip));
      if (format.era() == WireFormat.Era.GATEWAY) {
        ep.gateway(nextHop);
      }
      return ep.build();
    }

    WorkloadMarker marker() {
      NetNs.Identity id = ns.identity();
      return new WorkloadMarker(
          endpointId,
          System.currentTimeMillis(),
          new WorkloadMarker.NamespaceRef(w.namespace().toString(), id.dev(), id.ino()),
          owner.handleId(),
          iface.toString());
    }
  }

  /**
   * Adds the workload. See the class comment for the order.
   *
   * @throws AlreadyExistsException ({@link Reason#ALREADY_CONFIGURED}) naming the workload as typed
   */
  WorkloadEndpoint add(
      ResolvedWorkload w, IpRequest request, InterfaceName iface, AddOptions options) {
    try (NetNs ns = NetNs.open(w.namespace());
        Netlink inside = Netlink.openIn(ns)) {
      WorkloadResolver.checkNotHost(w, ns.identity(), host.identity());
      Add a = new Add(w, request, iface, options, ns, inside);
      try {
        return run(a);
      } catch (RuntimeException | Error e) {
        a.undo.rollback(e, this::undo);
        throw e;
      }
    }
  }

  private WorkloadEndpoint run(Add a) {
    steps.accept(AddStep.RESERVE);
    InetAddress nextHop;
    IpamChange change;
    try {
      steps.accept(AddStep.NEXT_HOP);
      nextHop = host.nextHop(a.request.version());
      steps.accept(AddStep.ASSIGN_IP);
      change = ips.prepare(a.request, a.owner, a.inUseHere);
    } catch (CalicoException e) {
      throw alreadyConfiguredFirst(a.w, e);
    }
    steps.accept(AddStep.CREATE_VETH);
    Link hostEnd = createVeth(a);
    a.undo.push(new DeleteVeth(a.cali));
    steps.accept(AddStep.READ_MAC);
    Link inner = a.inside.link(a.iface);
    MacAddress mac = inner.mac();
    change = routed(a, change);
    InetAddress ip = change.addresses().get(0);

    // The write goes out from this thread; the rest of the dataplane is set up meanwhile on
    // another (the thread that must wake up is the one with less to do).
    steps.accept(AddStep.WRITE_ENDPOINT);
    InetAddress first = ip;
    DataplaneWork dataplane =
        DataplaneWork.start(
            background,
            dataplaneWait,
            () -> {
              steps.accept(AddStep.CONTAINER_ADDRESS);
              a.inside.configureInterface(inner, List.of(IpPrefix.host(first)), List.of());
              steps.accept(AddStep.CONTAINER_ROUTES);
              // Added, never replaced, before the commit: a route that exists belongs to another
              // interface (the workload may be configured already, or have Docker's default
              // route), and is replaced only once the commit has made the workload this add's.
              for (Route r :
                  List.of(Route.onLink(nextHop, a.iface), Route.defaultVia(nextHop, a.iface))) {
                if (!addUnlessExists(a.inside, r)) {
                  a.deferredRoutes.add(r);
                }
              }
              if (host.routing()) {
                steps.accept(AddStep.HOST_SYSCTLS);
                host.configureLink(hostEnd, first, nextHop);
              }
              return null;
            });
    a.undo.push(new AwaitDataplane(dataplane));
    WorkloadMarker marker = a.marker();
    for (int attempt = 0; attempt < Retry.MAX_ATTEMPTS; attempt++) {
      WorkloadEndpoint endpoint = a.endpoint(mac, ip, nextHop);
      EndpointCreate create = new EndpointCreate(endpoint, marker, format);
      TxnResult r = commit(a, create, change);
      if (r.succeeded()) {
        WorkloadEndpoint written = endpoint.withRevision(r.revision());
        a.undo.push(new RemoveCommitted(written));
        if (!create.alone()) {
          throw alreadyConfigured(a.w); // another tool stored an endpoint for it
        }
        dataplane.await(written.workloadId());
        for (Route deferred : a.deferredRoutes) {
          a.inside.replaceRoute(deferred);
        }
        a.undo.clear();
        return written;
      }
      switch (create.conflict()) {
        case TAKEN -> {
          List<WorkloadEndpoint> eps =
              endpoints.find(
                  EndpointQuery.workload(hostname, a.w.orchestratorId(), a.w.workloadId()));
          if (!eps.isEmpty()) {
            if (!repair.allDead(a.w, a.inside, eps)) {
              throw alreadyConfigured(a.w);
            }
            LOG.info("Removing the dead endpoint(s) of {} before adding it again", a.w.typed());
            remove.removeStored(a.w.orchestratorId(), a.w.workloadId());
          }
        }
        case MARKER_ONLY -> create.marker().ifPresent(endpoints::clearStaleMarker);
        case NONE -> {
          // Another writer changed the IP's block or handle: choose again, and readdress if the
          // IP moved (the route to the same IP is this add's already).
          dataplane.await(endpoint.workloadId());
          IpamChange again = ips.prepare(a.request, a.owner, a.inUseHere);
          if (!again.addresses().get(0).equals(ip)) {
            again = routed(a, again);
            InetAddress moved = again.addresses().get(0);
            if (!moved.equals(ip)) {
              readdress(a, ip, moved);
              ip = moved;
            }
          }
          change = again;
        }
      }
    }
    throw Retry.exhausted("committing the endpoint of " + a.w.typed());
  }

  /**
   * Adds the host route for the change's IP; while another route to the chosen IP exists (it is in
   * use on this host, by a workload whose commit this client has not seen, or by a killed add's
   * leftover), chooses another. A specific IP that is in use here is refused.
   */
  private IpamChange routed(Add a, IpamChange change) {
    if (!host.routing()) {
      return change;
    }
    steps.accept(AddStep.HOST_ROUTE);
    IpamChange c = change;
    for (int attempt = 0; attempt < Retry.MAX_ATTEMPTS; attempt++) {
      InetAddress ip = c.addresses().get(0);
      if (host.addRouteUnlessTaken(ip, a.cali)) {
        return c;
      }
      if (a.request instanceof IpRequest.Specific) {
        throw new AlreadyExistsException(
            Reason.ADDRESS_ALREADY_ASSIGNED,
            "IP address "
                + InetAddresses.toAddrString(ip)
                + " is in use on this host: a route to it exists.");
      }
      a.inUseHere.add(ip);
      c = ips.prepare(a.request, a.owner, a.inUseHere);
    }
    throw Retry.exhausted("choosing an IP not in use on this host");
  }

  private static VethOptions vethOptions(Add a) {
    VethOptions o = VethOptions.DEFAULT.withHostMac(MacAddress.CALICO_HOST);
    return a.mtu == 0 ? o : o.withMtu(a.mtu);
  }

  /** Adds a route; false if one to the same destination exists. */
  private static boolean addUnlessExists(Netlink inside, Route r) {
    try {
      inside.addRoute(r);
      return true;
    } catch (NetnsException e) {
      if (e.isAlreadyExists()) {
        return false;
      }
      throw e;
    }
  }

  /** Moves the container and the host route from {@code from} to {@code to}. */
  private void readdress(Add a, InetAddress from, InetAddress to) {
    a.inside.addAddress(a.iface, IpPrefix.host(to)); // new first: the last one going would
    a.inside.deleteAddress(a.iface, IpPrefix.host(from)); // take the interface's routes with it
    if (host.routing()) {
      host.deleteRouteIfExists(from, a.cali);
    }
  }

  /**
   * Commits the add's transaction. If the datastore fails, an undo that makes sure the write never
   * applies (or removes it if it did) is queued, and the failure is reported as {@link
   * Reason#OUTCOME_UNKNOWN} when it may have been applied.
   */
  private TxnResult commit(Add a, EndpointCreate create, IpamChange change) {
    try {
      return TxnPart.commit(datastore, List.of(create, change));
    } catch (DatastoreUnavailableException e) {
      if (!e.outcomeUnknown()) {
        throw e;
      }
      a.undo.push(new Fence(create.endpoint(), change));
      throw new CalicoException(
          Reason.OUTCOME_UNKNOWN,
          "The datastore did not confirm the endpoint of "
              + a.w.typed()
              + " ("
              + e.getMessage()
              + "); the add was rolled back, and if the datastore applies it later, the next add or"
              + " remove of "
              + a.w.typed()
              + " cleans it up.",
          e);
    }
  }

  private void undo(Undo u) {
    if (u instanceof DeleteVeth d) {
      host.deleteLinkIfExists(d.cali());
    } else if (u instanceof AwaitDataplane d) {
      d.work().awaitQuietly();
    } else if (u instanceof RemoveCommitted r) {
      WorkloadEndpoint ep = r.endpoint();
      remove.removeCommitted(ep);
    } else if (u instanceof Fence f) {
      try {
        fence.fence(f.endpoint(), f.change());
      } catch (CalicoException | DatastoreUnavailableException e) {
        if (e instanceof CalicoException c && c.reason() != Reason.OUTCOME_UNKNOWN) {
          throw e;
        }
        // The add's own failure says that the datastore may apply it, and that the next command on
        // the workload cleans it up; a warning would only repeat it.
        LOG.info("Could not fence the add of {}: {}", f.endpoint().workloadId(), e.getMessage());
      }
    }
  }

  /**
   * Creates the veth. If the container already has an interface of that name: a workload that has
   * an endpoint is "already configured"; a veth whose peer is a cali link no endpoint claims is
   * either another process's add in progress or a killed add's leftover. Waits a bounded time for
   * it to turn into an endpoint or go away; if it does neither, deletes it as a leftover and tries
   * again. Anything else of that name is refused after the same wait (it may be an add in progress
   * that is between states).
   */
  private Link createVeth(Add a) {
    long deadline = System.nanoTime() + INTERFACE_WAIT_NANOS;
    while (true) {
      try {
        return host.netlink().createVeth(a.cali, a.iface, a.ns, vethOptions(a));
      } catch (NetnsException e) {
        if (!e.isAlreadyExists()) {
          throw e;
        }
        Optional<Link> there = a.inside.findLink(a.iface);
        if (there.isEmpty()) {
          if (a.inside.exists(a.iface) || System.nanoTime() - deadline > 0) {
            throw e; // the host-side name is taken, not the container's
          }
          continue; // it went away meanwhile: try again
        }
        Optional<InterfaceName> leftover = repair.leftoverPeer(a.inside, a.ns, there.get());
        // Read after the leftover check: an add in progress elsewhere may have committed between.
        if (!endpoints
            .find(EndpointQuery.workload(hostname, a.w.orchestratorId(), a.w.workloadId()))
            .isEmpty()) {
          throw alreadyConfigured(a.w);
        }
        boolean expired = System.nanoTime() - deadline > 0;
        if (leftover.isEmpty() && expired) {
          throw new WorkloadException(
              Reason.INTERFACE_EXISTS,
              "Interface "
                  + a.iface
                  + " already exists in the namespace of "
                  + a.w.typed()
                  + ", and no Calico endpoint claims it.",
              e);
        }
        if (leftover.isPresent() && expired) {
          LOG.info(
              "Deleting {}, left in {} by an add that did not finish", leftover.get(), a.w.typed());
          host.deleteLinkIfExists(leftover.get());
          deadline = Long.MAX_VALUE; // once
          continue;
        }
        sleep(a);
      }
    }
  }

  private static void sleep(Add a) {
    try {
      Thread.sleep(10);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while adding " + a.w.typed(), ie);
    }
  }

  /**
   * The reference refuses a workload that already has an endpoint before it assigns an IP, so
   * re-adding a configured container with, say, its own IP says "already configured", not "already
   * assigned". Here that check is part of the transaction, so when choosing the IP or the next hop
   * fails, one read finds out which error is the reference's. Only failing adds pay for it.
   */
  private CalicoException alreadyConfiguredFirst(ResolvedWorkload w, CalicoException e) {
    try {
      if (!endpoints
          .find(EndpointQuery.workload(hostname, w.orchestratorId(), w.workloadId()))
          .isEmpty()) {
        CalicoException already = alreadyConfigured(w);
        already.addSuppressed(e);
        return already;
      }
    } catch (RuntimeException lookup) {
      e.addSuppressed(lookup);
    }
    return e;
  }

  /** The reference's "X has already been configured with Calico Networking.", X as typed. */
  static AlreadyExistsException alreadyConfigured(ResolvedWorkload w) {
    return new AlreadyExistsException(
        Reason.ALREADY_CONFIGURED,
        w.typed() + " has already been configured with Calico Networking.");
  }
}
