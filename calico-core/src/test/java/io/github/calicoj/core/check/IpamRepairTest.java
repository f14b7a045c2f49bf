package io.github.calicoj.core.check;

import static io.github.calicoj.core.check.CheckFixture.H1;
import static io.github.calicoj.core.check.CheckFixture.H2;
import static io.github.calicoj.core.check.CheckFixture.ip;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.core.client.Owners;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.ipam.BlockJson;
import io.github.calicoj.core.ipam.IpOwner;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.core.repository.EndpointQuery;
import io.github.calicoj.core.repository.IpPools;
import io.github.calicoj.core.repository.WorkloadEndpoints;
import io.github.calicoj.core.repository.WorkloadMarker;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.netns.NetNs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link IpamChecker#repair} and {@link IpamChecker#run} do about each kind of finding, read
 * back from the store: the grace period, the race between a check and its repair, the first-seen
 * records, and that a second run finds nothing.
 */
class IpamRepairTest {
  private static final Duration OLD = Duration.ofMinutes(30);
  private static final CheckOptions REPAIR_NOW =
      CheckOptions.builder().repair(true).grace(Duration.ZERO).build();
  private static final CheckOptions REPAIR = CheckOptions.builder().repair(true).build();

  private final CheckFixture fx = new CheckFixture();

  @AfterEach
  void close() {
    fx.close();
  }

  private CheckReport run(CheckOptions o) {
    return fx.checker().run(o);
  }

  private void assertCleanAfterwards() {
    CheckReport again = fx.checker().check(CheckOptions.builder().allHosts(true).build());
    assertThat(again.findings()).as("a second run").isEmpty();
  }

  private static Repair only(CheckReport r) {
    assertThat(r.repairs()).hasSize(1);
    return r.repairs().get(0);
  }

  @Test
  void anOldLeakedAllocationIsFreedAFreshOneIsLeftAlone() {
    WorkloadEndpoint live = fx.namespaceWorkload(H1, "/var/run/netns/a", "10.65.0.1", OLD);
    fx.allocate(H1, "namespace", "-old", "10.65.0.2", Duration.ofMinutes(20));
    fx.allocate(H1, "namespace", "-new", "10.65.0.3", Duration.ofMinutes(1));
    CheckReport r = run(REPAIR);
    assertThat(r.repairs())
        .extracting(x -> x.finding().subject() + " " + x.outcome())
        .containsExactly("10.65.0.2 REPAIRED", "10.65.0.3 TOO_YOUNG");
    assertThat(r.repairs().get(0).action()).isEqualTo("freed 10.65.0.2 in block 10.65.0.0/26");
    assertThat(r.repairs().get(1).action()).contains("1m00s old, created; grace 15m00s");
    assertThat(fx.allocated()).containsExactlyInAnyOrder("10.65.0.1", "10.65.0.3");
    assertThat(fx.store.get(CalicoKeys.handle(Owners.handleId(H1, "namespace", "-old")))).isEmpty();
    assertThat(r.found()).isTrue();
    assertThat(r.unresolved()).extracting(Finding::subject).containsExactly("10.65.0.3");
    fx.advance(Duration.ofMinutes(15));
    assertThat(only(run(REPAIR)).outcome()).isEqualTo(Repair.Outcome.REPAIRED);
    assertThat(fx.allocated()).containsExactly("10.65.0.1");
    assertThat(fx.endpoints.find(EndpointQuery.all()))
        .extracting(WorkloadEndpoint::endpointId)
        .containsExactly(live.endpointId());
    assertCleanAfterwards();
  }

  @Test
  void anAllocationFreedAndAssignedAgainBetweenCheckAndRepairIsNeverFreed() {
    fx.allocate(H1, "namespace", "-leak", "10.65.0.2", OLD);
    fx.allocate(H1, "namespace", "-keep", "10.65.0.9", OLD); // keeps the block non-empty
    IpamChecker checker = fx.checker();
    CheckReport report = checker.check(CheckOptions.builder().grace(Duration.ZERO).build());
    assertThat(report.findings()).extracting(Finding::subject).contains("10.65.0.2");
    // meanwhile: freed, and assigned to another workload (old enough to pass the grace too)
    fx.ipam.release(List.of(ip("10.65.0.2")));
    fx.allocate(H1, "namespace", "-other", "10.65.0.2", OLD.plusMinutes(5));
    CheckReport repaired = checker.repair(report);
    assertThat(repaired.repairOf(report.findings().get(0)).orElseThrow().outcome())
        .isEqualTo(Repair.Outcome.CHANGED);
    assertThat(fx.allocation("10.65.0.2").orElseThrow().handleId())
        .isEqualTo("calicoj.h1.namespace.-other");
  }

