package io.github.calicoj.node.internal.dataplane;

import static java.util.Objects.requireNonNull;

import io.github.calicoj.netns.CaliLinkConfig;
import io.github.calicoj.netns.InterfaceName;
import io.github.calicoj.netns.Link;
import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.Netlink;
import io.github.calicoj.netns.NetnsException;
import io.github.calicoj.netns.OwnedRoute;
import io.github.calicoj.netns.Sysctls;
import io.github.calicoj.netns.nft.NftCommands;
import io.github.calicoj.netns.nft.NftElements;
import io.github.calicoj.netns.nft.NftTable;
import io.github.calicoj.netns.nft.Nftables;
import io.github.calicoj.node.internal.nft.NftBatch;
import io.github.calicoj.node.internal.render.NftNames;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The real kernel of one namespace: libnftables for the table ({@link Nftables}, on its own
 * namespace-bound thread; tag set members, chains and rules it can encode as raw nf_tables batches
 * through the handle's namespace-bound socket), an rtnetlink socket bound to the namespace for
 * routes and links, and its sysctls. Owns all three handles (and a duplicate of the namespace
 * handle); {@link #close()} releases them. Thread-safe, as its parts are.
 */
public final class KernelDataplane implements Dataplane {
  private static final NftTable TABLE = NftTable.inet(NftNames.TABLE);

  private final NetNs ns;
  private final Nftables nft;
  private final Netlink netlink;
  private final int protocol;
  private final AtomicBoolean closed = new AtomicBoolean();

  private KernelDataplane(NetNs ns, Nftables nft, Netlink netlink, int protocol) {
    this.ns = ns;
    this.nft = nft;
    this.netlink = netlink;
    this.protocol = protocol;
  }

  /**
   * Opens the handles in {@code ns} (borrowed: a duplicate is kept, so the caller may close
   * theirs); each kernel call waits at most {@code timeout}. {@code protocol} tags the routes.
   *
   * @throws UnsupportedOperationException if libnftables or netlink is unavailable
   */
  public static KernelDataplane open(NetNs ns, Duration timeout, int protocol) {
    NetNs own = ns.duplicate();
    Nftables nft = null;
    try {
      nft = Nftables.open(own, timeout);
      Netlink netlink = Netlink.openIn(own, timeout);
      return new KernelDataplane(own, nft, netlink, protocol);
    } catch (RuntimeException e) {
      if (nft != null) {
        nft.close();
      }
      own.close();
      throw e;
    }
  }

  @Override
  public void apply(NftBatch batch) {
    apply(nft, batch);
  }

  /**
   * Runs {@code batch} through {@code nft} as one transaction, without libnftables where its
   * commands allow (no parse, no fetch of the whole ruleset into libnftables' cache): address-set
   * element changes only (a tag set's members) as a raw element batch ({@link
   * Nftables#applyElements}); regular chains, the rules {@code RawRules} translates, dispatch
   * entries and elements (an endpoint added, changed or removed, a profile's rules changed) as raw
   * commands ({@link Nftables#apply}); anything else (sets or maps made or deleted, rules with
   * anonymous sets, resyncs) as libnftables JSON, and so are raw commands too long for one raw
   * batch (which {@link Nftables#apply} refuses before sending anything). Nothing for an empty
   * batch.
   */
  public static void apply(Nftables nft, NftBatch batch) {
    requireNonNull(batch, "batch");
    if (batch.isEmpty()) {
      return;
    }
    Optional<NftElements> elements = batch.elementsOnly();
    if (elements.isPresent()) {
      nft.applyElements(elements.get());
      return;
    }
    Optional<NftCommands> raw = batch.rawCommands();
    if (raw.isPresent()) {
      try {
        nft.apply(raw.get());
        return;
      } catch (IllegalArgumentException e) {
        // Longer than one raw batch (nothing was sent): libnftables splits it as it needs.
      }
    }
    nft.run(batch.toJson());
  }

  @Override
  public void deleteTable() {
    nft.deleteTableIfExists(TABLE);
  }

  @Override
  public List<OwnedRoute> routes() {
    return netlink.ownedRoutes(protocol);
  }

  @Override
  public Map<OwnedRoute, NetnsException> replaceRoutes(Collection<OwnedRoute> routes) {
    return routes.isEmpty() ? Map.of() : netlink.replaceRoutes(routes);
  }

  @Override
  public Map<OwnedRoute, NetnsException> deleteRoutes(Collection<OwnedRoute> routes) {
    return routes.isEmpty() ? Map.of() : netlink.deleteRoutes(routes);
  }

  @Override
  public Map<String, Boolean> links() {
    Map<String, Boolean> out = new HashMap<>();
    for (Link l : netlink.links()) {
      out.put(l.name().value(), l.up());
    }
    return out;
  }

  @Override
  public Optional<Boolean> link(String name) {
    return netlink.findLink(InterfaceName.of(name)).map(Link::up);
  }

  @Override
  public void configureWorkloadLink(
      String name, boolean ipv4, boolean ipv6, List<InetAddress> ipv6Gateways) {
    CaliLinkConfig config =
        new CaliLinkConfig(ipv4, ipv6, ipv6 ? List.copyOf(ipv6Gateways) : List.of());
    if (ipv4 || ipv6) {
      netlink.configureCaliLink(InterfaceName.of(name), config);
    }
  }

  @Override
  public Map<String, NetnsException> configureWorkloadLinks(List<WorkloadLink> links) {
    if (links.isEmpty()) {
      return Map.of();
    }
    Map<String, Link> existing = new HashMap<>();
    for (Link l : netlink.links()) {
      existing.put(l.name().value(), l);
    }
    Map<Link, CaliLinkConfig> wanted = new LinkedHashMap<>();
    Map<String, NetnsException> failures = new HashMap<>();
    for (WorkloadLink w : links) {
      Link l = existing.get(w.name());
      if (l == null) {
        failures.put(
            w.name(),
            new NetnsException(
                "configure",
                w.name(),
                NetnsException.ENODEV,
                "ENODEV",
                "No such device",
                null,
                null));
      } else if (w.ipv4() || w.ipv6()) {
        wanted.put(
            l, new CaliLinkConfig(w.ipv4(), w.ipv6(), w.ipv6() ? w.ipv6Gateways() : List.of()));
      }
    }
    netlink.configureCaliLinks(wanted).forEach((n, e) -> failures.put(n.value(), e));
    return failures;
  }

  @Override
  public void enableForwarding() {
    Sysctls sysctls = Sysctls.in(ns);
    sysctls.write("net.ipv4.ip_forward", "1");
    try {
      sysctls.write("net.ipv6.conf.all.forwarding", "1");
    } catch (NetnsException e) {
      if (!e.isNotFound()) { // no IPv6 in this namespace: nothing to forward
        throw e;
      }
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      netlink.close();
      nft.close();
      ns.close();
    }
  }

  @Override
  public String toString() {
    return "KernelDataplane{" + ns + ", proto " + protocol + "}";
  }
}
