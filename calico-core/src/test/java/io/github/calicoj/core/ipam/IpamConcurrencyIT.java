package io.github.calicoj.core.ipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.AlreadyExistsException;
import io.github.calicoj.core.CalicoException;
import io.github.calicoj.core.CalicoException.Reason;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.repository.IpPools;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.etcd.EtcdTestClients;
import io.github.calicoj.testkit.EtcdExtension;
import io.github.calicoj.testkit.Race;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** IPAM under concurrency on a real 3-member etcd cluster, every result read back from etcd. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class IpamConcurrencyIT {

  @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.members(3);

  private static Datastore client() {
    return EtcdTestClients.connect(ETCD.endpoints());
  }

  @Test
  void eightHostsTimesThreeHundredFromOneSlash20() throws Exception {
    Cidr pool = Cidr.parse("10.200.0.0/20");
    try (Datastore setup = client()) {
      new IpPools(setup).add(IpPool.of(pool));
    }
    int hosts = 8;
    int each = 300;
    List<Datastore> clients = new ArrayList<>();
    for (int h = 0; h < hosts; h++) {
      clients.add(client());
    }
    List<List<InetAddress>> got =
        Race.run(
            hosts,
            h ->
                () -> {
                  Ipam ipam = Ipam.on(clients.get(h));
                  List<InetAddress> mine = new ArrayList<>();
                  for (int i = 0; i < each; i++) {
                    mine.add(ipam.autoAssignOne(4, "ipam-host-" + h, pool, IpOwner.UNOWNED));
                  }
                  return mine;
                },
            Duration.ofMinutes(4));
    clients.forEach(Datastore::close);
    Map<InetAddress, String> owner = new HashMap<>();
    for (int h = 0; h < hosts; h++) {
      for (InetAddress ip : got.get(h)) {
        assertThat(owner.put(ip, "ipam-host-" + h)).as("duplicate %s", ip).isNull();
        assertThat(pool.contains(ip)).isTrue();
      }
    }
    assertThat(owner).hasSize(hosts * each);

    try (Datastore check = client()) {
      Set<InetAddress> allocatedInEtcd = new HashSet<>();
      for (KeyValue kv : check.list(CalicoKeys.blocks(4)).entries()) {
        AllocationBlock b = BlockJson.read(kv.value());
        if (!pool.contains(b.cidr())) {
          continue;
        }
        String affinity = b.affinityHost().orElseThrow();
        List<InetAddress> inBlock = b.allocatedAddresses();
        assertThat(inBlock).as("block %s", b.cidr()).isNotEmpty();
        assertThat(inBlock)
            .as("block %s affine to %s", b.cidr(), affinity)
            .anyMatch(ip -> affinity.equals(owner.get(ip)));
        // The affinity marker exists for exactly that host.
        assertThat(check.get(CalicoKeys.affinity(affinity, b.cidr()))).isPresent();
        allocatedInEtcd.addAll(inBlock);
      }
      assertThat(allocatedInEtcd).isEqualTo(owner.keySet());
    }
  }

  @Test
  void sixteenClientsRaceForOneIpAndExactlyOneWins() throws Exception {
    try (Datastore setup = client()) {
      new IpPools(setup).add(IpPool.of(Cidr.parse("10.210.0.0/24")));
    }
    InetAddress target = InetAddresses.forString("10.210.0.17");
    List<Datastore> clients = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      clients.add(client());
    }
    List<String> outcomes =
        Race.run(
            16,
            i ->
                () -> {
                  try {
                    Ipam.on(clients.get(i)).assign(target, "race-" + i, IpOwner.UNOWNED);
                    return "won";
                  } catch (AlreadyExistsException e) {
                    return "already";
                  }
                },
            Duration.ofMinutes(2));
    clients.forEach(Datastore::close);
    assertThat(outcomes).filteredOn("won"::equals).hasSize(1);
    assertThat(outcomes).filteredOn("already"::equals).hasSize(15);

    try (Datastore ds = client()) {
      Ipam ipam = Ipam.on(ds);
      assertThat(ipam.isAssigned(target)).isTrue();
      assertThat(ipam.release(List.of(target))).isEmpty();
      assertThat(ipam.isAssigned(target)).isFalse();
      ipam.assign(target, "again", IpOwner.UNOWNED); // a released IP can be assigned again
      assertThat(ipam.isAssigned(target)).isTrue();
    }
  }

  @Test
  void exhaustedPoolGivesAClearError() {
    Cidr pool = Cidr.parse("10.220.0.0/26");
    try (Datastore ds = client()) {
      new IpPools(ds).add(IpPool.of(pool));
      Ipam ipam = Ipam.on(ds);
      Set<InetAddress> got = new HashSet<>();
      for (int i = 0; i < 64; i++) {
        got.add(ipam.autoAssignOne(4, "small", pool, IpOwner.UNOWNED));
      }
      assertThat(got).hasSize(64);
      assertThatThrownBy(() -> ipam.autoAssignOne(4, "small", pool, IpOwner.UNOWNED))
          .isInstanceOf(CalicoException.class)
          .hasFieldOrPropertyWithValue("reason", Reason.POOL_EXHAUSTED)
          .hasMessageContaining("Pools are likely exhausted")
          .hasMessageContaining("10.220.0.0/26");
    }
  }
}