  @Test
  void anAllocationWithoutTimeReassignedIdenticallyIsNeverFreed() {
    fx.ipam.assign(ip("10.65.0.2"), H1, IpOwner.UNOWNED);
    fx.ipam.assign(ip("10.65.0.9"), H1, IpOwner.UNOWNED);
    IpamChecker checker = fx.checker();
    CheckReport report = checker.check(CheckOptions.builder().grace(Duration.ZERO).build());
    assertThat(report.findings()).hasSize(2);
    fx.ipam.release(List.of(ip("10.65.0.2")));
    fx.ipam.assign(ip("10.65.0.2"), H1, IpOwner.UNOWNED); // the same attributes as before
    CheckReport repaired = checker.repair(report);
    assertThat(repaired.repairs()).extracting(Repair::outcome).containsOnly(Repair.Outcome.CHANGED);
    assertThat(fx.allocated()).containsExactlyInAnyOrder("10.65.0.2", "10.65.0.9");
    // a run of its own, with nothing in between, frees both
    assertThat(run(REPAIR_NOW).repairs())
        .extracting(Repair::outcome)
        .containsOnly(Repair.Outcome.REPAIRED);
    assertThat(fx.allocated()).isEmpty();
  }

  @Test
  void aFindingFixedBetweenCheckAndRepairIsGone() {
    fx.allocate(H1, "namespace", "-leak", "10.65.0.2", OLD);
    IpamChecker checker = fx.checker();
    CheckReport report = checker.check(CheckOptions.DEFAULT);
    fx.ipam.release(List.of(ip("10.65.0.2")));
    Repair r = checker.repair(report).repairs().get(0);
    assertThat(r.outcome()).isEqualTo(Repair.Outcome.GONE);
  }

  @Test
  void withoutATimeTheGraceCountsFromTheFirstRepairingCheck() {
    WorkloadEndpoint ep = fx.namespaceWorkload(H1, "/var/run/netns/a", "10.65.0.1", OLD);
    fx.host.links.remove(ep.name());
    // a check that only reports records nothing
    assertThat(fx.checker().check(CheckOptions.DEFAULT).findings().get(0).ageSource())
        .isEqualTo(Finding.AgeSource.UNKNOWN);
    assertThat(fx.store.list(CalicoKeys.CHECK_SIGHTINGS).entries()).isEmpty();
    CheckReport first = run(REPAIR);
    assertThat(only(first).outcome()).isEqualTo(Repair.Outcome.TOO_YOUNG);
    assertThat(first.findings().get(0).ageSource()).isEqualTo(Finding.AgeSource.FIRST_SEEN);
    assertThat(fx.store.list(CalicoKeys.CHECK_SIGHTINGS).entries())
        .singleElement()
        .satisfies(
            kv ->
                assertThat(kv.key().path())
                    .isEqualTo(
                        "/calicoj/v1/check/h1/endpoint-without-link/namespace%2F-var-run-netns-a%2F"
                            + ep.endpointId()));
    fx.advance(Duration.ofMinutes(10));
    assertThat(fx.checker().check(CheckOptions.DEFAULT).findings().get(0).age())
        .contains(Duration.ofMinutes(10));
    assertThat(only(run(REPAIR)).outcome()).isEqualTo(Repair.Outcome.TOO_YOUNG);
    fx.advance(Duration.ofMinutes(6));
    Repair r = only(run(REPAIR));
    assertThat(r.outcome()).isEqualTo(Repair.Outcome.REPAIRED);
    assertThat(r.action())
        .isEqualTo(
            "removed endpoint "
                + ep.endpointId()
                + " of namespace/-var-run-netns-a and its"
                + " marker; freed 10.65.0.1; block 10.65.0.0/26, left empty, deleted with its affinity"
                + " to h1");
    assertThat(fx.store.list(Key.of("/calico/")).entries())
        .extracting(kv -> kv.key().path())
        .noneMatch(k -> k.contains("/workload/") || k.contains("/ipam/v2/"));
    assertThat(fx.store.list(CalicoKeys.CALICOJ).entries()).as("marker and record").isEmpty();
  }

