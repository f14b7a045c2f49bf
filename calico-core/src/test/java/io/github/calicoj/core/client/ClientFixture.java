package io.github.calicoj.core.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.ipam.AllocationBlock;
import io.github.calicoj.core.ipam.BlockJson;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.etcd.EtcdTestClients;
import io.github.calicoj.testkit.EtcdExtension;
import io.github.calicoj.testkit.IpOracle;
import io.github.calicoj.testkit.TestNamespace;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** Shared checks for the client ITs: what must be left after a failed or undone add. */
final class ClientFixture {
  private ClientFixture() {}

  /** A client of {@code etcd}'s member with nothing under {@code /calico/} or {@code /calicoj/}. */
  static Datastore freshStore(EtcdExtension etcd) {
    Datastore store = EtcdTestClients.connect(etcd.endpoints());
    store.deletePrefix(Key.of("/calico/"));
    store.deletePrefix(Key.of("/calicoj/"));
    return store;
  }

  /** A test "host" namespace with its next hop on lo and forwarding on. */
  static TestNamespace hostNamespace(String nextHop) {
    return TestNamespace.createHost(nextHop);
  }

  /** Every allocated address in every IPv4 and IPv6 block, read from the store. */
  static List<InetAddress> allocated(Datastore store) {
    List<InetAddress> out = new ArrayList<>();
    for (int v : new int[] {4, 6}) {
      for (KeyValue kv : store.list(CalicoKeys.blocks(v)).entries()) {
        AllocationBlock b = BlockJson.read(kv.value());
        out.addAll(b.allocatedAddresses());
      }
    }
    return out;
  }

  /** Nothing of a workload is left: no keys, no marker, no cali link in the host, no peer. */
  static void assertNothingLeft(
      Datastore store,
      String host,
      String orchestrator,
      String workloadId,
      TestNamespace hostNs,
      TestNamespace workloadNs,
      String... otherLiveCaliLinks) {
    assertThat(store.list(CalicoKeys.workload(host, orchestrator, workloadId)).entries())
        .as("endpoint keys")
        .isEmpty();
    assertThat(store.get(CalicoKeys.workloadMarker(host, orchestrator, workloadId)))
        .as("workload marker")
        .isEmpty();
    assertThat(IpOracle.linkNames(hostNs.name(), "cali"))
        .as("cali links in the host namespace")
        .isSubsetOf(otherLiveCaliLinks);
    if (workloadNs != null) {
      assertThat(IpOracle.link(workloadNs.name(), "eth1")).as("peer in the workload").isEmpty();
    }
  }
}
