package io.github.calicoj.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.memory.InMemoryDatastore;
import org.junit.jupiter.api.Test;

/** {@link AgentReport} reads the keys Felix and the agent write, and tolerates odd values. */
class AgentReportTest {
  private static final String EP = "/calico/v1/host/h1/workload/docker/w1/endpoint/e1";

  @Test
  void readsTheStatusKeys() {
    try (InMemoryDatastore store = InMemoryDatastore.create()) {
      store.put(
          Key.of("/calico/felix/v1/host/h1/status"),
          "{\"time\": \"2016-02-29T14:54:31Z\", \"uptime\": 123.4, \"first_update\": false}");
      store.put(
          Key.of("/calico/felix/v1/host/h1/last_reported_status"),
          "{\"time\": \"2016-02-29T14:54:31Z\", \"uptime\": 123.4, \"first_update\": false}");
      store.put(
          Key.of("/calico/felix/v1/host/h1/workload/docker/w1/endpoint/e1"),
          "{\"status\": \"up\"}");
      store.put(Key.of("/calico/felix/v1/host/h1/workload/docker/w2/endpoint/e2"), "garbage");
      store.put(Key.of("/calico/felix/v1/host/h2/status"), "{\"time\": \"x\"}");

      AgentReport r = AgentReport.read(store, "h1");

      assertThat(r.running()).isTrue();
      assertThat(r.status())
          .isEqualTo(new AgentReport.Report("2016-02-29T14:54:31Z", 123.4, false));
      assertThat(r.lastReported()).isEqualTo(r.status());
      assertThat(r.endpointStatus(EP)).contains("up");
      assertThat(r.endpoints())
          .containsEntry("/calico/v1/host/h1/workload/docker/w2/endpoint/e2", "garbage")
          .hasSize(2);
    }
  }

  @Test
  void anAbsentOrBadStatusMeansNotRunning() {
    try (InMemoryDatastore store = InMemoryDatastore.create()) {
      assertThat(AgentReport.read(store, "h1").running()).isFalse();
      store.put(Key.of("/calico/felix/v1/host/h1/status"), "{not json");
      AgentReport r = AgentReport.read(store, "h1");
      assertThat(r.running()).isFalse();
      assertThat(r.endpoints()).isEmpty();
    }
  }
}
