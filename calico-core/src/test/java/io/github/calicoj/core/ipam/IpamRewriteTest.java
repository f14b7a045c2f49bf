package io.github.calicoj.core.ipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.TxnPart;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.repository.IpPools;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.memory.InMemoryDatastore;
import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Ipam#prepareRewrites}: changes planned on block versions the caller read itself. */
class IpamRewriteTest {
  private static final Cidr BLOCK = Cidr.parse("192.168.0.0/26");
  private static final Cidr BLOCK6 = Cidr.parse("fd00:1::/122");

  private final InMemoryDatastore store = InMemoryDatastore.create();
  private final Ipam ipam = Ipam.builder(store).cacheTtl(Duration.ZERO).build();

  @AfterEach
  void close() {
    store.close();
  }

  private static InetAddress ip(String s) {
    return InetAddresses.forString(s);
  }

  private KeyValue stored(Cidr block) {
    return store.get(CalicoKeys.block(block)).orElseThrow();
  }

  private Map<Cidr, Integer> handle(String id) {
    return BlockJson.readHandle(store.get(CalicoKeys.handle(id)).orElseThrow().value());
  }

  @Test
  void aReleaseAndAHandOverMoveTheHandleCountsAndAreGuardedOnTheVersionRead() {
    new IpPools(store).add(IpPool.of(Cidr.parse("192.168.0.0/24")));
    ipam.assign(ip("192.168.0.1"), "h", IpOwner.of("a", Map.of()));
    ipam.assign(ip("192.168.0.2"), "h", IpOwner.of("a", Map.of()));
    KeyValue read = stored(BLOCK);
    AllocationBlock b = BlockJson.read(read.value());
    AllocationBlock handedOver =
        b.release(Set.of(ip("192.168.0.2")))
            .block()
            .assign(ip("192.168.0.2"), "b", Map.of("k", "v"), "h")
            .release(Set.of(ip("192.168.0.1")))
            .block();
    List<TxnPart> parts = ipam.prepareRewrites(Map.of(read, handedOver));
    assertThat(parts).hasSize(3); // the block, handle a, handle b
    assertThat(((IpamChange) parts.get(0)).change().handleDeltas())
        .isEqualTo(Map.of("a", -2, "b", 1));
    assertThat(TxnPart.commit(store, parts).succeeded()).isTrue();
    assertThat(BlockJson.read(stored(BLOCK).value())).isEqualTo(handedOver);
    assertThat(store.get(CalicoKeys.handle("a"))).isEmpty();
    assertThat(handle("b")).isEqualTo(Map.of(BLOCK, 1));

    // planned on the version read before: its guard fails and nothing is written
    List<TxnPart> stale =
        ipam.prepareRewrites(Map.of(read, b.release(Set.of(ip("192.168.0.1"))).block()));
    assertThat(TxnPart.commit(store, stale).succeeded()).isFalse();
    assertThat(BlockJson.read(stored(BLOCK).value())).isEqualTo(handedOver);
  }

  @Test
  void aHandleInTwoBlocksIsWrittenOnce() {
    new IpPools(store).add(IpPool.of(Cidr.parse("192.168.0.0/24")));
    new IpPools(store).add(IpPool.of(Cidr.parse("fd00:1::/120")));
    IpOwner w = IpOwner.of("w", Map.of());
    ipam.assign(ip("192.168.0.1"), "h", w);
    ipam.assign(ip("192.168.0.2"), "h", w);
    ipam.assign(ip("fd00:1::1"), "h", w);
    assertThat(handle("w")).isEqualTo(Map.of(BLOCK, 2, BLOCK6, 1));
    KeyValue v4 = stored(BLOCK);
    KeyValue v6 = stored(BLOCK6);
    Map<KeyValue, AllocationBlock> rewrites = new LinkedHashMap<>();
    rewrites.put(v4, BlockJson.read(v4.value()).release(Set.of(ip("192.168.0.1"))).block());
    rewrites.put(v6, BlockJson.read(v6.value()).release(Set.of(ip("fd00:1::1"))).block());
    assertThat(TxnPart.commit(store, ipam.prepareRewrites(rewrites)).succeeded()).isTrue();
    assertThat(handle("w")).isEqualTo(Map.of(BLOCK, 1));
  }

  @Test
  void anotherBlocksEntryIsRefused() {
    new IpPools(store).add(IpPool.of(Cidr.parse("192.168.0.0/24")));
    ipam.assign(ip("192.168.0.1"), "h", IpOwner.UNOWNED);
    ipam.assign(ip("192.168.0.65"), "h", IpOwner.UNOWNED);
    AllocationBlock other = BlockJson.read(stored(Cidr.parse("192.168.0.64/26")).value());
    assertThatThrownBy(() -> ipam.prepareRewrites(Map.of(stored(BLOCK), other)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("192.168.0.64/26");
  }
}
