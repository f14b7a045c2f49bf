package io.github.calicoj.cni;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.client.CalicoClient;
import io.github.calicoj.core.ipam.AllocationBlock;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.netns.InterfaceName;
import io.github.calicoj.netns.IpPrefix;
import io.github.calicoj.netns.Link;
import io.github.calicoj.netns.MacAddress;
import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.Netlink;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * CHECK: compares the container's networking with {@code prevResult} and the datastore. In the
 * container: the interface exists with the result's MAC, has each of the result's addresses, and
 * the namespace has each of the result's routes (more routes are fine: a later plugin may add
 * some). On the host side: the result's host interface exists and is the veth peer of the
 * container's. In etcd: the container's endpoint exists with that interface, MAC, exactly the
 * result's addresses and the network's profile, and IPAM holds each address for the container's
 * handle. Every difference is reported, in one {@link CniCode#CHECK_FAILED} error. Stateless.
 */
final class CheckCommand {
  private CheckCommand() {}

  /** Checks the container; see the class comment. */
  static void run(CniEnvironment env, NetConf conf, CalicoSession session) {
    if (!conf.version.hasCheck()) {
      throw new CniException(
          CniCode.INCOMPATIBLE_VERSION,
          "CHECK needs cniVersion 0.4.0 or later, not " + conf.version);
    }
    CniResult prev = conf.prevResult();
    InterfaceName ifname = env.requireIfname();
    List<String> problems = new ArrayList<>();
    Optional<CniResult.Interface> sandbox = prev.sandboxInterface(ifname.toString());
    if (sandbox.isEmpty()) {
      throw new CniException(
          CniCode.INVALID_CONFIG,
          "prevResult has no interface "
              + ifname
              + " in a sandbox: it is not this plugin's result");
    }
    int sandboxIndex = prev.interfaces().indexOf(sandbox.get());
    Optional<CniResult.Interface> host =
        prev.interfaces().stream().filter(i -> i.sandbox() == null).findFirst();
    Set<InetAddress> expected = new LinkedHashSet<>();
    for (CniResult.IpConfig ip : prev.ips()) {
      Integer idx = ip.interfaceIndex();
      if (idx != null && idx == sandboxIndex) {
        expected.add(ip.address().address());
      }
    }
    Path netns = Path.of(env.netns());
    if (!env.netns().equals(sandbox.get().sandbox())) {
      problems.add(
          "prevResult puts "
              + ifname
              + " in "
              + sandbox.get().sandbox()
              + ", but CNI_NETNS is "
              + env.netns());
    }
    if (!Files.exists(netns)) {
      problems.add("the container's namespace " + netns + " does not exist");
    } else {
      try (NetNs ns = NetNs.open(netns)) {
        checkContainer(ns, ifname, sandbox.get(), expected, prev, problems);
        host.ifPresentOrElse(
            h -> checkHostEnd(conf, h, ns, ifname, problems),
            () -> problems.add("prevResult has no host interface"));
      }
    }
    checkDatastore(env, conf, session, host, sandbox.get(), expected, problems);
    if (!problems.isEmpty()) {
      throw new CniException(
          CniCode.CHECK_FAILED,
          "CHECK of container "
              + env.containerId()
              + " found "
              + problems.size()
              + " problem(s): "
              + String.join("; ", problems));
    }
  }

  private static void checkContainer(
      NetNs ns,
      InterfaceName ifname,
      CniResult.Interface sandbox,
      Set<InetAddress> expected,
      CniResult prev,
      List<String> problems) {
    Optional<Link> link;
    try (Netlink inside = Netlink.openIn(ns)) {
      link = inside.findLink(ifname);
    }
    if (link.isEmpty()) {
      problems.add("interface " + ifname + " does not exist in " + ns.path());
      return;
    }
    if (sandbox.mac() != null && !sameMac(sandbox.mac(), link.get().mac())) {
      problems.add(
          ifname
              + " has MAC "
              + link.get().mac()
              + ", not "
              + sandbox.mac().toLowerCase(Locale.ROOT));
    }
    if (!link.get().up()) {
      problems.add(ifname + " is down");
    }
    SandboxState state = SandboxState.read(ns, ifname);
    for (InetAddress a : expected) {
      if (!state.addresses().contains(a)) {
        problems.add(ifname + " lacks address " + InetAddresses.toAddrString(a));
      }
    }
    for (CniResult.RouteConfig r : prev.routes()) {
      if (state.routes().stream().noneMatch(k -> sameRoute(r, k))) {
        problems.add(
            "the container has no route to "
                + r.destination()
                + (r.gateway() == null ? "" : " via " + InetAddresses.toAddrString(r.gateway())));
      }
    }
  }

  private static void checkHostEnd(
      NetConf conf,
      CniResult.Interface host,
      NetNs container,
      InterfaceName ifname,
      List<String> problems) {
    InterfaceName name;
    try {
      name = InterfaceName.of(host.name());
    } catch (IllegalArgumentException e) {
      problems.add("prevResult's host interface is not an interface name: " + host.name());
      return;
    }
    try (NetNs hostNs = conf.hostNetns != null ? NetNs.open(conf.hostNetns) : NetNs.current();
        Netlink netlink = Netlink.openIn(hostNs)) {
      if (!netlink.exists(name)) {
        problems.add("host interface " + name + " does not exist");
      } else if (!netlink.isVethPeer(name, container, ifname)) {
        problems.add("host interface " + name + " is not the veth peer of " + ifname);
      }
    }
  }

  private static void checkDatastore(
      CniEnvironment env,
      NetConf conf,
      CalicoSession session,
      Optional<CniResult.Interface> host,
      CniResult.Interface sandbox,
      Set<InetAddress> expected,
      List<String> problems) {
    CalicoClient client = session.client();
    Optional<WorkloadEndpoint> found = client.endpoint(CalicoSession.workload(env));
    if (found.isEmpty()) {
      problems.add("no Calico endpoint exists for container " + env.containerId());
      return;
    }
    WorkloadEndpoint ep = found.get();
    if (host.isPresent() && !ep.name().equals(host.get().name())) {
      problems.add("the endpoint's interface is " + ep.name() + ", not " + host.get().name());
    }
    String mac = ep.mac();
    if (sandbox.mac() != null && (mac == null || !sameMac(sandbox.mac(), MacAddress.parse(mac)))) {
      problems.add("the endpoint's MAC is " + mac + ", not " + sandbox.mac());
    }
    Set<InetAddress> stored = new LinkedHashSet<>();
    for (Cidr net : ep.nets()) {
      stored.add(net.address());
    }
    if (!stored.equals(expected)) {
      problems.add("the endpoint has addresses " + text(stored) + ", not " + text(expected));
    }
    if (!ep.profileIds().contains(conf.name)) {
      problems.add("the endpoint's profiles " + ep.profileIds() + " lack " + conf.name);
    }
    String handle = CalicoSession.handle(conf.name, env.containerId());
    for (InetAddress a : expected) {
      Optional<AllocationBlock.Attribute> attr = client.ipam().attributesOf(a);
      @Nullable String owner = attr.map(AllocationBlock.Attribute::handleId).orElse(null);
      if (attr.isEmpty()) {
        problems.add("IPAM does not hold " + InetAddresses.toAddrString(a));
      } else if (!handle.equals(owner)) {
        problems.add(
            "IPAM holds "
                + InetAddresses.toAddrString(a)
                + " for handle "
                + owner
                + ", not "
                + handle);
      }
    }
  }

  private static boolean sameMac(String text, MacAddress actual) {
    try {
      return MacAddress.parse(text.toLowerCase(Locale.ROOT)).equals(actual);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean sameRoute(CniResult.RouteConfig want, SandboxState.KernelRoute have) {
    IpPrefix w = want.destination();
    IpPrefix h = have.destination();
    boolean sameDst =
        w.prefixLength() == h.prefixLength()
            && Cidr.containing(w.address(), w.prefixLength())
                .equals(Cidr.containing(h.address(), h.prefixLength()));
    return sameDst && (want.gateway() == null || want.gateway().equals(have.gateway()));
  }

  private static String text(Set<InetAddress> addresses) {
    return addresses.stream().map(InetAddresses::toAddrString).toList().toString();
  }
}
