package io.github.calicoj.core.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.etcd.EtcdGatewayDatastore;
import io.github.calicoj.testkit.EtcdExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 3,000 endpoints and allocations across 4 simulated hosts, written straight into a real etcd
 * member, with 30 planted leaks: the check finds exactly those, read back through the gateway
 * client the CLI uses. (Its time is measured by {@code scripts/bench lifecycle}, not here.)
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class IpamCheckScaleIT {
  private static final List<String> HOSTS =
      List.of("cjt-sim-0", "cjt-sim-1", "cjt-sim-2", "cjt-sim-3");

  @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.single();

  @Test
  void exactlyThePlantedLeaksAmongThreeThousandEndpoints() {
    try (Datastore store =
        EtcdGatewayDatastore.builder()
            .endpoints(ETCD.endpoints())
            .requestTimeout(Duration.ofSeconds(10))
            .build()) {
      store.deletePrefix(Key.of("/calico/"));
      store.deletePrefix(Key.of("/calicoj/"));
      List<ScaleCluster.Leak> planted = ScaleCluster.write(store, HOSTS, 750);
      // the written cluster, as etcd holds it: 3,000 healthy endpoints plus the 11 planted ones
      assertThat(
              ETCD.cluster().keys("/calico/v1/host/").stream()
                  .filter(k -> CalicoKeys.parseEndpoint(Key.of(k)).isPresent())
                  .count())
          .isEqualTo(3011);

      CheckReport r =
          IpamChecker.builder(store, HOSTS.get(0))
              .build()
              .check(CheckOptions.builder().allHosts(true).dataplane(false).build());
      assertThat(r.findings())
          .extracting(f -> new ScaleCluster.Leak(f.kind(), f.host(), f.subject()))
          .containsExactlyInAnyOrderElementsOf(planted);
      assertThat(r.notes()).isEmpty();
      // one host's own: its share of the leaks only
      CheckReport one =
          IpamChecker.builder(store, HOSTS.get(1))
              .build()
              .check(CheckOptions.builder().dataplane(false).build());
      assertThat(one.findings())
          .extracting(f -> new ScaleCluster.Leak(f.kind(), f.host(), f.subject()))
          .containsExactlyInAnyOrderElementsOf(
              planted.stream().filter(l -> l.host().equals(HOSTS.get(1))).toList());
    }
  }
}