  @Test
  void aLiveWorkloadWithoutItsLinkIsReplumbedThroughTheRestorerNotRemoved() {
    WorkloadEndpoint ep = fx.namespaceWorkload(H1, "/var/run/netns/a", "10.65.0.1", OLD);
    fx.host.links.remove(ep.name());
    List<String> restored = new ArrayList<>();
    IpamChecker.Restorer restorer =
        w -> {
          restored.add(w);
          return ep.toBuilder().mac("ee:ee:ee:00:00:01").build();
        };
    List<String> before = keysUnder("/calico/");
    CheckReport r = fx.checker(restorer).run(REPAIR_NOW);
    assertThat(restored).containsExactly("/var/run/netns/a");
    Repair only = only(r);
    assertThat(only.finding().kind()).isEqualTo(FindingKind.ENDPOINT_WITHOUT_LINK);
    assertThat(only.outcome()).isEqualTo(Repair.Outcome.REPAIRED);
    assertThat(only.action())
        .isEqualTo(
            "re-plumbed /var/run/netns/a: a new veth "
                + ep.name()
                + ", the same addresses, MAC ee:ee:ee:00:00:01");
    // the repair itself removed and freed nothing: the restore is the client's to do
    assertThat(keysUnder("/calico/")).isEqualTo(before);
    assertThat(fx.allocation("10.65.0.1")).isPresent();
  }

  @Test
  void aRunningContainerWithoutItsLinkIsReplumbedByItsId() {
    WorkloadEndpoint ep = fx.dockerWorkload(H1, "c0ffee", "10.65.0.1", OLD);
    fx.host.links.remove(ep.name());
    List<String> restored = new ArrayList<>();
    CheckReport r = repairRecording(restored, ep);
    assertThat(restored).containsExactly("c0ffee");
    assertThat(only(r).action()).startsWith("re-plumbed c0ffee: a new veth " + ep.name());
    assertThat(fx.allocation("10.65.0.1")).isPresent();
  }

  @Test
  void aWorkloadWhosePathNamesAnotherNamespaceIsRemovedEvenWithARestorer() {
    WorkloadEndpoint ep = fx.namespaceWorkload(H1, "/var/run/netns/a", "10.65.0.1", OLD);
    fx.host.links.remove(ep.name());
    fx.host.namespaces.put("/var/run/netns/a", new NetNs.Identity(4, 999_999));
    List<String> restored = new ArrayList<>();
    CheckReport r = repairRecording(restored, ep);
    assertThat(restored).isEmpty();
    assertThat(r.repairs())
        .extracting(x -> x.finding().kind() + " " + x.outcome())
        .containsExactly("WORKLOAD_GONE REPAIRED");
    assertThat(fx.allocated()).isEmpty();
  }

  @Test
  void aRestoreThatFailsIsReportedAndRemovesNothing() {
    WorkloadEndpoint ep = fx.namespaceWorkload(H1, "/var/run/netns/a", "10.65.0.1", OLD);
    fx.host.links.remove(ep.name());
    CheckReport r =
        fx.checker(
                w -> {
                  throw new IllegalStateException("no veth for " + w);
                })
            .run(REPAIR_NOW);
    Repair only = only(r);
    assertThat(only.outcome()).isEqualTo(Repair.Outcome.FAILED);
    assertThat(only.action()).isEqualTo("no veth for /var/run/netns/a");
    assertThat(fx.allocation("10.65.0.1")).isPresent();
    assertThat(keysUnder("/calico/v1/host/")).isNotEmpty();
  }

  /** A repair now whose restorer records the workloads it is asked for and returns {@code ep}. */
  private CheckReport repairRecording(List<String> restored, WorkloadEndpoint ep) {
    return fx.checker(
            w -> {
              restored.add(w);
              return ep;
            })
        .run(REPAIR_NOW);
  }

  private List<String> keysUnder(String prefix) {
    return fx.store.list(Key.of(prefix)).entries().stream().map(kv -> kv.key().path()).toList();
  }

