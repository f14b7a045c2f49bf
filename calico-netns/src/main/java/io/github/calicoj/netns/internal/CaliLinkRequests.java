package io.github.calicoj.netns.internal;

import static java.util.Objects.requireNonNull;

import com.google.common.net.InetAddresses;
import io.github.calicoj.netns.CaliLinkConfig;
import io.github.calicoj.netns.InterfaceName;
import io.github.calicoj.netns.Link;
import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.NetnsException;
import io.github.calicoj.netns.internal.msg.Requests;
import io.github.calicoj.netns.internal.msg.Rtnl;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@link RtNetlink}'s settings of Calico's host side of workload links ({@link CaliLinkConfig}):
 * IPv4 forwarding, proxy ARP and proxy delay, and IPv6 proxy-NDP entries, through netlink; IPv6
 * forwarding and proxy NDP as {@code /proc/sys} writes in the socket's namespace. Thread-safe (its
 * socket is).
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
    socket().requestAll(caliLinkParts(caliLink, config));
    if (config.ipv6()) {
      ProcSys.write(ns, ipv6Settings(caliLink.name()));
    }
  }

  public Map<InterfaceName, NetnsException> configureCaliLinks(Map<Link, CaliLinkConfig> links) {
    List<NetlinkSocket.Part> parts = new ArrayList<>();
    List<InterfaceName> owners = new ArrayList<>();
    Map<String, String> v6 = new LinkedHashMap<>();
    links.forEach(
        (l, config) -> {
          for (NetlinkSocket.Part p : caliLinkParts(l, config)) {
            parts.add(p);
            owners.add(l.name());
          }
          if (config.ipv6()) {
            v6.putAll(ipv6Settings(l.name()));
          }
        });
    Map<InterfaceName, NetnsException> failures = new LinkedHashMap<>();
    NetnsException[] outcomes = socket().requestEach(parts);
    for (int i = 0; i < outcomes.length; i++) {
      if (outcomes[i] != null) {
        failures.putIfAbsent(owners.get(i), outcomes[i]);
      }
    }
    if (!v6.isEmpty()) {
      try {
        ProcSys.write(ns, v6);
      } catch (NetnsException e) {
        // One write failed (its link went away, say): the others one link at a time.
        links.forEach(
            (l, config) -> {
              if (config.ipv6() && !failures.containsKey(l.name())) {
                try {
                  ProcSys.write(ns, ipv6Settings(l.name()));
                } catch (NetnsException e2) {
                  failures.put(l.name(), e2);
                }
              }
            });
      }
    }
    return failures;
  }

  private static Map<String, String> ipv6Settings(InterfaceName link) {
    Map<String, String> v6 = new LinkedHashMap<>();
    v6.put("net.ipv6.conf." + link + ".forwarding", "1");
    v6.put("net.ipv6.conf." + link + ".proxy_ndp", "1");
    return v6;
  }

  /** The netlink requests of {@link #configureCaliLink} for one link. */
  private static List<NetlinkSocket.Part> caliLinkParts(Link caliLink, CaliLinkConfig config) {
    int index = caliLink.index();
    InterfaceName link = caliLink.name();
    List<NetlinkSocket.Part> parts = new ArrayList<>();
    if (config.ipv4()) {
      parts.add(
          new NetlinkSocket.Part(
              "RTM_SETLINK",
              link + " ipv4 forwarding 1 proxy_arp 1",
              (buf, seq) ->
                  Requests.setInet4Conf(
                      buf,
                      seq,
                      index,
                      Rtnl.IPV4_DEVCONF_FORWARDING,
                      1,
                      Rtnl.IPV4_DEVCONF_PROXY_ARP,
                      1)));
      parts.add(
          new NetlinkSocket.Part(
              "RTM_SETNEIGHTBL",
              "arp_cache dev " + link + " proxy_delay 0",
              (buf, seq) -> Requests.setProxyDelay(buf, seq, Rtnl.AF_INET, "arp_cache", index, 0)));
    }
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
