package io.github.calicoj.node.internal.dataplane;

import io.github.calicoj.netns.NetnsException;
import io.github.calicoj.netns.OwnedRoute;
import io.github.calicoj.node.internal.nft.NftBatch;
import java.net.InetAddress;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The kernel of the host namespace, as far as the agent changes it: its nftables table, its routes
 * (tagged with its route protocol), the host side of workload links and the forwarding sysctls.
 * Every call is bounded. Implementations: {@link KernelDataplane}, and recording fakes in tests.
 * Used by one thread at a time (the agent's loop); owns its kernel handles.
 */
public interface Dataplane extends AutoCloseable {

  /**
   * Runs a batch of nftables commands as one transaction: a replacement of the whole table or a
   * diff. Nothing is applied if it fails.
   *
   * @throws NetnsException (an {@code NftablesException}) if libnftables or the kernel refused
   */
  void apply(NftBatch batch);

  /** Deletes the agent's table if it exists ({@code nft delete table inet calico}). */
  void deleteTable();

  /** The agent's routes as the kernel has them now ({@code ip route show proto N}). */
  List<OwnedRoute> routes();

  /** Replaces each route; returns the refusals by route. */
  Map<OwnedRoute, NetnsException> replaceRoutes(Collection<OwnedRoute> routes);

  /** Deletes each route (one already gone is fine); returns the refusals by route. */
  Map<OwnedRoute, NetnsException> deleteRoutes(Collection<OwnedRoute> routes);

  /** Every link of the namespace: its name and whether it is up ({@code ip link show}). */
  Map<String, Boolean> links();

  /** One link: whether it is up, or empty if there is no such link. */
  Optional<Boolean> link(String name);

  /**
   * Sets the host side of a workload link as Calico does: IPv4 forwarding and proxy ARP and {@code
   * proxy_delay} 0 if {@code ipv4}; IPv6 forwarding, proxy NDP and a proxy entry for each of {@code
   * ipv6Gateways} if {@code ipv6}. Idempotent.
   *
   * @throws NetnsException one whose {@link NetnsException#isNotFound()} holds if the link is gone
   */
  void configureWorkloadLink(
      String name, boolean ipv4, boolean ipv6, List<InetAddress> ipv6Gateways);

  /** A workload link's host side as {@link #configureWorkloadLinks} sets it. */
  record WorkloadLink(String name, boolean ipv4, boolean ipv6, List<InetAddress> ipv6Gateways) {
    /** Copies the gateways. */
    public WorkloadLink {
      ipv6Gateways = List.copyOf(ipv6Gateways);
    }
  }

  /**
   * {@link #configureWorkloadLink} for many links in a few kernel round trips.
   *
   * @return the links that could not be set (such as a link that went away), by name
   */
  Map<String, NetnsException> configureWorkloadLinks(List<WorkloadLink> links);

  /**
   * {@code net.ipv4.ip_forward=1} and, if the namespace has IPv6, {@code
   * net.ipv6.conf.all.forwarding=1}.
   */
  void enableForwarding();

  /** Releases the kernel handles. Idempotent; never throws. */
  @Override
  void close();
}
