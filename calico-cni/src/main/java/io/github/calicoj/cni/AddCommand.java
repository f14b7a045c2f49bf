package io.github.calicoj.cni;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.AlreadyExistsException;
import io.github.calicoj.core.CalicoException;
import io.github.calicoj.core.CalicoException.Reason;
import io.github.calicoj.core.client.AddOptions;
import io.github.calicoj.core.client.CalicoClient;
import io.github.calicoj.core.client.IpRequest;
import io.github.calicoj.core.client.WorkloadRef;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.netns.InterfaceName;
import io.github.calicoj.netns.IpPrefix;
import io.github.calicoj.netns.MacAddress;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ADD: the container onto the network with the SDK's add, which is all or nothing (veth with its
 * peer born in the container as {@code CNI_IFNAME}, the address, the routes, and one etcd
 * transaction for the IP's block, the workload's marker and the endpoint); a dual-stack container
 * then gets its IPv6 address with the SDK's IP add on the same interface (the address, its routes,
 * and one transaction for the block and the endpoint). The endpoint has orchestrator {@code cni},
 * the container id as workload id and the network's profile (made on first use with Calico's
 * default rules: inbound from the network's own tag, all outbound); its addresses are owned by the
 * handle {@code <network>.<container id>}. Anything that fails after the add (the second family,
 * the result) removes it again, so a failed ADD leaves nothing. A MAC requested in {@code CNI_ARGS}
 * (podman asks for the old one on {@code network reload}) is logged and not applied: the SDK's add
 * lets the kernel choose it, and the endpoint records that one. A {@code prevResult} (a plugin
 * before this one in a chain) is replaced by this plugin's result, which owns the container's
 * interface and routes. Stateless.
 */
final class AddCommand {
  private static final Logger LOG = LoggerFactory.getLogger(AddCommand.class);

  /** Era B's IPv4 next hop, which the host answers by proxy ARP. */
  static final InetAddress NEXT_HOP_V4 = InetAddresses.forString("169.254.1.1");

  /** Era B's IPv6 next hop: the link-local address of the host end's MAC ee:ee:ee:ee:ee:ee. */
  static final InetAddress NEXT_HOP_V6 = InetAddresses.forString("fe80::ecee:eeff:feee:eeee");

  private AddCommand() {}

  /** Adds the container; see the class comment. */
  static CniResult run(CniEnvironment env, NetConf conf, CalicoSession session) {
    Path netns = Path.of(env.netns());
    if (!Files.exists(netns)) {
      throw new CniException(CniCode.UNKNOWN_CONTAINER, "CNI_NETNS " + netns + " does not exist");
    }
    if (conf.hostNetns != null && !Files.exists(conf.hostNetns)) {
      throw new CniException(
          CniCode.INVALID_CONFIG, "host_netns " + conf.hostNetns + " does not exist");
    }
    AddressPlan plan = AddressPlan.of(conf, env.args());
    env.args()
        .mac()
        .ifPresent(
            mac ->
                LOG.warn(
                    "ADD {}: CNI_ARGS MAC={} is not applied: the kernel chooses the MAC of {} (the"
                        + " result reports it)",
                    env.containerId(),
                    mac,
                    env.ifname()));
    CalicoClient client = session.client();
    ensureProfile(client, conf.name);
    InterfaceName ifname = env.requireIfname();
    WorkloadRef ref = CalicoSession.workload(env);
    refuseIfConfigured(client, ref);
    AddOptions options =
        AddOptions.DEFAULT
            .withProfiles(List.of(conf.name))
            .withOwner(session.owner(conf.name, env.containerId()))
            .withMtu(conf.mtu); // 0: the kernel's default
    List<List<IpRequest>> families = plan.families();
    WorkloadEndpoint ep =
        tryInOrder(ref, families.get(0), conf, r -> client.addWorkload(ref, r, ifname, options));
    try {
      for (List<IpRequest> family : families.subList(1, families.size())) {
        // The second family: its address, on-link and default routes on the same interface.
        ep = tryInOrder(ref, family, conf, r -> client.addIp(ref, r, ifname));
      }
      CniResult result = result(ep, ifname, env.netns(), conf.dns);
      LOG.info(
          "ADD {}: endpoint {} ({}) with {} on {}",
          env.containerId(),
          ep.endpointId(),
          ep.name(),
          ep.nets(),
          session.nodename());
      return result;
    } catch (RuntimeException | Error e) {
      try {
        client.removeWorkload(ref);
        client.ipam().releaseByHandle(CalicoSession.handle(conf.name, env.containerId()));
      } catch (RuntimeException undo) {
        e.addSuppressed(undo);
      }
      throw e;
    }
  }

