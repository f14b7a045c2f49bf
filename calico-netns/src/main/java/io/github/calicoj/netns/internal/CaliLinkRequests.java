package io.github.calicoj.netns.internal;

import static java.util.Objects.requireNonNull;

import com.google.common.net.InetAddresses;
import io.github.calicoj.netns.CaliLinkConfig;
import io.github.calicoj.netns.InterfaceName;
import io.github.calicoj.netns.Link;
import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.NetnsException;
import io.github.calicoj.netns.internal.msg.Requests;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@link RtNetlink}'s settings of Calico's host side of workload links ({@link CaliLinkConfig}):
 * IPv6 proxy-NDP entries through netlink; IPv4 forwarding, proxy ARP and proxy delay, IPv6
 * forwarding and proxy NDP as {@code /proc/sys} writes in the socket's namespace. Thread-safe (its
 * socket is).
 *
 * <p>The kernel would take the IPv4 settings as netlink requests too, and both grow with the host's
 * links: an RTM_SETLINK ({@code IFLA_AF_SPEC} → {@code AF_INET} → {@code IFLA_INET_CONF}, for
 * forwarding and proxy ARP) makes it announce a NETDEV_CHANGE of the link, on which IPv6 walks its
 * whole routing table (three routes per link, even on IPv4-only links), and an RTM_SETNEIGHTBL (for
 * proxy delay) looks the link's parameters up in a list of every link's. On kernel 6.18, with a
 * thousand workload links the first costs 0.3-0.5 ms per link against 0.02 ms at ten, and with
 * 2,200 links the second costs five times what it costs at 200. The file writes cost the same at
 * any scale.
 */
final class CaliLinkRequests {
  private final Supplier<NetlinkSocket> socket;
  private final NetNs ns;

  /** Requests on {@code socket}'s socket, whose namespace is {@code ns}. */
  CaliLinkRequests(Supplier<NetlinkSocket> socket, NetNs ns) {
    this.socket = socket;
    this.ns = ns;
  }

  private NetlinkSocket socket() {
    return socket.get();
  }

  public void configureCaliLink(Link caliLink, CaliLinkConfig config) {
    requireNonNull(caliLink, "link");
    requireNonNull(config, "config");
    // The files first: a link that is gone fails there with ENOENT, naming it.
    Map<String, String> files = sysctls(caliLink.name(), config);
    if (!files.isEmpty()) {
      ProcSys.write(ns, files);
    }
    socket().requestAll(caliLinkParts(caliLink, config));
  }

  public Map<InterfaceName, NetnsException> configureCaliLinks(Map<Link, CaliLinkConfig> links) {
    List<NetlinkSocket.Part> parts = new ArrayList<>();
    List<InterfaceName> owners = new ArrayList<>();
    Map<String, String> files = new LinkedHashMap<>();
    links.forEach(
        (l, config) -> {
          for (NetlinkSocket.Part p : caliLinkParts(l, config)) {
            parts.add(p);
            owners.add(l.name());
          }
          files.putAll(sysctls(l.name(), config));
        });
    Map<InterfaceName, NetnsException> failures = new LinkedHashMap<>();
    NetnsException[] outcomes = socket().requestEach(parts);
    for (int i = 0; i < outcomes.length; i++) {
      if (outcomes[i] != null) {
        failures.putIfAbsent(owners.get(i), outcomes[i]);
      }
    }
    if (!files.isEmpty()) {
      try {
        ProcSys.write(ns, files);
      } catch (NetnsException e) {
        // One write failed (its link went away, say): the others one link at a time.
        links.forEach(
            (l, config) -> {
              Map<String, String> own = sysctls(l.name(), config);
              if (!own.isEmpty() && !failures.containsKey(l.name())) {
                try {
                  ProcSys.write(ns, own);
                } catch (NetnsException e2) {
                  failures.put(l.name(), e2);
                }
              }
            });
      }
    }
    return failures;
  }

  /** The {@code /proc/sys} settings of one link, as dotted keys. */
  private static Map<String, String> sysctls(InterfaceName link, CaliLinkConfig config) {
    Map<String, String> out = new LinkedHashMap<>();
    if (config.ipv4()) {
      out.put("net.ipv4.conf." + link + ".forwarding", "1");
      out.put("net.ipv4.conf." + link + ".proxy_arp", "1");
      out.put("net.ipv4.neigh." + link + ".proxy_delay", "0");
    }
    if (config.ipv6()) {
      out.put("net.ipv6.conf." + link + ".forwarding", "1");
      out.put("net.ipv6.conf." + link + ".proxy_ndp", "1");
    }
    return out;
  }

  /** The netlink requests of {@link #configureCaliLink} for one link. */
  private static List<NetlinkSocket.Part> caliLinkParts(Link caliLink, CaliLinkConfig config) {
    int index = caliLink.index();
    InterfaceName link = caliLink.name();
    List<NetlinkSocket.Part> parts = new ArrayList<>();
    for (InetAddress a : config.ipv6ProxyNeighbors()) {
      parts.add(
          new NetlinkSocket.Part(
              "RTM_NEWNEIGH",
              "proxy " + InetAddresses.toAddrString(a) + " dev " + link,
              (buf, seq) -> Requests.proxyNeighbor(buf, seq, true, index, a)));
    }
    return parts;
  }
}
