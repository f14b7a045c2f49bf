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
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.jetcd.EtcdDatastore;
import io.github.calicoj.testkit.EtcdExtension;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** IPAM under concurrency on a real 3-member etcd cluster, every result read back from etcd. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class IpamConcurrencyIT {

  @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.members(3);

  private static EtcdDatastore client() {
    return EtcdDatastore.builder()
        .endpoints(ETCD.endpoints())
        .requestTimeout(Duration.ofSeconds(10))
        .build();
  }

  @Test
  void eightHostsTimesThreeHundredFromOneSlash20() throws Exception {
    Cidr pool = Cidr.parse("10.200.0.0/20");
    try (EtcdDatastore setup = client()) {
      new IpPools(setup).add(IpPool.of(pool));
    }
    int hosts = 8;
    int each = 300;
    ExecutorService exec = Executors.newFixedThreadPool(hosts);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<List<InetAddress>>> futures = new ArrayList<>();
    List<EtcdDatastore> clients = new ArrayList<>();
    for (int h = 0; h < hosts; h++) {
      EtcdDatastore ds = client();
      clients.add(ds);
      String host = "ipam-host-" + h;
      futures.add(
          exec.submit(
              () -> {
                Ipam ipam = Ipam.on(ds);
                go.await();
                List<InetAddress> mine = new ArrayList<>();
                for (int i = 0; i < each; i++) {
                  mine.add(ipam.autoAssignOne(4, host, pool, IpOwner.UNOWNED));
                }
                return mine;
              }));
    }
    go.countDown();
    Map<InetAddress, String> owner = new HashMap<>();
    for (int h = 0; h < hosts; h++) {
      for (InetAddress ip : futures.get(h).get(4, TimeUnit.MINUTES)) {
        assertThat(owner.put(ip, "ipam-host-" + h)).as("duplicate %s", ip).isNull();
        assertThat(pool.contains(ip)).isTrue();
      }
    }
    exec.shutdown();
    clients.forEach(EtcdDatastore::close);
    assertThat(owner).hasSize(hosts * each);

    try (EtcdDatastore check = client()) {
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
    try (EtcdDatastore setup = client()) {
      new IpPools(setup).add(IpPool.of(Cidr.parse("10.210.0.0/24")));
    }
    InetAddress target = InetAddresses.forString("10.210.0.17");
    ExecutorService exec = Executors.newFixedThreadPool(16);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<String>> results = new ArrayList<>();
    List<EtcdDatastore> clients = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      EtcdDatastore ds = client();
      clients.add(ds);
      String host = "race-" + i;
      results.add(
          exec.submit(
              () -> {
                Ipam ipam = Ipam.on(ds);
                go.await();
                try {
                  ipam.assign(target, host, IpOwner.UNOWNED);
                  return "won";
                } catch (AlreadyExistsException e) {
                  return "already";
                }
              }));
    }
    go.countDown();
    List<String> outcomes = new ArrayList<>();
    for (Future<String> f : results) {
      outcomes.add(f.get(2, TimeUnit.MINUTES));
    }
    exec.shutdown();
    clients.forEach(EtcdDatastore::close);
    assertThat(outcomes).filteredOn("won"::equals).hasSize(1);
    assertThat(outcomes).filteredOn("already"::equals).hasSize(15);

    try (EtcdDatastore ds = client()) {
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
    try (EtcdDatastore ds = client()) {
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
