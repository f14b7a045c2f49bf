package com.example.consumer;

import io.github.calicoj.core.client.CalicoClient;
import io.github.calicoj.core.client.NodeConfig;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.memory.InMemoryDatastore;
import io.github.calicoj.netns.InterfaceName;
import io.github.calicoj.netns.IpPrefix;
import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.Netlink;
import io.github.calicoj.netns.Sysctls;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A user's program on calico-core alone: the README's embedding sample on the in-memory datastore
 * (node, pool, profile), and with {@code --netns} (root) one namespace workload added, profiled,
 * checked and removed, its host end in a test "host" namespace. It makes namespaces named {@code
 * cjt-consumer-…} only and deletes them. Prints what it did; a failed check ends it with an
 * exception (exit status 1).
 */
public final class ConsumerMain {
  private static final String NEXT_HOP = "172.31.201.1";
  private static final String POOL = "10.67.0.0/16";

  private ConsumerMain() {}

  public static void main(String[] args) throws Exception {
    boolean netns = List.of(args).contains("--netns");
    String hostname = "cjt-consumer-" + UUID.randomUUID().toString().substring(0, 6);
    try (Datastore store = InMemoryDatastore.create()) {
      if (!netns) {
        try (CalicoClient calico = CalicoClient.builder(store, hostname).build()) {
          configure(calico);
          System.out.println("in-memory: node, pool " + POOL + " and profile web stored");
        }
        return;
      }
      String hostNs = hostname + "-host";
      String workloadNs = hostname + "-wl";
      try (NetNs host = NetNs.createNamed(hostNs);
          NetNs workload = NetNs.createNamed(workloadNs)) {
        try (Netlink hostNl = Netlink.openIn(host)) {
          InterfaceName lo = InterfaceName.of("lo");
          hostNl.setUp(lo);
          hostNl.addAddress(lo, IpPrefix.parse(NEXT_HOP + "/32"));
        }
        Sysctls.in(host).write("net.ipv4.ip_forward", "1");
        try (CalicoClient calico =
            CalicoClient.builder(store, hostname).hostNamespace(Path.of(host.path())).build()) {
          configure(calico);
          WorkloadEndpoint ep = calico.addContainer(workload.path(), "ipv4");
          calico.appendProfiles(workload.path(), List.of("web"));
          Cidr net = ep.ipv4Nets().get(0);
          System.out.println("added " + workload.path() + " as " + net + " (" + ep.name() + ")");
          // An independent look at the kernel: the workload's eth1 carries the address.
          String addr = ip(workloadNs, "-j", "-4", "addr", "show", "dev", "eth1");
          String expected = "\"local\":\"" + net.address().getHostAddress() + "\"";
          check(addr.contains(expected), "ip -j addr in " + workloadNs + " shows " + expected);
          String routes = ip(hostNs, "-j", "-4", "route", "show", net.address().getHostAddress());
          check(routes.contains("\"dev\":\"" + ep.name() + "\""), "host route via " + ep.name());
          check(
              calico.endpoint(workload.path()).orElseThrow().profileIds().equals(List.of("web")),
              "the endpoint carries profile web");
          calico.removeContainer(workload.path());
          check(calico.endpoints().isEmpty(), "no endpoint left after remove");
          check(!ip(hostNs, "-j", "link", "show").contains(ep.name()), "host end deleted");
          System.out.println("removed " + workload.path() + "; nothing left");
        }
      } finally {
        NetNs.deleteNamed(hostNs);
        NetNs.deleteNamed(workloadNs);
      }
    }
  }

  /** The README sample's steps that need no container: node, pool, profile. */
  private static void configure(CalicoClient calico) throws IOException {
    calico.configureNode(NodeConfig.ipv4((Inet4Address) InetAddress.getByName(NEXT_HOP)));
    calico.ipPools().add(IpPool.of(Cidr.parse(POOL)));
    calico.profiles().create("web");
    check(calico.ipPools().find(Cidr.parse(POOL)).isPresent(), "pool " + POOL + " stored");
    check(calico.profiles().exists("web"), "profile web stored");
    check(calico.hosts().get(calico.hostname()).isPresent(), "host " + calico.hostname());
  }

  private static String ip(String namespace, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("ip", "-n", namespace));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
    }
    return out;
  }

  /** Fails the run (the namespaces are still deleted) unless {@code ok}. */
  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException("consumer check failed: " + what);
    }
  }
}
