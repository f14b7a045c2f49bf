package io.github.calicoj.core.client;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.AlreadyExistsException;
import io.github.calicoj.core.CalicoException.Reason;
import io.github.calicoj.core.NotFoundException;
import io.github.calicoj.core.TxnPart;
import io.github.calicoj.core.WireFormat;
import io.github.calicoj.core.internal.Retry;
import io.github.calicoj.core.ipam.IpOwner;
import io.github.calicoj.core.ipam.Ipam;
import io.github.calicoj.core.ipam.IpamChange;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.core.repository.EndpointQuery;
import io.github.calicoj.core.repository.EndpointUpdate;
import io.github.calicoj.core.repository.WorkloadEndpoints;
import io.github.calicoj.core.repository.WorkloadMarker;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.TxnResult;
import io.github.calicoj.netns.InterfaceName;
import io.github.calicoj.netns.IpPrefix;
import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.Netlink;
import io.github.calicoj.netns.NetnsException;
import io.github.calicoj.netns.Route;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code container <C> ip add|remove}: another address on a configured workload, or one fewer. The
 * IPAM change and the endpoint's compare-and-set commit in one transaction, so the endpoint and
 * IPAM never disagree. On add, the interface is checked before anything is chosen (unlike the
 * reference, calicoctl#565), the address and the host route are in place before the commit, and any
 * failure undoes them; on remove, the dataplane goes first and the datastore follows. Thread-safe.
 */
final class ContainerIps {
  private static final Logger LOG = LoggerFactory.getLogger(ContainerIps.class);

  private final String hostname;
  private final Datastore datastore;
  private final WorkloadEndpoints endpoints;
  private final Ipam ipam;
  private final IpChoice ips;
  private final HostDataplane host;

  ContainerIps(
      String hostname,
      Datastore datastore,
      WorkloadEndpoints endpoints,
      Ipam ipam,
      IpChoice ips,
      HostDataplane host) {
    this.hostname = hostname;
    this.datastore = datastore;
    this.endpoints = endpoints;
    this.ipam = ipam;
    this.ips = ips;
    this.host = host;
  }

  /** What an ip add has done that a failure undoes. */
  private sealed interface Undo {}

  private record RemoveAddress(InterfaceName iface, IpPrefix prefix) implements Undo {}

  private record DeleteRoute(InetAddress ip, InterfaceName cali) implements Undo {}

  private record DeleteContainerRoute(Route route) implements Undo {}

  /** Adds an address; see the class comment. */
  WorkloadEndpoint add(ResolvedWorkload w, IpRequest request, InterfaceName iface) {
    WorkloadEndpoint ep = requireEndpoint(w);
    IpOwner owner = ownerOf(w);
    InterfaceName cali = InterfaceName.of(ep.name());
    try (NetNs ns = NetNs.open(w.namespace());
        Netlink inside = Netlink.openIn(ns)) {
      if (!inside.exists(iface)) {
        throw new NotFoundException(
            Reason.INTERFACE_NOT_FOUND,
            "Interface provided does not exist in container. Aborting.");
      }
      UndoLog<Undo> undo = new UndoLog<>();
      Set<InetAddress> inUseHere = new HashSet<>();
      try {
        return Retry.cas(
            "adding an IP to " + w.typed(),
            () -> {
              IpamChange change = ips.prepare(request, owner, inUseHere);
              InetAddress ip = change.addresses().get(0);
              if (host.routing() && !host.addRouteUnlessTaken(ip, cali)) {
                if (request instanceof IpRequest.Specific) {
                  throw new AlreadyExistsException(
                      Reason.ADDRESS_ALREADY_ASSIGNED,
                      "IP address "
                          + InetAddresses.toAddrString(ip)
                          + " is in use on this host: a route to it exists.");
                }
                inUseHere.add(ip); // in use here by something IPAM does not know: choose again
                return null;
              }
              if (host.routing()) {
                undo.push(new DeleteRoute(ip, cali));
              }
              IpPrefix prefix = IpPrefix.host(ip);
              inside.addAddress(iface, prefix);
              undo.push(new RemoveAddress(iface, prefix));
              int v = ip instanceof Inet4Address ? 4 : 6;
              boolean newFamily = (v == 4 ? ep.ipv4Nets() : ep.ipv6Nets()).isEmpty();
              InetAddress hop = newFamily ? host.nextHop(v) : null;
              if (hop != null) {
                // The family's first address: its on-link and default routes, and the host side.
                for (Route r : List.of(Route.onLink(hop, iface), Route.defaultVia(hop, iface))) {
                  inside.replaceRoute(r);
                  undo.push(new DeleteContainerRoute(r));
                }
                if (host.routing()) {
                  host.configureLink(host.netlink().link(cali), ip, hop);
                }
              }
              WorkloadEndpoint now = requireEndpoint(w);
              WorkloadEndpoint.Builder b = now.toBuilder().addNet(Cidr.host(ip));
              if (hop != null && endpoints.format().era() == WireFormat.Era.GATEWAY) {
                b.gateway(hop);
              }
              WorkloadEndpoint updated = b.build();
              TxnResult r =
                  TxnPart.commit(
                      datastore,
                      List.of(new EndpointUpdate(now, updated, endpoints.format()), change));
              if (r.succeeded()) {
                undo.clear();
                return updated.withRevision(r.revision());
              }
              // The endpoint or the block changed: undo this attempt's dataplane and plan again.
              IllegalStateException undoFailed =
                  new IllegalStateException("Could not undo a conflicting attempt to add an IP");
              undo.rollback(undoFailed, u -> undo(inside, u));
              if (undoFailed.getSuppressed().length > 0) {
                throw undoFailed;
              }
              return null;
            });
      } catch (RuntimeException | Error e) {
        undo.rollback(e, u -> undo(inside, u));
        throw e;
      }
    }
  }

  private void undo(Netlink inside, Undo u) {
    if (u instanceof RemoveAddress r) {
      inside.deleteAddress(r.iface(), r.prefix());
    } else if (u instanceof DeleteRoute d) {
      host.deleteRouteIfExists(d.ip(), d.cali());
    } else if (u instanceof DeleteContainerRoute c) {
      try {
        inside.deleteRoute(c.route());
      } catch (NetnsException e) {
        if (!e.isNotFound() && !e.isRouteNotFound()) {
          throw e;
        }
      }
    }
  }

  /**
   * Removes an address: from the interface and the host route first, then from the endpoint and
   * IPAM in one transaction.
   *
   * @throws NotFoundException ({@link Reason#ADDRESS_NOT_ON_ENDPOINT}) if the endpoint has not this
   *     IP
   */
  WorkloadEndpoint remove(ResolvedWorkload w, InetAddress ip, InterfaceName iface) {
    WorkloadEndpoint ep = requireEndpoint(w);
    Cidr net = Cidr.host(ip);
    if (!ep.nets().contains(net)) {
      throw new NotFoundException(
          Reason.ADDRESS_NOT_ON_ENDPOINT, "IP address is not assigned to container. Aborting.");
    }
    try (NetNs ns = NetNs.open(w.namespace());
        Netlink inside = Netlink.openIn(ns)) {
      try {
        inside.deleteAddress(iface, IpPrefix.host(ip));
      } catch (NetnsException e) {
        if (!e.isNotFound() && !e.isAddressNotAvailable()) {
          throw e;
        }
      }
    }
    if (host.routing()) {
      try {
        host.deleteRouteIfExists(ip, InterfaceName.of(ep.name()));
      } catch (NetnsException e) {
        LOG.debug(
            "No host route for {} to remove: {}", InetAddresses.toAddrString(ip), e.getMessage());
      }
    }
    String handle = ownerOf(w).handleId();
    return Retry.cas(
        "removing an IP from " + w.typed(),
        () -> {
          WorkloadEndpoint now = requireEndpoint(w);
          WorkloadEndpoint updated = now.toBuilder().removeNet(net).build();
          List<TxnPart> parts = new ArrayList<>();
          parts.add(new EndpointUpdate(now, updated, endpoints.format()));
          Map<InetAddress, @Nullable String> owners = new LinkedHashMap<>();
          owners.put(ip, handle);
          parts.addAll(ipam.prepareRelease(owners));
          return TxnPart.commit(datastore, parts).succeeded() ? updated : null;
        });
  }

  /** The owner of the workload's addresses: its marker's handle, else the default. */
  private IpOwner ownerOf(ResolvedWorkload w) {
    IpOwner dflt = Owners.of(hostname, w.orchestratorId(), w.workloadId());
    return endpoints
        .marker(hostname, w.orchestratorId(), w.workloadId())
        .flatMap(kv -> WorkloadMarker.parse(kv.value()))
        .map(WorkloadMarker::handleId)
        .filter(h -> !h.equals(dflt.handleId()))
        .map(h -> IpOwner.of(h, dflt.attributes()))
        .orElse(dflt);
  }

  /**
   * The workload's endpoint.
   *
   * @throws NotFoundException ({@link Reason#WORKLOAD_NOT_CONFIGURED}) with the reference's message
   */
  WorkloadEndpoint requireEndpoint(ResolvedWorkload w) {
    WorkloadResolver.checkSamePath(
        w.typed(),
        endpoints
            .marker(hostname, w.orchestratorId(), w.workloadId())
            .flatMap(kv -> WorkloadMarker.parse(kv.value())));
    return endpoints
        .findForWorkload(hostname, w.orchestratorId(), w.workloadId())
        .orElseThrow(
            () ->
                new NotFoundException(
                    Reason.WORKLOAD_NOT_CONFIGURED,
                    "Container "
                        + w.typed()
                        + " is unknown to Calico. Use `calicoctl container add` to add the"
                        + " container to the Calico network."));
  }

  /** The endpoints of a workload found by any of its stored ids. */
  List<WorkloadEndpoint> find(WorkloadResolver resolver, String workload) {
    for (String[] id : resolver.storedIds(workload)) {
      List<WorkloadEndpoint> eps = endpoints.find(EndpointQuery.workload(hostname, id[0], id[1]));
      if (!eps.isEmpty()) {
        WorkloadResolver.checkSamePath(
            workload,
            endpoints
                .marker(hostname, id[0], id[1])
                .flatMap(kv -> WorkloadMarker.parse(kv.value())));
        return eps;
      }
    }
    return List.of();
  }
}