  /**
   * Creates the network's profile with Calico's default rules unless it exists (another ADD, or an
   * administrator, made it first); an existing profile is used as it is. It is read first: a read
   * costs etcd no write to its log, where the create, even one that finds the profile, is a
   * transaction that does.
   */
  static void ensureProfile(CalicoClient client, String network) {
    if (client.profiles().exists(network)) {
      return;
    }
    try {
      client.profiles().create(network);
      LOG.info("Created profile {} with the default rules", network);
    } catch (AlreadyExistsException e) {
      if (e.reason() != Reason.PROFILE_EXISTS) {
        throw e;
      }
    }
  }

  /**
   * Refuses a container that has an endpoint already (a second ADD with another {@code CNI_IFNAME},
   * or a second Calico network) before anything is made: the SDK's add finds it too, but only at
   * its commit, after it has set up the new interface, whose routes replace the container's default
   * route until the rollback deletes them.
   */
  private static void refuseIfConfigured(CalicoClient client, WorkloadRef ref) {
    client
        .endpoint(ref)
        .ifPresent(
            ep -> {
              throw new CniException(
                  CniCode.ALREADY_CONFIGURED,
                  "Container "
                      + ref.workloadId()
                      + " already has a Calico endpoint on this host ("
                      + ep.name()
                      + ", "
                      + ep.nets()
                      + "): a container can be on one Calico network, through one interface");
            });
  }

  /**
   * Runs {@code step} with each request in turn until one succeeds, moving on only from a full
   * pool; a pool that does not exist, or the last one full, is reported naming the configuration's
   * field.
   */
  private static WorkloadEndpoint tryInOrder(
      WorkloadRef ref,
      List<IpRequest> requests,
      NetConf conf,
      Function<IpRequest, WorkloadEndpoint> step) {
    for (int i = 0; ; i++) {
      IpRequest request = requests.get(i);
      try {
        return step.apply(request);
      } catch (CalicoException e) {
        if (e.reason() == Reason.POOL_EXHAUSTED && i + 1 < requests.size()) {
          LOG.info("ADD {}: {} is full, trying the next pool", ref.workloadId(), request);
          continue;
        }
        if (request instanceof IpRequest.FromPool p) {
          String field = "ipam.ipv" + p.version() + "_pools";
          if (e.reason() == Reason.POOL_NOT_FOUND) {
            throw new CniException(
                CniCode.INVALID_CONFIG,
                field + " names " + p.pool() + ", which is not a Calico pool",
                null,
                e);
          }
          if (e.reason() == Reason.POOL_EXHAUSTED) {
            throw new CniException(
                CniCode.POOL_EXHAUSTED,
                "No address is free in " + field + " " + conf.ipam.pools(p.version()),
                null,
                e);
          }
        }
        throw e;
      }
    }
  }

  /**
   * The spec's result: the host end (its fixed MAC) and the container's interface, each address
   * with its next hop and the container interface's index, the default route of each family, and
   * the configured DNS.
   */
  static CniResult result(WorkloadEndpoint ep, InterfaceName ifname, String netns, Dns dns) {
    String mac = ep.mac();
    if (mac == null) {
      throw new IllegalStateException("Endpoint " + ep.endpointId() + " has no MAC");
    }
    List<CniResult.Interface> interfaces =
        List.of(
            new CniResult.Interface(ep.name(), MacAddress.CALICO_HOST.toString(), null),
            new CniResult.Interface(ifname.toString(), mac, netns));
    List<CniResult.IpConfig> ips = new ArrayList<>();
    Set<InetAddress> hops = new LinkedHashSet<>();
    for (Cidr net : ep.nets()) {
      InetAddress hop = net.address() instanceof Inet4Address ? NEXT_HOP_V4 : NEXT_HOP_V6;
      ips.add(new CniResult.IpConfig(new IpPrefix(net.address(), net.prefixLength()), hop, 1));
      hops.add(hop);
    }
    List<CniResult.RouteConfig> routes = new ArrayList<>();
    hops.forEach(h -> routes.add(CniResult.defaultRoute(h)));
    return new CniResult(interfaces, ips, routes, dns);
  }
}