  @Test
  void anEndpointWhoseIpIsFreeGetsItAssigned() {
    WorkloadEndpoint ep = fx.namespaceWorkload(H1, "/var/run/netns/a", "10.65.0.1", OLD);
    fx.allocate(H1, "namespace", "-keep", "10.65.0.9", OLD);
    fx.ipam.release(List.of(ip("10.65.0.1")));
    CheckReport r = run(REPAIR_NOW);
    assertThat(r.repairs())
        .extracting(Repair::outcome)
        .containsExactly(Repair.Outcome.REPAIRED, Repair.Outcome.REPAIRED);
    assertThat(fx.allocation("10.65.0.1").orElseThrow().handleId())
        .isEqualTo(Owners.handleId(H1, "namespace", ep.workloadId()));
    assertThat(fx.allocation("10.65.0.1").orElseThrow().secondary())
        .containsEntry("host", H1)
        .containsEntry("workload", ep.workloadId())
        .containsEntry("created", fx.now().toString());
    assertCleanAfterwards();
  }

  @Test
  void aWorkloadsOwnHandleRecordedInItsMarkerOwnsItsAddresses() {
    String handle = "calicoj.h1.cni.abc";
    fx.namespaceWorkloadOwnedBy(handle, "/var/run/netns/a", "10.65.0.1");
    fx.allocate(H1, "namespace", "-keep", "10.65.0.9", OLD);
    assertThat(fx.checker().check(CheckOptions.DEFAULT).findings())
        .extracting(Finding::kind)
        .containsExactly(FindingKind.ALLOCATION_WITHOUT_ENDPOINT); // -keep's, not a's
    fx.ipam.release(List.of(ip("10.65.0.1")));
    run(REPAIR_NOW);
    assertThat(fx.allocation("10.65.0.1").orElseThrow().handleId()).isEqualTo(handle);
    assertCleanAfterwards();
  }

  @Test
  void anotherWorkloadsAllocationOfAnEndpointsIpIsHandedOver() {
    WorkloadEndpoint ep = fx.namespaceWorkload(H1, "/var/run/netns/a", "10.65.0.1", OLD);
    fx.ipam.release(List.of(ip("10.65.0.1")));
    fx.allocate(H1, "namespace", "-other", "10.65.0.1", OLD);
    Repair r = only(run(REPAIR_NOW));
    assertThat(r.action())
        .isEqualTo(
            "handed 10.65.0.1 from calicoj.h1.namespace.-other to "
                + Owners.handleId(H1, "namespace", ep.workloadId()));
    assertThat(fx.store.get(CalicoKeys.handle("calicoj.h1.namespace.-other"))).isEmpty();
    assertThat(
            BlockJson.readHandle(
                fx.store
                    .get(CalicoKeys.handle(Owners.handleId(H1, "namespace", ep.workloadId())))
                    .orElseThrow()
                    .value()))
        .isEqualTo(Map.of(Cidr.parse("10.65.0.0/26"), 1));
    assertCleanAfterwards();
  }

  @Test
  void ofTwoEndpointsWithOneIpTheOneThatDoesNotOwnItIsRemoved() {
    WorkloadEndpoint a = fx.namespaceWorkload(H1, "/var/run/netns/a", "10.65.0.1", OLD);
    WorkloadEndpoint b = fx.namespaceWorkload(H1, "/var/run/netns/b", "10.65.0.2", OLD);
    fx.rewrite(b, x -> x.addNet(Cidr.parse("10.65.0.1/32")));
    Repair r = run(REPAIR_NOW).repairs().get(0);
    assertThat(r.finding().kind()).isEqualTo(FindingKind.DUPLICATE_IP);
    assertThat(r.outcome()).isEqualTo(Repair.Outcome.REPAIRED);
    assertThat(r.action())
        .contains("removed endpoint " + b.endpointId())
        .contains("freed 10.65.0.2")
        .contains("kept 10.65.0.1")
        .contains("deleted link " + b.name())
        .endsWith("10.65.0.1 stays with " + a.endpointId());
    assertThat(fx.endpoints.find(EndpointQuery.all()))
        .extracting(WorkloadEndpoint::endpointId)
        .containsExactly(a.endpointId());
    assertThat(fx.allocated()).containsExactly("10.65.0.1");
    assertThat(fx.host.deleted).containsExactly(b.name());
    assertCleanAfterwards();
  }

