package io.github.calicoj.core.check;

import static io.github.calicoj.core.check.CheckFixture.H1;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.calicoj.core.model.WorkloadEndpoint;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link CheckReport}'s table and JSON, and the exit status it gives the CLI. */
class CheckReportTest {
  private final CheckFixture fx = new CheckFixture();

  @AfterEach
  void close() {
    fx.close();
  }

  @Test
  void aCleanReportSaysSoInOneLine() throws Exception {
    CheckReport r = fx.checker().check(CheckOptions.DEFAULT);
    assertThat(r.table()).isEqualTo("No IPAM problems found on host h1.\n");
    assertThat(fx.checker().check(CheckOptions.builder().allHosts(true).build()).table())
        .isEqualTo("No IPAM problems found on any host.\n");
    JsonNode j = new ObjectMapper().readTree(r.json());
    assertThat(j.path("found").asBoolean(true)).isFalse();
    assertThat(j.path("findings").size()).isZero();
    assertThat(j.path("host").asText()).isEqualTo(H1);
    assertThat(j.path("grace_seconds").asLong()).isEqualTo(900);
    assertThat(j.path("checked_at").asText()).isEqualTo("2026-12-01T10:00:00Z");
  }

  @Test
  void findingsAreRowsWithTheirAgesAndAfterARepairWhatWasDone() throws Exception {
    WorkloadEndpoint ep =
        fx.namespaceWorkload(H1, "/var/run/netns/a", "10.65.0.1", Duration.ofMinutes(30));
    fx.allocate(H1, "namespace", "-old", "10.65.0.2", Duration.ofMinutes(20));
    fx.host.links.put("cali0123456789a", 42);

    CheckReport checked = fx.checker().check(CheckOptions.DEFAULT);
    String evidence =
        "allocated in block 10.65.0.0/26 to handle calicoj.h1.namespace.-old (workload"
            + " namespace/-old), but no endpoint holds it";
    String rule =
        "+-----------------------------+------+-----------------+"
            + "-".repeat(evidence.length() + 2)
            + "+------------------+\n";
    assertThat(checked.table())
        .startsWith(rule + "| Finding                     | Host | Subject         | Evidence")
        .contains("| allocation-without-endpoint | h1   | 10.65.0.2       | " + evidence + " |")
        .contains("| 20m00s (created) |")
        .contains("| link-without-endpoint       | h1   | cali0123456789a |")
        .contains("| -                |")
        .endsWith(rule + "2 findings on host h1.\n");
    assertThat(checked.found()).isTrue();
    assertThat(checked.unresolved()).hasSize(2);

    CheckReport repaired = fx.checker().repair(checked);
    assertThat(repaired.table())
        .contains("| Repair ")
        .contains("| repaired: freed 10.65.0.2 in block 10.65.0.0/26   ")
        .contains("| too-young: inside the grace period (0s old, first seen; grace 15m00s) |")
        .endsWith("2 findings on host h1: 1 repaired, 1 too-young (grace 15m00s).\n");
    assertThat(repaired.unresolved())
        .extracting(Finding::subject)
        .containsExactly("cali0123456789a");

    JsonNode j = new ObjectMapper().readTree(repaired.json());
    assertThat(j.path("repair").asBoolean()).isTrue();
    assertThat(j.path("found").asBoolean()).isTrue();
    assertThat(j.path("unresolved").asInt()).isEqualTo(1);
    JsonNode first = j.path("findings").get(0);
    assertThat(first.path("kind").asText()).isEqualTo("allocation-without-endpoint");
    assertThat(first.path("subject").asText()).isEqualTo("10.65.0.2");
    assertThat(first.path("age_seconds").asLong()).isEqualTo(1200);
    assertThat(first.path("age_source").asText()).isEqualTo("created");
    assertThat(first.path("details").path("handle").asText())
        .isEqualTo("calicoj.h1.namespace.-old");
    assertThat(first.path("repair").path("outcome").asText()).isEqualTo("repaired");
    JsonNode second = j.path("findings").get(1);
    assertThat(second.path("kind").asText()).isEqualTo("link-without-endpoint");
    assertThat(second.path("repair").path("outcome").asText()).isEqualTo("too-young");
    assertThat(checked.json()).contains("\"age_seconds\" : null").doesNotContain("\"repair\" : {");
    assertThat(ep).isNotNull();
  }

  @Test
  void notesFollowTheTable() {
    fx.dockerWorkload(H1, "a".repeat(64), "10.65.0.1", Duration.ofMinutes(30));
    fx.host.dockerDown = new IllegalStateException("connection refused");
    assertThat(fx.checker().check(CheckOptions.DEFAULT).table())
        .isEqualTo(
            "No IPAM problems found on host h1.\nNote: The Docker daemon could not be asked"
                + " (connection refused): Docker workloads not checked for being gone or"
                + " linkless.\n");
  }

  @Test
  void kindsAndOutcomesHaveStableIds() {
    assertThat(FindingKind.fromId("empty-affine-block")).isEqualTo(FindingKind.EMPTY_AFFINE_BLOCK);
    for (FindingKind k : FindingKind.values()) {
      assertThat(FindingKind.fromId(k.id())).isEqualTo(k);
    }
    assertThat(Repair.Outcome.TOO_YOUNG.id()).isEqualTo("too-young");
    assertThat(Ages.format(Duration.ofSeconds(59))).isEqualTo("59s");
    assertThat(Ages.format(Duration.ofSeconds(3725))).isEqualTo("1h02m");
    assertThat(Ages.format(Duration.ofHours(50))).isEqualTo("2d02h");
  }
}
