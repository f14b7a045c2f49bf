package io.github.calicoj.core.client;

import io.github.calicoj.core.CalicoException.Reason;
import io.github.calicoj.core.ConflictException;
import io.github.calicoj.core.NotFoundException;
import io.github.calicoj.core.WireFormat;
import io.github.calicoj.core.codec.EndpointJson;
import io.github.calicoj.core.internal.Retry;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.core.repository.EndpointQuery;
import io.github.calicoj.core.repository.WorkloadEndpoints;
import io.github.calicoj.core.repository.WorkloadMarker;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Guard;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Transaction;
import io.github.calicoj.datastore.TxnResult;
import io.github.calicoj.netns.InterfaceName;
import io.github.calicoj.netns.IpPrefix;
import io.github.calicoj.netns.Link;
import io.github.calicoj.netns.MacAddress;
import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.Netlink;
import io.github.calicoj.netns.Route;
import io.github.calicoj.netns.VethOptions;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Re-plumbs a configured workload whose network namespace was replaced (a restarted container): the
 * same endpoint, interface name and addresses, a new veth in the new namespace, the container's
 * addresses and routes and the host side set up again, and then the endpoint's MAC and the marker's
 * namespace updated in one guarded transaction, so that policy follows the new interface. A
 * workload whose interface is still in place is left as it is. Thread-safe.
 */
final class ContainerRestore {
  private final String hostname;
  private final WireFormat format;
  private final Datastore datastore;
  private final WorkloadEndpoints endpoints;
  private final HostDataplane host;

  ContainerRestore(
      String hostname,
      WireFormat format,
      Datastore datastore,
      WorkloadEndpoints endpoints,
      HostDataplane host) {
    this.hostname = hostname;
    this.format = format;
    this.datastore = datastore;
    this.endpoints = endpoints;
    this.host = host;
  }

  /**
   * Restores the workload's interface if it is gone.
   *
   * @return the endpoint as it is now (unchanged if its interface was in place)
   * @throws NotFoundException ({@link Reason#WORKLOAD_NOT_CONFIGURED}) if it has no endpoint
   * @throws ConflictException ({@link Reason#MULTIPLE_ENDPOINTS}) if it has several
   */
  WorkloadEndpoint restore(ResolvedWorkload w) {
    WorkloadEndpoint ep =
        endpoints
            .findForWorkload(hostname, w.orchestratorId(), w.workloadId())
            .orElseThrow(
                () ->
                    new NotFoundException(
                        Reason.WORKLOAD_NOT_CONFIGURED,
                        "Failed find Calico data for " + w.typed()));
    Optional<KeyValue> markerKv = endpoints.marker(hostname, w.orchestratorId(), w.workloadId());
    Optional<WorkloadMarker> marker = markerKv.flatMap(kv -> WorkloadMarker.parse(kv.value()));
    InterfaceName iface =
        InterfaceName.of(
            marker.map(WorkloadMarker::interfaceName).orElse(CalicoClient.DEFAULT_INTERFACE));
    InterfaceName cali = InterfaceName.of(ep.name());
    try (NetNs ns = NetNs.open(w.namespace());
        Netlink inside = Netlink.openIn(ns)) {
      if (host.hasLink(cali) && host.netlink().isVethPeer(cali, ns, iface)) {
        return ep; // in place
      }
      host.deleteLinkIfExists(cali); // a peer left in a namespace that is not the workload's now
      Link hostEnd =
          host.netlink()
              .createVeth(cali, iface, ns, VethOptions.DEFAULT.withHostMac(MacAddress.CALICO_HOST));
      try {
        Link inner = inside.link(iface);
        plumb(ep, inside, inner, hostEnd, iface);
        NetNs.Identity id = ns.identity();
        WorkloadMarker.NamespaceRef ref =
            new WorkloadMarker.NamespaceRef(w.namespace().toString(), id.dev(), id.ino());
        return commit(w, ep.endpointId(), inner.mac(), marker, ref);
      } catch (RuntimeException | Error e) {
        try {
          host.deleteLinkIfExists(cali);
        } catch (RuntimeException undo) {
          e.addSuppressed(undo);
        }
        throw e;
      }
    }
  }

  /** The container's addresses and routes, and the host side, for every address of {@code ep}. */
  private void plumb(
      WorkloadEndpoint ep, Netlink inside, Link inner, Link hostEnd, InterfaceName iface) {
    List<IpPrefix> addresses = new ArrayList<>();
    List<Route> routes = new ArrayList<>();
    for (int v : new int[] {4, 6}) {
      List<Cidr> nets = v == 4 ? ep.ipv4Nets() : ep.ipv6Nets();
      if (nets.isEmpty()) {
        continue;
      }
      nets.forEach(n -> addresses.add(IpPrefix.host(n.address())));
      InetAddress hop = nextHop(ep, v);
      routes.add(Route.onLink(hop, iface));
      routes.add(Route.defaultVia(hop, iface));
    }
    inside.configureInterface(inner, addresses, routes);
    if (host.routing()) {
      for (Cidr n : ep.nets()) {
        host.replaceRoute(n.address(), hostEnd.name()); // the address is this endpoint's
        host.configureLink(
            hostEnd, n.address(), nextHop(ep, n.address() instanceof Inet4Address ? 4 : 6));
      }
    }
  }

  private InetAddress nextHop(WorkloadEndpoint ep, int version) {
    InetAddress gw = version == 4 ? ep.ipv4Gateway() : ep.ipv6Gateway();
    return gw != null ? gw : host.nextHop(version);
  }

  /** The new MAC and the new namespace, in one transaction guarded on both keys. */
  private WorkloadEndpoint commit(
      ResolvedWorkload w,
      String endpointId,
      MacAddress mac,
      Optional<WorkloadMarker> marker,
      WorkloadMarker.NamespaceRef ns) {
    return Retry.cas(
        "updating the endpoint of " + w.typed(),
        () -> {
          WorkloadEndpoint now =
              endpoints
                  .find(EndpointQuery.workload(hostname, w.orchestratorId(), w.workloadId()))
                  .stream()
                  .filter(e -> e.endpointId().equals(endpointId))
                  .findFirst()
                  .orElseThrow(
                      () ->
                          new NotFoundException(
                              Reason.WORKLOAD_NOT_CONFIGURED,
                              "The endpoint of " + w.typed() + " was removed meanwhile"));
          WorkloadEndpoint updated = now.toBuilder().mac(mac.toString()).build();
          Key key = WorkloadEndpoints.keyOf(now);
          Key markerKey = WorkloadMarker.key(hostname, w.orchestratorId(), w.workloadId());
          Optional<KeyValue> markerNow = datastore.get(markerKey);
          WorkloadMarker moved = marker.orElse(new WorkloadMarker(endpointId, 0, null)).movedTo(ns);
          Transaction.Builder txn =
              Transaction.builder()
                  .guard(WorkloadEndpoints.unchanged(now))
                  .put(key, EndpointJson.write(updated, format))
                  .put(markerKey, moved.toJson());
          txn.guard(
              markerNow
                  .map(kv -> Guard.atRevision(markerKey, kv.revision()))
                  .orElse(Guard.absent(markerKey)));
          TxnResult r = datastore.commit(txn.build());
          return r.succeeded() ? updated.withRevision(r.revision()) : null;
        });
  }
}