  @Test
  void aDuplicateThatNoAllocationDecidesIsLeftToAPerson() {
    fx.namespaceWorkload(H1, "/var/run/netns/a", "10.65.0.1", OLD);
    WorkloadEndpoint b = fx.namespaceWorkload(H1, "/var/run/netns/b", "10.65.0.2", OLD);
    fx.rewrite(b, x -> x.addNet(Cidr.parse("10.65.0.1/32")));
    fx.ipam.release(List.of(ip("10.65.0.1")));
    fx.ipam.assign(ip("10.65.0.1"), H1, IpOwner.UNOWNED);
    CheckReport r = run(REPAIR_NOW);
    assertThat(r.repairs().get(0).outcome()).isEqualTo(Repair.Outcome.MANUAL);
    assertThat(r.repairs().get(0).action()).contains("its allocation has no handle");
    assertThat(r.unresolved()).extracting(Finding::kind).containsExactly(FindingKind.DUPLICATE_IP);
    assertThat(fx.endpoints.find(EndpointQuery.all())).hasSize(2);
  }

  @Test
  void aGoneWorkloadIsRemovedWithItsAddressesHandleMarkerAndLink() {
    String c1 = "a".repeat(64);
    WorkloadEndpoint gone = fx.dockerWorkload(H1, c1, "10.65.0.1", OLD);
    fx.namespaceWorkload(H1, "/var/run/netns/b", "10.65.0.2", OLD);
    fx.host.containers.remove(c1);
    Repair r = only(run(REPAIR_NOW));
    assertThat(r.outcome()).isEqualTo(Repair.Outcome.REPAIRED);
    assertThat(r.action()).contains("freed 10.65.0.1").contains("deleted link " + gone.name());
    assertThat(fx.store.get(WorkloadEndpoints.keyOf(gone))).isEmpty();
    assertThat(fx.store.get(WorkloadMarker.key(H1, "docker", c1))).isEmpty();
    assertThat(fx.store.get(CalicoKeys.handle(Owners.handleId(H1, "docker", c1)))).isEmpty();
    assertThat(fx.allocated()).containsExactly("10.65.0.2");
    assertThat(fx.host.links).doesNotContainKey(gone.name());
    assertCleanAfterwards();
  }

  @Test
  void removingADeadEndpointKeepsItsAddressWhenAnotherWorkloadHoldsItNow() {
    WorkloadEndpoint ep = fx.namespaceWorkload(H1, "/var/run/netns/a", "10.65.0.1", OLD);
    fx.host.links.remove(ep.name());
    fx.ipam.release(List.of(ip("10.65.0.1")));
    fx.allocate(H1, "namespace", "-other", "10.65.0.1", OLD);
    Repair r = only(run(REPAIR_NOW));
    assertThat(r.finding().kind()).isEqualTo(FindingKind.ENDPOINT_WITHOUT_LINK);
    assertThat(r.action())
        .contains("removed endpoint " + ep.endpointId())
        .contains("kept 10.65.0.1 (allocated to calicoj.h1.namespace.-other)")
        .doesNotContain("freed");
    assertThat(fx.allocation("10.65.0.1").orElseThrow().handleId())
        .isEqualTo("calicoj.h1.namespace.-other");
  }

  @Test
  void aDeadDualStackEndpointIsRemovedWithBothAddressesAndItsHandleOnce() {
    new IpPools(fx.store).add(IpPool.of(Cidr.parse("fd00:65::/120")));
    WorkloadEndpoint ep = fx.namespaceWorkload(H1, "/var/run/netns/a", "10.65.0.1", OLD);
    fx.allocate(H1, "namespace", ep.workloadId(), "fd00:65::1", OLD);
    fx.rewrite(ep, x -> x.addNet(Cidr.parse("fd00:65::1/128")));
    String handle = Owners.handleId(H1, "namespace", ep.workloadId());
    assertThat(BlockJson.readHandle(fx.store.get(CalicoKeys.handle(handle)).orElseThrow().value()))
        .hasSize(2);
    fx.host.links.remove(ep.name());
    Repair r = only(run(REPAIR_NOW));
    assertThat(r.outcome()).isEqualTo(Repair.Outcome.REPAIRED);
    assertThat(r.action()).contains("freed 10.65.0.1, fd00:65::1");
    assertThat(fx.store.get(CalicoKeys.handle(handle))).isEmpty();
    assertThat(fx.allocated()).isEmpty();
    assertCleanAfterwards();
  }

