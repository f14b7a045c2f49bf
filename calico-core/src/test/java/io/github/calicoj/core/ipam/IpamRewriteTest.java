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
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Ipam#prepareRewrite}: a change planned on a block version the caller read itself. */
class IpamRewriteTest {
  private static final Cidr BLOCK = Cidr.parse("192.168.0.0/26");

  private final InMemoryDatastore store = InMemoryDatastore.create();
  private final Ipam ipam = Ipam.builder(store).cacheTtl(Duration.ZERO).build();

  @AfterEach
  void close() {
    store.close();
  }

  private static InetAddress ip(String s) {
    return InetAddresses.forString(s);
  }

  private KeyValue stored() {
    return store.get(CalicoKeys.block(BLOCK)).orElseThrow();
  }

  @Test
  void aReleaseAndAHandOverMoveTheHandleCountsAndAreGuardedOnTheVersionRead() {
    new IpPools(store).add(IpPool.of(Cidr.parse("192.168.0.0/24")));
    ipam.assign(ip("192.168.0.1"), "h", IpOwner.of("a", Map.of()));
    ipam.assign(ip("192.168.0.2"), "h", IpOwner.of("a", Map.of()));
    KeyValue read = stored();
    AllocationBlock b = BlockJson.read(read.value());
    AllocationBlock handedOver =
        b.release(Set.of(ip("192.168.0.2")))
            .block()
            .assign(ip("192.168.0.2"), "b", Map.of("k", "v"), "h")
            .release(Set.of(ip("192.168.0.1")))
            .block();
    IpamChange c = ipam.prepareRewrite(read, handedOver);
    assertThat(c.addresses()).isEmpty();
    assertThat(c.change().handleDeltas()).isEqualTo(Map.of("a", -2, "b", 1));
    assertThat(TxnPart.commit(store, List.of(c)).succeeded()).isTrue();
    assertThat(BlockJson.read(stored().value())).isEqualTo(handedOver);
    assertThat(store.get(CalicoKeys.handle("a"))).isEmpty();
    assertThat(BlockJson.readHandle(store.get(CalicoKeys.handle("b")).orElseThrow().value()))
        .isEqualTo(Map.of(BLOCK, 1));

    // planned on the version read before: its guard fails and nothing is written
    IpamChange stale = ipam.prepareRewrite(read, b.release(Set.of(ip("192.168.0.1"))).block());
    assertThat(TxnPart.commit(store, List.of(stale)).succeeded()).isFalse();
    assertThat(BlockJson.read(stored().value())).isEqualTo(handedOver);
  }

  @Test
  void anotherBlocksEntryIsRefused() {
    new IpPools(store).add(IpPool.of(Cidr.parse("192.168.0.0/24")));
    ipam.assign(ip("192.168.0.1"), "h", IpOwner.UNOWNED);
    ipam.assign(ip("192.168.0.65"), "h", IpOwner.UNOWNED);
    AllocationBlock other =
        BlockJson.read(
            store.get(CalicoKeys.block(Cidr.parse("192.168.0.64/26"))).orElseThrow().value());
    assertThatThrownBy(() -> ipam.prepareRewrite(stored(), other))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("192.168.0.64/26");
  }
}
