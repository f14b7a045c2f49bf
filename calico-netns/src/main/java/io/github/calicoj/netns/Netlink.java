package io.github.calicoj.netns;

import io.github.calicoj.netns.internal.RtNetlink;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An rtnetlink socket bound to one network namespace. Each method is one (or a few) kernel requests
 * and names the {@code ip(8)} command it equals; no process is ever started.
 *
 * <pre>{@code
 * try (NetNs workload = NetNs.open(Path.of("/proc/4242/ns/net"));
 *     Netlink host = Netlink.open();
 *     Netlink inside = Netlink.openIn(workload)) {
 *   InterfaceName eth1 = InterfaceName.of("eth1");
 *   Link cali = host.createVeth(InterfaceName.of("cali0123456789a"), eth1, workload,
 *       VethOptions.DEFAULT.withHostMac(MacAddress.CALICO_HOST));
 *   Link inner = inside.link(eth1);
 *   MacAddress mac = inner.mac();
 *   inside.configureInterface(inner, List.of(IpPrefix.parse("10.65.0.7/32")),
 *       List.of(Route.onLink(gateway, eth1), Route.defaultVia(gateway, eth1))); // on-link first
 *   host.configureCaliLink(cali, CaliLinkConfig.IPV4);
 * }
 * }</pre>
 *
 * <p><b>Namespaces:</b> the socket's namespace is fixed when it is opened; {@link #openIn} creates
 * it on calicoj's namespace thread, which enters the namespace only for {@code socket()}. After
 * that every call works from any thread.
 *
 * <p><b>Thread safety:</b> thread-safe; requests are serialized. Every reply is awaited at most the
 * socket timeout (default {@link #DEFAULT_TIMEOUT}). The opener owns the socket and closes it; a
 * {@link NetNs} passed in is borrowed, never closed.
 *
 * <p><b>Errors:</b> a {@link NetnsException} with the kernel's errno and extended-ack text.
 * Interface names are validated by {@link InterfaceName} before any syscall.
 */
public interface Netlink extends AutoCloseable {

  /** The default bound on waiting for one kernel reply. */
  Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  /** A socket in the calling thread's namespace (normally the host's). */
  static Netlink open() {
    return RtNetlink.openCurrent(DEFAULT_TIMEOUT);
  }

  /**
   * A socket in {@code ns}; the socket keeps that namespace for life. Returns at once: calicoj's
   * namespace thread makes the socket meanwhile, and the first request waits for it, so other work
   * (such as creating the veth on the host's socket) overlaps with the namespace switch. A failure
   * to make the socket (such as EPERM from {@code setns} without CAP_SYS_ADMIN) is thrown by that
   * first request.
   *
   * @throws IllegalStateException if {@code ns} is closed
   */
  static Netlink openIn(NetNs ns) {
    return RtNetlink.openIn(ns, DEFAULT_TIMEOUT);
  }

  /** {@link #openIn(NetNs)} whose replies are awaited at most {@code timeout}. */
  static Netlink openIn(NetNs ns, Duration timeout) {
    return RtNetlink.openIn(ns, timeout);
  }

  /**
   * Creates a veth pair whose host end {@code host} lives in this socket's namespace and whose peer
   * is born inside {@code peerNs} under its final name {@code peer} (no move, no rename: the fast
   * path). {@code ip link add HOST type veth peer name PEER netns PEERNS}.
   *
   * @return the host end as created
   * @throws NetnsException EEXIST if either name is taken in its namespace; ERANGE if the kernel
   *     finds a name too long
   */
  Link createVeth(InterfaceName host, InterfaceName peer, NetNs peerNs, VethOptions options);

  /** {@link #createVeth(InterfaceName, InterfaceName, NetNs, VethOptions)} with defaults. */
  default Link createVeth(InterfaceName host, InterfaceName peer, NetNs peerNs) {
    return createVeth(host, peer, peerNs, VethOptions.DEFAULT);
  }

  /**
   * Moves an existing link into {@code target} and renames it there, in one atomic request (the
   * compatibility path; a move costs ~17 ms of kernel RCU time). The link arrives down. {@code ip
   * link set LINK netns TARGET name NEWNAME}.
   *
   * @throws NetnsException ENODEV if the link does not exist; EEXIST if the name is taken there
   */
  void moveToNamespace(InterfaceName link, NetNs target, InterfaceName newName);

  /** {@code ip link set LINK up}. @throws NetnsException ENODEV if there is no such link */
  void setUp(InterfaceName link);

  /** {@code ip link set LINK down}. @throws NetnsException ENODEV if there is no such link */
  void setDown(InterfaceName link);

  /**
   * Adds an address: {@code ip addr add ADDRESS dev LINK}. IPv6 addresses skip duplicate address
   * detection ({@code nodad}), so they are usable at once.
   *
   * @throws NetnsException EEXIST if the address is already there; ENODEV if there is no link
   */
  void addAddress(InterfaceName link, IpPrefix address);

  /**
   * {@code ip addr del ADDRESS dev LINK}.
   *
   * @throws NetnsException EADDRNOTAVAIL if the address is not there; ENODEV if there is no link
   */
  void deleteAddress(InterfaceName link, IpPrefix address);

  /**
   * {@code ip route add ROUTE}. Order matters: a route via a gateway needs the gateway reachable
   * first, so add {@link Route#onLink} before {@link Route#defaultVia}, or the kernel answers
   * ENETUNREACH ("Nexthop has invalid gateway").
   *
   * @throws NetnsException EEXIST if the route exists; ENODEV if the device does not
   */
  void addRoute(Route route);

  /**
   * Brings a workload's interface into service in one round trip: {@code ip link set LINK up}, then
   * {@code ip addr replace ADDRESS dev LINK} for each address, then {@code ip route replace ROUTE}
   * for each route, in that order (so put {@link Route#onLink} before {@link Route#defaultVia}),
   * all sent in one datagram. Idempotent. {@code link} is the interface as {@link #link} or {@link
   * #createVeth} just returned it: its index is used, so a link deleted and made again since gives
   * ENODEV.
   *
   * @throws IllegalArgumentException if a route is on another device
   * @throws NetnsException naming the first step the kernel refused, such as ENETUNREACH for a
   *     route whose gateway is not reachable; the kernel still ran every other step
   */
  void configureInterface(Link link, List<IpPrefix> addresses, List<Route> routes);

  /** {@code ip route replace ROUTE}: adds or overwrites. */
  void replaceRoute(Route route);

  /** {@code ip route del ROUTE}. @throws NetnsException ESRCH if there is no such route */
  void deleteRoute(Route route);

  /**
   * {@code ip route replace ROUTE}, tagged with the route's protocol: adds the main-table route to
   * its destination, or overwrites the one there (the kernel keys routes by destination, TOS and
   * metric, not by owner: a route of another owner to the same destination is overwritten too).
   * Idempotent.
   *
   * @throws NetnsException ENODEV if the device does not exist; ENETUNREACH if no route reaches the
   *     gateway
   */
  void replaceRoute(OwnedRoute route);

  /**
   * {@code ip route del [blackhole] DEST proto PROTOCOL}: deletes the main-table route to the
   * route's destination if it has the route's protocol and kind, whatever its gateway or device.
   *
   * @return false if there was no such route
   */
  boolean deleteRoute(OwnedRoute route);

  /**
   * {@link #replaceRoute(OwnedRoute)} for each route, in order, sent in as few datagrams as fit
   * (one round trip per some fifty routes). The kernel tries every route whatever became of the
   * others.
   *
   * @return the refusals, by route; empty if every route was applied
   */
  Map<OwnedRoute, NetnsException> replaceRoutes(Collection<OwnedRoute> routes);

  /**
   * {@link #deleteRoute(OwnedRoute)} for each route, batched like {@link #replaceRoutes}. A route
   * that is already gone is not a failure.
   *
   * @return the refusals, by route; empty if every route is gone now
   */
  Map<OwnedRoute, NetnsException> deleteRoutes(Collection<OwnedRoute> routes);

  /**
   * {@code ip route show table main proto PROTOCOL} and {@code ip -6 route show table main proto
   * PROTOCOL}: every main-table route of both families tagged with {@code protocol}, read with one
   * RTM_GETROUTE dump (and a link dump to name the devices). Routes with several next hops, and
   * types other than unicast and blackhole, are left out. Sorted by destination text.
   *
   * @throws IllegalArgumentException if {@code protocol} is outside {@value
   *     OwnedRoute#MIN_PROTOCOL}..255
   */
  List<OwnedRoute> ownedRoutes(int protocol);

  /**
   * {@code ip neigh replace proxy ADDRESS dev LINK}: answer neighbour discovery (IPv6) or ARP
   * (IPv4) for ADDRESS on LINK, as Felix does for a workload's IPv6 gateway. Idempotent.
   *
   * @throws NetnsException ENODEV if there is no such link
   */
  void addProxyNeighbor(InterfaceName link, InetAddress address);

  /** {@code ip link show NAME}: the link, or empty if there is none. */
  Optional<Link> findLink(InterfaceName name);

  /**
   * {@code ip link show NAME}.
   *
   * @throws NetnsException ENODEV if there is no such link
   */
  Link link(InterfaceName name);

  /**
   * The other end of veth {@code link}: its index, its name, and the id of its namespace as this
   * socket's namespace numbers it. {@code ip -d link show LINK} prints the same as {@code
   * link-netnsid} and the {@code @ifN} suffix; the peer's name is then read with {@code
   * IFLA_TARGET_NETNSID}, so no socket in the peer's namespace is needed. Asking assigns the peer
   * namespace an id if it had none, as {@code ip link show} does. Empty if {@code link} is not a
   * veth.
   *
   * @throws NetnsException ENODEV if there is no such link
   */
  Optional<VethPeer> peerOf(InterfaceName link);

  /**
   * The id that this socket's namespace gives {@code ns} ({@code ip netns list-id}; RTM_GETNSID
   * with the namespace's fd), or empty if it has none. The kernel assigns an id when a link here
   * first reports a peer in {@code ns} (see {@link #peerOf}); the socket's own namespace normally
   * has none.
   */
  OptionalInt namespaceId(NetNs ns);

  /**
   * True if {@code link} is a veth whose other end is {@code peer} inside {@code peerNs}: a
   * leftover pair made by {@link #createVeth} is recognized by this from the host side alone. False
   * if {@code link} does not exist, is not a veth, or its peer has another name or lives elsewhere.
   */
  boolean isVethPeer(InterfaceName link, NetNs peerNs, InterfaceName peer);

  /** True if a link of this name exists. */
  default boolean exists(InterfaceName name) {
    return findLink(name).isPresent();
  }

  /** {@code ip link show}: every link in the namespace, by index. */
  List<Link> links();

  /**
   * {@code ip link del NAME}; deleting either end of a veth deletes both (~20 ms of kernel time).
   *
   * @throws NetnsException ENODEV if there is no such link
   */
  void deleteLink(InterfaceName name);

  /** Like {@link #deleteLink} but tolerant: returns false if there was no such link. */
  boolean deleteLinkIfExists(InterfaceName name);

  /**
   * Deletes many links with one kernel synchronization: tags them with an interface group that
   * calicoj owns and has checked is empty, then {@code ip link del group G}. About 0.4 ms per link
   * instead of ~20 ms; the tagging requests go in as few datagrams as fit. Names that do not exist
   * are skipped. The namespace's links are listed once per call, to check the group.
   *
   * @return how many links were deleted
   * @throws NetnsException if a link could not be tagged (the tagged ones are still deleted)
   */
  int deleteLinks(Collection<InterfaceName> names);

  /**
   * Sets Calico's host side of a workload link in this socket's namespace ({@link CaliLinkConfig}),
   * in one call: {@code sysctl -w net.ipv4.conf.LINK.forwarding=1 net.ipv4.conf.LINK.proxy_arp=1
   * net.ipv4.neigh.LINK.proxy_delay=0}, and for IPv6 {@code net.ipv6.conf.LINK.forwarding=1
   * net.ipv6.conf.LINK.proxy_ndp=1} and {@code ip -6 neigh replace proxy ADDRESS dev LINK}. The
   * settings are {@code /proc/sys} writes, all in one switch into the namespace (none if the
   * calling thread is already there), and the proxy-NDP entries one netlink datagram. The IPv4
   * settings also exist as netlink requests, but those cost more the more links the host has (an
   * RTM_SETLINK makes IPv6 walk its whole routing table; an RTM_SETNEIGHTBL searches a list of
   * every link's parameters), while the file writes cost the same at any scale. Idempotent.
   *
   * <p>{@code link} is the link as {@link #createVeth} or {@link #link} just returned it: its index
   * is used for the proxy-NDP entries.
   *
   * @throws NetnsException one whose {@link NetnsException#isNotFound()} holds if the link is gone;
   *     otherwise naming the first setting the kernel refused (the file writes stop there, and the
   *     proxy-NDP entries are not sent)
   */
  void configureCaliLink(Link link, CaliLinkConfig config);

  /**
   * {@link #configureCaliLink(Link, CaliLinkConfig)} for many links at once: every netlink request
   * of every link goes in as few datagrams as fit, and the {@code /proc/sys} writes of all links in
   * one switch into the namespace, so a host's thousand workload links take a few round trips, not
   * a thousand. One link's refusal does not keep the other links' settings from being applied.
   *
   * @return the first refusal of each link that had one (for a link that went away, one whose
   *     {@link NetnsException#isNotFound()} holds), by link name; empty if every setting was
   *     applied
   */
  Map<InterfaceName, NetnsException> configureCaliLinks(Map<Link, CaliLinkConfig> links);

  /**
   * {@link #configureCaliLink(Link, CaliLinkConfig)} of the link named {@code link}, looked up
   * first (one more round trip).
   *
   * @throws NetnsException ENODEV if there is no such link
   */
  default void configureCaliLink(InterfaceName link, CaliLinkConfig config) {
    configureCaliLink(link(link), config);
  }

  /** Closes the socket. Idempotent, thread-safe, never throws; a borrowed NetNs stays open. */
  @Override
  void close();
}
