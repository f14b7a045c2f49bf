package io.github.calicoj.core.repository;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.core.AlreadyExistsException;
import io.github.calicoj.core.WireFormat;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.etcd.EtcdTestClients;
import io.github.calicoj.testkit.EtcdExtension;
import io.github.calicoj.testkit.Race;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Endpoints and profiles on real etcd, read back with etcdctl. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class EndpointConcurrencyIT {

  @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.single();

  private static Datastore client() {
    return EtcdTestClients.connect(ETCD.endpoints());
  }

  @Test
  void sixteenThreadsCreateOneWorkloadsEndpointAndExactlyOneSucceeds() throws Exception {
    try (Datastore ds = client()) {
      WorkloadEndpoints endpoints = new WorkloadEndpoints(ds, WireFormat.ERA_A);
      List<Boolean> won =
          Race.run(
              16,
              i ->
                  () -> {
                    WorkloadEndpoint ep = RepositoriesTest.endpoint("race-host", "race-workload");
                    try {
                      endpoints.create(ep, RepositoriesTest.marker(ep));
                      return true;
                    } catch (AlreadyExistsException e) {
                      return false;
                    }
                  },
              Duration.ofMinutes(2));
      long winners = won.stream().filter(x -> x).count();
      assertThat(winners).isEqualTo(1);
      String keys =
          ETCD.cluster()
              .etcdctl(
                  "get",
                  "--prefix",
                  "--keys-only",
                  CalicoKeys.workload("race-host", "docker", "race-workload").path());
      assertThat(keys.lines().filter(l -> !l.isBlank()).count()).isEqualTo(1);
    }
  }

  @Test
  void profileAndEndpointJsonAsEtcdctlSeesIt() {
    try (Datastore ds = client()) {
      WorkloadEndpoints endpoints = new WorkloadEndpoints(ds, WireFormat.ERA_A);
      Profiles profiles = new Profiles(ds, WireFormat.ERA_A, endpoints);
      profiles.create("PROF_A_C_E");
      WorkloadEndpoint ep = create(endpoints, RepositoriesTest.endpoint("calico-01", "wl-json"));
      endpoints.appendProfiles(ep, List.of("PROF_A_C_E"));
      assertThat(
              ETCD.cluster()
                  .etcdctl(
                      "get", "--print-value-only", CalicoKeys.profileRules("PROF_A_C_E").path())
                  .trim())
          .isEqualTo(
              "{\"id\": \"PROF_A_C_E\", \"inbound_rules\": [{\"action\": \"allow\", \"src_tag\":"
                  + " \"PROF_A_C_E\"}], \"outbound_rules\": [{\"action\": \"allow\"}]}");
      assertThat(
              ETCD.cluster()
                  .etcdctl("get", "--print-value-only", WorkloadEndpoints.keyOf(ep).path())
                  .trim())
          .isEqualTo(
              "{\"state\": \"active\", \"name\": \""
                  + ep.name()
                  + "\", \"mac\": \"72:ef:5a:87:35:bd\","
                  + " \"profile_ids\": [\"PROF_A_C_E\"], \"ipv4_nets\": [\"192.168.0.1/32\"],"
                  + " \"ipv6_nets\": [], \"ipv4_gateway\": null, \"ipv6_gateway\": null}");
    }
  }

  private static WorkloadEndpoint create(WorkloadEndpoints endpoints, WorkloadEndpoint ep) {
    return endpoints.create(ep, RepositoriesTest.marker(ep));
  }
}
