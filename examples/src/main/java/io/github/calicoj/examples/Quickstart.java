package io.github.calicoj.examples;

import io.github.calicoj.core.client.CalicoClient;
import io.github.calicoj.core.client.NodeConfig;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.core.repository.Profiles;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.jetcd.EtcdDatastore;
import io.github.calicoj.datastore.memory.InMemoryDatastore;
import io.github.calicoj.examples.cli.Calicoctl;
import io.github.calicoj.examples.cli.EndpointTable;
import io.github.calicoj.netns.InterfaceName;
import io.github.calicoj.netns.IpPrefix;
import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.Netlink;
import io.github.calicoj.netns.NetnsSupport;
import io.github.calicoj.netns.Sysctls;
import io.github.calicoj.netns.nft.Nftables;
import io.github.calicoj.node.CalicoNode;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The quickstart: three workloads on a Calico network on this one machine, with the node agent
 * running in-process and enforcing their profiles, on the embedded in-memory datastore (or on etcd
 * with {@code --etcd-endpoints URL[,URL...]}). It makes a test "host" namespace and three workload
 * namespaces (the real host's routing and nftables are never touched), configures the node and a
 * pool, starts the agent in the host namespace, adds the workloads, puts A and B in profile {@code
 * quickstart} and C in {@code other}, shows the endpoints, pings A to B (a reply) and C to A
 * (none), appends {@code quickstart} to C (now a reply), and removes everything again: the agent's
 * table and routes go with it. Needs root and libnftables.
 */
public final class Quickstart {
  private static final String NEXT_HOP = "172.31.200.1";
  private static final Duration SYNC = Duration.ofSeconds(15);
  private final PrintStream out;
  private long t0 = System.nanoTime();

  private Quickstart(PrintStream out) {
    this.out = out;
  }

  /** Entry point; see the class documentation for the arguments. */
  public static void main(String[] args) throws Exception {
    String endpoints = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--etcd-endpoints") && i + 1 < args.length) {
        endpoints = args[++i];
      } else if (args[i].startsWith("--etcd-endpoints=")) {
        endpoints = args[i].substring("--etcd-endpoints=".length());
      } else {
        System.err.println("usage: quickstart [--etcd-endpoints URL[,URL...]]");
        System.exit(2);
      }
    }
    if (!Calicoctl.runningAsRoot()) {
      System.err.println("The quickstart creates network namespaces: run it as root.");
      System.exit(2);
    }
    if (!NetnsSupport.isAvailable()) {
      System.err.println(
          "Namespaces are not available here: " + NetnsSupport.unavailabilityCause().orElseThrow());
      System.exit(1);
    }
    try (Datastore store =
        endpoints == null
            ? InMemoryDatastore.create()
            : EtcdDatastore.builder()
                .endpoints(endpoints)
                .requestTimeout(Duration.ofSeconds(5))
                .build()) {
      boolean ok = new Quickstart(System.out).run(store);
      System.exit(ok ? 0 : 1);
    }
  }

  /** Runs every step on {@code store}; returns false if the ping failed or something was left. */
  public static boolean run(Datastore store, PrintStream out) throws Exception {
    return new Quickstart(out).run(store);
  }

  private boolean run(Datastore store) throws Exception {
    String tag = UUID.randomUUID().toString().substring(0, 6);
    String hostname = "quickstart-" + tag;
    List<String> namespaces =
        List.of(
            "calicoj-qs-host-" + tag,
            "calicoj-qs-a-" + tag,
            "calicoj-qs-b-" + tag,
            "calicoj-qs-c-" + tag);
    step("datastore: " + store);
    boolean ok;
    try (NetNs host = NetNs.createNamed(namespaces.get(0));
        NetNs a = NetNs.createNamed(namespaces.get(1));
        NetNs b = NetNs.createNamed(namespaces.get(2));
        NetNs c = NetNs.createNamed(namespaces.get(3))) {
      step(
          "1. created host namespace "
              + namespaces.get(0)
              + " and workloads "
              + String.join(", ", namespaces.subList(1, 4)));
      try (Netlink hostNl = Netlink.openIn(host)) {
        InterfaceName lo = InterfaceName.of("lo");
        hostNl.setUp(lo);
        hostNl.addAddress(lo, IpPrefix.parse(NEXT_HOP + "/32"));
      }
      Sysctls.in(host).write("net.ipv4.ip_forward", "1");
      // The agent is closed before the checks at the end (close is idempotent), so it is no
      // try-with-resources resource.
      CalicoNode node =
          CalicoNode.builder(store, hostname)
              .hostNamespace(Path.of(host.path()))
              .removeOnClose(true)
              .build();
      try (CalicoClient calico =
          CalicoClient.builder(store, hostname).hostNamespace(Path.of(host.path())).build()) {
        calico.configureNode(NodeConfig.ipv4((Inet4Address) InetAddress.getByName(NEXT_HOP)));
        calico.ipPools().add(IpPool.of(Cidr.parse("10.66.0.0/16")));
        node.start();
        step(
            "2. node "
                + hostname
                + " configured (next hop "
                + NEXT_HOP
                + "), pool 10.66.0.0/16 added, node agent started in the host namespace");

        WorkloadEndpoint epA = calico.addContainer(a.path(), "10.66.0.10");
        WorkloadEndpoint epB = calico.addContainer(b.path(), "ipv4");
        WorkloadEndpoint epC = calico.addContainer(c.path(), "ipv4");
        step(
            "3. added A as "
                + epA.ipv4Nets().get(0)
                + ", B as "
                + epB.ipv4Nets().get(0)
                + ", C as "
                + epC.ipv4Nets().get(0));

        Profiles profiles = calico.profiles();
        profiles.create("quickstart");
        profiles.create("other");
        calico.appendProfiles(a.path(), List.of("quickstart"));
        calico.appendProfiles(b.path(), List.of("quickstart"));
        calico.appendProfiles(c.path(), List.of("other"));
        boolean synced = node.awaitInSync(SYNC);
        step("4. profile quickstart for A and B, other for C; agent in sync: " + synced);

        out.println(EndpointTable.detailed(calico.endpoints()));
        step("5. endpoints shown");

        InetAddress ipA = epA.ipv4Nets().get(0).address();
        InetAddress ipB = epB.ipv4Nets().get(0).address();
        boolean aToB = ping(a, ipB, 3000);
        step("6. ping B from A (both in quickstart): " + (aToB ? "reply received" : "NO REPLY"));
        boolean cToA = ping(c, ipA, 1000);
        step("7. ping A from C (other): " + (cToA ? "REPLY (should be dropped)" : "dropped"));
        calico.appendProfiles(c.path(), List.of("quickstart"));
        synced &= node.awaitInSync(SYNC);
        boolean cToAAfter = ping(c, ipA, 3000);
        step(
            "8. appended quickstart to C; ping A from C: "
                + (cToAAfter ? "reply received" : "NO REPLY"));

        for (NetNs w : List.of(a, b, c)) {
          calico.removeContainer(w.path());
        }
        profiles.remove("quickstart", false);
        profiles.remove("other", false);
        calico.ipPools().remove(Cidr.parse("10.66.0.0/16"));
        synced &= node.awaitInSync(SYNC);
        node.close();
        List<String> left = new ArrayList<>();
        left.addAll(keys(store, "/calico/v1/host/" + hostname + "/workload/"));
        left.addAll(keys(store, "/calicoj/v1/workload/" + hostname + "/"));
        calico
            .ipam()
            .blocks(4)
            .forEach(
                blk ->
                    blk.allocatedAddresses().forEach(ip -> left.add("IP " + ip.getHostAddress())));
        try (Netlink hostNl = Netlink.openIn(host)) {
          hostNl
              .links()
              .forEach(
                  l -> {
                    if (l.name().value().startsWith("cali")) {
                      left.add("link " + l.name());
                    }
                  });
          hostNl
              .ownedRoutes(CalicoNode.DEFAULT_ROUTE_PROTOCOL)
              .forEach(r -> left.add("route " + r));
        }
        try (Nftables nft = Nftables.open(host)) {
          if (nft.listRuleset().contains("\"name\": \"calico\"")) {
            left.add("table inet calico");
          }
        }
        step(
            "9. removed the workloads, the profiles and the pool, stopped the agent; left behind: "
                + (left.isEmpty() ? "nothing" : left));
        ok = synced && aToB && !cToA && cToAAfter && left.isEmpty();
        calico.hosts().remove(hostname);
        store.deletePrefix(Key.of("/calico/ipam/v2/host/" + hostname + "/"));
        store.deletePrefix(Key.of("/calico/felix/v1/host/" + hostname + "/"));
        for (var blk : calico.ipam().blocks(4)) {
          if (blk.allocatedAddresses().isEmpty()
              && blk.affinityHost().filter(hostname::equals).isPresent()) {
            store.delete(
                Key.of("/calico/ipam/v2/assignment/ipv4/block/" + blk.cidr().toKeySegment()));
          }
        }
      } finally {
        node.close();
      }
    } finally {
      for (String n : namespaces) {
        NetNs.deleteNamed(n);
      }
    }
    step("namespaces deleted; " + (ok ? "quickstart OK" : "quickstart FAILED"));
    return ok;
  }

  /** One ICMP echo from inside {@code from}, waiting up to {@code millis}. */
  private static boolean ping(NetNs from, InetAddress to, int millis) {
    return from.call(() -> to.isReachable(millis));
  }

  private static List<String> keys(Datastore store, String prefix) {
    List<String> out = new ArrayList<>();
    store.list(Key.of(prefix)).entries().forEach(kv -> out.add(kv.key().path()));
    return out;
  }

  private void step(String what) {
    long now = System.nanoTime();
    out.printf("[%7.1f ms] %s%n", (now - t0) / 1e6, what);
    t0 = now;
  }
}