  @Test
  void aLeftoverLinkAndMarkerAreDeleted() {
    fx.namespaceWorkload(H1, "/var/run/netns/a", "10.65.0.1", OLD);
    fx.host.links.put("cali0123456789a", 99);
    Key marker = WorkloadMarker.key(H1, "namespace", "-x");
    fx.store.put(
        marker,
        new WorkloadMarker(CheckFixture.newEndpointId(), fx.now().minus(OLD).toEpochMilli(), null)
            .toJson());
    CheckReport r = run(REPAIR_NOW);
    assertThat(r.repairs())
        .extracting(Repair::action)
        .containsExactly("deleted marker " + marker, "deleted link cali0123456789a and its peer");
    assertThat(fx.host.links).doesNotContainKey("cali0123456789a");
    assertThat(fx.store.get(marker)).isEmpty();
    assertCleanAfterwards();
  }

  @Test
  void anEmptyBlockAndAWrongHandleAreRepaired() {
    fx.allocate(H1, "namespace", "-x", "10.65.1.1", OLD);
    fx.ipam.release(List.of(ip("10.65.1.1")));
    fx.store.delete(CalicoKeys.affinity(H1, Cidr.parse("10.65.1.0/26"))); // lost to every host
    WorkloadEndpoint ep = fx.namespaceWorkload(H1, "/var/run/netns/a", "10.65.0.1", OLD);
    String handle = Owners.handleId(H1, "namespace", ep.workloadId());
    fx.store.put(
        CalicoKeys.handle(handle), BlockJson.handle(handle, Map.of(Cidr.parse("10.65.0.0/26"), 4)));
    CheckReport r = run(REPAIR_NOW);
    assertThat(r.repairs())
        .extracting(Repair::action)
        .containsExactly(
            "deleted block 10.65.1.0/26",
            "rewrote handle " + handle + " to {10.65.0.0/26=1} (was {10.65.0.0/26=4})");
    assertThat(fx.store.get(CalicoKeys.block(Cidr.parse("10.65.1.0/26")))).isEmpty();
    assertCleanAfterwards();
  }

  @Test
  void aRepairActsOnlyInItsScope() {
    fx.allocate(H2, "namespace", "-x", "10.65.0.70", OLD);
    assertThat(run(REPAIR_NOW).repairs()).isEmpty();
    assertThat(fx.allocated()).containsExactly("10.65.0.70");
    CheckReport all = run(REPAIR_NOW.toBuilder().allHosts(true).build());
    assertThat(only(all).outcome()).isEqualTo(Repair.Outcome.REPAIRED);
    assertThat(fx.allocated()).isEmpty();
  }

  @Test
  void recordsOfFindingsThatWentAwayAreDeleted() {
    WorkloadEndpoint ep = fx.namespaceWorkload(H1, "/var/run/netns/a", "10.65.0.1", OLD);
    fx.host.links.remove(ep.name());
    run(REPAIR);
    assertThat(fx.store.list(CalicoKeys.CHECK_SIGHTINGS).entries()).hasSize(1);
    fx.host.links.put(ep.name(), 5); // it came back
    assertThat(run(REPAIR).findings()).isEmpty();
    assertThat(fx.store.list(CalicoKeys.CHECK_SIGHTINGS).entries()).isEmpty();
  }

  @Test
  void severalLeaksInOneBlockAreAllFreed() {
    fx.namespaceWorkload(H1, "/var/run/netns/a", "10.65.0.1", OLD);
    for (int i = 2; i <= 6; i++) {
      fx.allocate(H1, "namespace", "-w" + i, "10.65.0." + i, OLD);
    }
    fx.ipam.assign(ip("10.65.0.7"), H1, IpOwner.UNOWNED);
    CheckReport r = run(REPAIR_NOW);
    assertThat(r.repairs())
        .hasSize(6)
        .extracting(Repair::outcome)
        .containsOnly(Repair.Outcome.REPAIRED);
    assertThat(fx.allocated()).containsExactly("10.65.0.1");
    assertCleanAfterwards();
  }
}
