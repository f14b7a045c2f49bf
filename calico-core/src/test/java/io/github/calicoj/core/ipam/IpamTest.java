package io.github.calicoj.core.ipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.AlreadyExistsException;
import io.github.calicoj.core.CalicoException;
import io.github.calicoj.core.CalicoException.Reason;
import io.github.calicoj.core.NotFoundException;
import io.github.calicoj.core.TxnPart;
import io.github.calicoj.core.client.ForwardingDatastore;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.model.IpamConfig;
import io.github.calicoj.core.repository.IpPools;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.memory.InMemoryDatastore;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Block IPAM over the in-memory datastore; every result is read back from the store. */
class IpamTest {
  private final InMemoryDatastore store = InMemoryDatastore.create();
  private final Ipam ipam = Ipam.builder(store).cacheTtl(Duration.ZERO).build();

  @BeforeEach
  void pools() {
    new IpPools(store).add(IpPool.of(Cidr.parse("192.168.0.0/24")));
    new IpPools(store).add(new IpPool(Cidr.parse("10.50.0.0/16"), false, false, false, false));
    new IpPools(store).add(IpPool.of(Cidr.parse("fd00:1::/120")));
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static InetAddress ip(String s) {
    return InetAddresses.forString(s);
  }

  private AllocationBlock stored(String cidr) {
    return BlockJson.read(store.get(CalicoKeys.block(Cidr.parse(cidr))).orElseThrow().value());
  }

  @Test
  void specificIpClaimsItsBlockAndAffinityTogether() {
    ipam.assign(ip("192.168.0.1"), "calico-01", IpOwner.UNOWNED);
    AllocationBlock b = stored("192.168.0.0/26");
    assertThat(b.affinityHost()).contains("calico-01");
    assertThat(b.isAllocated(ip("192.168.0.1"))).isTrue();
    assertThat(
            store
                .get(CalicoKeys.affinity("calico-01", Cidr.parse("192.168.0.0/26")))
                .orElseThrow()
                .value())
        .isEmpty();
    assertThatThrownBy(() -> ipam.assign(ip("192.168.0.1"), "calico-02", IpOwner.UNOWNED))
        .isInstanceOf(AlreadyExistsException.class)
        .hasFieldOrPropertyWithValue("reason", Reason.ADDRESS_ALREADY_ASSIGNED)
        .hasMessageContaining("192.168.0.1 is already assigned in block 192.168.0.0/26");
    // Another host may assign a specific IP in a block it does not own (not strict).
    ipam.assign(ip("192.168.0.2"), "calico-02", IpOwner.UNOWNED);
    assertThat(stored("192.168.0.0/26").affinityHost()).contains("calico-01");
  }

  @Test
  void specificIpOutsideIpamPoolsIsPoolNotFound() {
    assertThatThrownBy(() -> ipam.assign(ip("172.16.0.1"), "h", IpOwner.UNOWNED))
        .isInstanceOf(NotFoundException.class)
        .hasFieldOrPropertyWithValue("reason", Reason.POOL_NOT_FOUND)
        .hasMessage("172.16.0.1 is not in any configured pool");
    assertThatThrownBy(() -> ipam.assign(ip("10.50.0.1"), "h", IpOwner.UNOWNED))
        .isInstanceOf(NotFoundException.class)
        .hasFieldOrPropertyWithValue(
            "reason", Reason.POOL_NOT_FOUND); // pool exists but has ipam=false
    assertThat(store.list(CalicoKeys.blocks(4)).isEmpty()).isTrue();
  }

  @Test
  void autoAssignUsesAffineBlocksFirstThenClaimsThenReleasedIsReusedLast() {
    Ipam.Assigned a = ipam.autoAssign(70, 2, "h1", null, null, IpOwner.UNOWNED);
    assertThat(a.ipv4()).hasSize(70).doesNotHaveDuplicates();
    assertThat(a.ipv6()).hasSize(2);
    assertThat(store.list(CalicoKeys.affinities("h1", 4)).size()).isEqualTo(2); // 64 + 6
    Set<InetAddress> free = ipam.release(List.of(a.ipv4().get(0), ip("192.168.0.250")));
    assertThat(free).containsExactly(ip("192.168.0.250"));
    assertThat(ipam.isAssigned(a.ipv4().get(0))).isFalse();
    // The freed address went to the back of its block's free list.
    AllocationBlock b = stored(AllocationBlock.blockFor(a.ipv4().get(0)).toString());
    assertThat(b.unallocated().get(b.unallocated().size() - 1))
        .isEqualTo((int) b.cidr().offsetOf(a.ipv4().get(0)));
  }

  @Test
  void poolRestrictedAutoAssignAndExhaustion() {
    Cidr pool = Cidr.parse("192.168.0.0/24");
    for (int i = 0; i < 256; i++) {
      ipam.autoAssignOne(4, "h" + (i % 3), pool, IpOwner.UNOWNED);
    }
    assertThatThrownBy(() -> ipam.autoAssignOne(4, "h0", pool, IpOwner.UNOWNED))
        .isInstanceOf(CalicoException.class)
        .hasFieldOrPropertyWithValue("reason", Reason.POOL_EXHAUSTED)
        .hasMessageContaining(
            "Failed to allocate any IPs (requested 1 IPv4s and 0 IPv6s). Pools are likely exhausted.");
    ipam.release(List.of(ip("192.168.0.77")));
    assertThat(ipam.autoAssignOne(4, "h2", pool, IpOwner.UNOWNED)).isEqualTo(ip("192.168.0.77"));
  }

  @Test
  void strictAffinityKeepsOtherHostsOut() {
    ipam.setConfig(new IpamConfig(true, true));
    Cidr pool = Cidr.parse("fd00:1::/120"); // 4 blocks of 64
    for (int i = 0; i < 4 * 64; i++) {
      ipam.autoAssignOne(6, "owner", pool, IpOwner.UNOWNED);
    }
    ipam.release(List.of(ip("fd00:1::5")));
    assertThatThrownBy(() -> ipam.autoAssignOne(6, "other", pool, IpOwner.UNOWNED))
        .isInstanceOf(CalicoException.class)
        .hasFieldOrPropertyWithValue("reason", Reason.POOL_EXHAUSTED);
    assertThat(ipam.autoAssignOne(6, "owner", pool, IpOwner.UNOWNED)).isEqualTo(ip("fd00:1::5"));
  }

  @Test
  void handlesCountAndReleaseByHandle() {
    Ipam.Assigned a =
        ipam.autoAssign(3, 0, "h", null, null, IpOwner.of("handle-1", Map.of("k", "v")));
    assertThat(store.get(CalicoKeys.handle("handle-1")).orElseThrow().value())
        .isEqualTo("{\"id\": \"handle-1\", \"block\": {\"192.168.0.0/26\": 3}}");
    assertThat(ipam.attributesOf(a.ipv4().get(0)).orElseThrow().secondary())
        .containsEntry("k", "v");
    ipam.release(List.of(a.ipv4().get(0)));
    assertThat(store.get(CalicoKeys.handle("handle-1")).orElseThrow().value()).contains("\": 2}");
    assertThat(ipam.releaseByHandle("handle-1")).isEqualTo(2);
    assertThat(store.get(CalicoKeys.handle("handle-1"))).isEmpty();
    Set<InetAddress> all = new HashSet<>(a.ipv4());
    assertThat(all).allMatch(x -> !ipam.isAssigned(x));
    assertThat(stored("192.168.0.0/26").attributes()).isEmpty();
  }

  @Test
  void anAssignmentReadsNoHandleAndCountsOnFromOneThatExists() {
    List<Key> read = new ArrayList<>();
    Datastore counting =
        new ForwardingDatastore(store) {
          @Override
          public Optional<KeyValue> get(Key key) {
            read.add(key);
            return super.get(key);
          }
        };
    IpOwner owner = IpOwner.of("handle-2", Map.of());
    ipam.assign(ip("192.168.0.7"), "h", owner); // the handle exists from here on
    // A second process, whose cache knows no handle: it assumes none, and its guard corrects it.
    Ipam other = Ipam.builder(counting).cacheTtl(Duration.ZERO).build();
    InetAddress second = other.autoAssignOne(4, "h", null, owner);
    InetAddress third = other.autoAssignOne(4, "h", null, owner);
    assertThat(Set.of(ip("192.168.0.7"), second, third)).hasSize(3);
    assertThat(store.get(CalicoKeys.handle("handle-2")).orElseThrow().value())
        .isEqualTo("{\"id\": \"handle-2\", \"block\": {\"192.168.0.0/26\": 3}}");
    assertThat(read).doesNotContain(CalicoKeys.handle("handle-2"));
  }

  @Test
  void staleCacheIsCorrectedByTheFailedGuard() {
    Ipam other = Ipam.on(store);
    InetAddress first = ipam.autoAssignOne(4, "h", IpOwner.UNOWNED);
    InetAddress second =
        other.autoAssignOne(4, "h", IpOwner.UNOWNED); // changes the block behind ipam's cache
    InetAddress third = ipam.autoAssignOne(4, "h", IpOwner.UNOWNED);
    assertThat(Set.of(first, second, third)).hasSize(3);
    other.release(List.of(first));
    // ipam's cache still says "first" is taken; the release must see the truth.
    assertThat(ipam.release(List.of(first))).containsExactly(first);
  }

  @Test
  void anOldReadIsNotTrustedToSayAnAddressIsFreeOrTaken() {
    // Two processes on one store, each with its own cache.
    Ipam other = Ipam.builder(store).cacheTtl(Duration.ZERO).build();
    ipam.assign(ip("192.168.0.1"), "calico-01", IpOwner.UNOWNED);
    assertThat(ipam.isAssigned(ip("192.168.0.2"))).isFalse(); // ipam caches a read of the block

    // The other process assigns .2: ipam's cached read still shows it free, and a release
    // through ipam must free it rather than report it "already free".
    other.assign(ip("192.168.0.2"), "calico-01", IpOwner.UNOWNED);
    assertThat(ipam.release(List.of(ip("192.168.0.2")))).isEmpty();
    assertThat(stored("192.168.0.0/26").isAllocated(ip("192.168.0.2"))).isFalse();

    // The other way round: ipam reads .3 as taken, the other process frees it, and ipam may
    // assign it again.
    other.assign(ip("192.168.0.3"), "calico-01", IpOwner.UNOWNED);
    assertThat(ipam.isAssigned(ip("192.168.0.3"))).isTrue();
    other.release(List.of(ip("192.168.0.3")));
    ipam.assign(ip("192.168.0.3"), "calico-01", IpOwner.UNOWNED);
    assertThat(stored("192.168.0.0/26").isAllocated(ip("192.168.0.3"))).isTrue();
  }

  @Test
  void anOwnedReleaseNeverFreesAnAddressThatAnotherOwnerHoldsNow() {
    IpOwner a = IpOwner.of("owner-a", Map.of("workload", "a"));
    IpOwner b = IpOwner.of("owner-b", Map.of("workload", "b"));
    ipam.assign(ip("192.168.0.9"), "h", a);
    assertThat(store.get(CalicoKeys.handle("owner-a")).orElseThrow().value())
        .isEqualTo("{\"id\": \"owner-a\", \"block\": {\"192.168.0.0/26\": 1}}");
    // a's release, planned and committed: frees the address and deletes the handle
    List<TxnPart> release = ipam.prepareRelease(owners(ip("192.168.0.9"), "owner-a"));
    assertThat(release).hasSize(2); // the block, and the handle
    assertThat(TxnPart.commit(store, release).succeeded()).isTrue();
    assertThat(store.get(CalicoKeys.handle("owner-a"))).isEmpty();
    // the address goes to b; a stale second release by a leaves it to b
    ipam.assign(ip("192.168.0.9"), "h", b);
    assertThat(ipam.prepareRelease(owners(ip("192.168.0.9"), "owner-a"))).isEmpty();
    assertThat(ipam.attributesOf(ip("192.168.0.9")).orElseThrow().handleId()).isEqualTo("owner-b");
    // an allocation without a handle (written before handles) is released by any owner
    ipam.assign(ip("192.168.0.10"), "h", IpOwner.UNOWNED);
    assertThat(ipam.prepareRelease(owners(ip("192.168.0.10"), "owner-a"))).hasSize(1);
  }

  @Test
  void aReleaseOfOneOwnersAddressesInSeveralBlocksWritesTheirHandleOnce() {
    IpOwner a = IpOwner.of("owner-a", Map.of());
    ipam.assign(ip("192.168.0.9"), "h", a);
    ipam.assign(ip("192.168.0.70"), "h", a); // another block
    ipam.assign(ip("fd00:1::9"), "h", a); // another family
    assertThat(store.get(CalicoKeys.handle("owner-a")).orElseThrow().value())
        .contains("\"192.168.0.0/26\": 1", "\"192.168.0.64/26\": 1", "\"fd00:1::/122\": 1");
    Map<InetAddress, @Nullable String> all = owners(ip("192.168.0.9"), "owner-a");
    all.put(ip("192.168.0.70"), "owner-a");
    all.put(ip("fd00:1::9"), "owner-a");
    List<TxnPart> release = ipam.prepareRelease(all);
    assertThat(release).hasSize(4); // three blocks and one handle
    assertThat(TxnPart.commit(store, release).succeeded()).isTrue();
    assertThat(store.get(CalicoKeys.handle("owner-a"))).isEmpty();
    assertThat(ipam.isAssigned(ip("192.168.0.70"))).isFalse();
    assertThat(ipam.isAssigned(ip("fd00:1::9"))).isFalse();
  }

  @Test
  void aReleasePlannedOnAStaleCacheFailsItsGuardAndChangesNothing() {
    IpOwner a = IpOwner.of("owner-a", Map.of());
    ipam.assign(ip("192.168.0.20"), "h", a);
    List<TxnPart> release = ipam.prepareRelease(owners(ip("192.168.0.20"), "owner-a"));
    Ipam other = Ipam.builder(store).build();
    other.assign(ip("192.168.0.21"), "h", IpOwner.UNOWNED); // the block moves on
    assertThat(TxnPart.commit(store, release).succeeded()).isFalse();
    assertThat(ipam.isAssigned(ip("192.168.0.20"))).isTrue();
    assertThat(ipam.isAssigned(ip("192.168.0.21"))).isTrue();
  }

  @Test
  void autoAssignPassesOverTheAddressesItIsToldToSkip() {
    IpamChange c =
        ipam.prepareAutoAssignOne(
            4, "h", IpOwner.UNOWNED, Set.of(ip("192.168.0.0"), ip("192.168.0.1")));
    assertThat(c.addresses()).containsExactly(ip("192.168.0.2"));
    assertThat(ipam.commit(c)).isTrue();
    // the skipped addresses stay free, first in line
    assertThat(ipam.autoAssignOne(4, "h", IpOwner.UNOWNED)).isEqualTo(ip("192.168.0.0"));
  }

  private static Map<InetAddress, @Nullable String> owners(InetAddress ip, String handle) {
    Map<InetAddress, @Nullable String> m = new HashMap<>();
    m.put(ip, handle);
    return m;
  }
}
