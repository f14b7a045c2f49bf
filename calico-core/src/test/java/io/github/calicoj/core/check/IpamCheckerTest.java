package io.github.calicoj.core.check;

import static io.github.calicoj.core.check.CheckFixture.H1;
import static io.github.calicoj.core.check.CheckFixture.H2;
import static io.github.calicoj.core.check.CheckFixture.ip;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.core.client.Owners;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.ipam.AllocationBlock;
import io.github.calicoj.core.ipam.BlockJson;
import io.github.calicoj.core.ipam.IpOwner;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.core.repository.WorkloadEndpoints;
import io.github.calicoj.core.repository.WorkloadMarker;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.netns.NetNs;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What {@link IpamChecker#check} finds in planted states; every kind, scope and age source. */
class IpamCheckerTest {
  private static final Duration OLD = Duration.ofMinutes(30);
  private static final String C1 = "a".repeat(64);
  private static final String C2 = "b".repeat(64);

  private final CheckFixture fx = new CheckFixture();

  @AfterEach
  void close() {
    fx.close();
  }

  private List<Finding> check() {
    return fx.checker().check(CheckOptions.DEFAULT).findings();
  }

  private static List<FindingKind> kinds(List<Finding> fs) {
    return fs.stream().map(Finding::kind).toList();
  }

  @Test
  void aHealthyClusterHasNoFindingsAndACheckWritesNothing() {
    fx.namespaceWorkload(H1, "/var/run/netns/a", "10.65.0.1", OLD);
    fx.dockerWorkload(H1, C1, "10.65.0.2", OLD);
    fx.namespaceWorkload(H2, "/var/run/netns/b", "10.65.0.70", OLD);
    long before = fx.store.list(Key.of("/")).revision().value();
    CheckReport r = fx.checker().check(CheckOptions.builder().allHosts(true).build());
    assertThat(r.findings()).isEmpty();
    assertThat(r.notes()).isEmpty();
    assertThat(r.found()).isFalse();
    assertThat(fx.store.list(Key.of("/")).revision().value()).isEqualTo(before);
    assertThat(fx.host.linkDumps).isEqualTo(1);
    assertThat(fx.host.containerLists).isEqualTo(1);
    assertThat(fx.host.closed).isEqualTo(fx.host.opened);
  }

  @Test
  void anAllocationWithoutEndpointIsFoundWithItsCreatedAge() {
    fx.namespaceWorkload(H1, "/var/run/netns/a", "10.65.0.1", OLD);
    fx.allocate(H1, "namespace", "-gone", "10.65.0.9", Duration.ofMinutes(20));
    List<Finding> fs = check();
    assertThat(kinds(fs)).containsExactly(FindingKind.ALLOCATION_WITHOUT_ENDPOINT);
    Finding f = fs.get(0);
    assertThat(f.host()).isEqualTo(H1);
    assertThat(f.subject()).isEqualTo("10.65.0.9");
    assertThat(f.age()).contains(Duration.ofMinutes(20));
    assertThat(f.ageSource()).isEqualTo(Finding.AgeSource.CREATED);
    assertThat(f.details())
        .containsEntry("ip", "10.65.0.9")
        .containsEntry("block", "10.65.0.0/26")
        .containsEntry("handle", "calicoj.h1.namespace.-gone")
        .containsEntry("workload", "namespace/-gone");
    assertThat(f.evidence()).contains("no endpoint holds it");
  }

  @Test
  void anAllocationWithoutHandleOrTimeHasNoAgeUntilSeen() {
    fx.ipam.assign(ip("10.65.0.9"), H1, IpOwner.UNOWNED);
    Finding f = check().get(0);
    assertThat(f.kind()).isEqualTo(FindingKind.ALLOCATION_WITHOUT_ENDPOINT);
    assertThat(f.age()).isEmpty();
    assertThat(f.ageSource()).isEqualTo(Finding.AgeSource.UNKNOWN);
    assertThat(f.details()).doesNotContainKey("handle");
  }

  @Test
  void anEndpointWhoseIpIsFreeIsFound() {
    WorkloadEndpoint ep = fx.namespaceWorkload(H1, "/var/run/netns/a", "10.65.0.1", OLD);
    fx.ipam.release(List.of(ip("10.65.0.1")));
    List<Finding> fs = check();
    assertThat(kinds(fs)).containsExactly(FindingKind.ENDPOINT_IP_NOT_ALLOCATED);
    assertThat(fs.get(0).subject()).isEqualTo("10.65.0.1 on " + ep.endpointId());
    assertThat(fs.get(0).details()).containsEntry("endpoint", WorkloadEndpoints.keyOf(ep).path());
    assertThat(fs.get(0).ageSource()).isEqualTo(Finding.AgeSource.UNKNOWN);
  }

  @Test
  void anEndpointWhoseIpAnotherWorkloadsHandleHoldsIsFound() {
    WorkloadEndpoint ep = fx.namespaceWorkload(H1, "/var/run/netns/a", "10.65.0.1", OLD);
    fx.ipam.release(List.of(ip("10.65.0.1")));
    fx.allocate(H1, "namespace", "-other", "10.65.0.1", OLD);
    List<Finding> fs = check();
    assertThat(kinds(fs)).containsExactly(FindingKind.ENDPOINT_IP_OTHER_OWNER);
    assertThat(fs.get(0).evidence())
        .contains("calicoj.h1.namespace.-other")
        .contains(Owners.handleId(H1, "namespace", ep.workloadId()));
  }

  @Test
  void anotherToolsHandleOnAnEndpointsIpIsNotAMismatch() {
    fx.namespaceWorkload(H1, "/var/run/netns/a", "10.65.0.1", OLD);
    fx.ipam.release(List.of(ip("10.65.0.1")));
    fx.ipam.assign(ip("10.65.0.1"), H1, IpOwner.of("cni-abc", Map.of()));
    assertThat(check()).isEmpty();
  }

  @Test
  void oneIpOnTwoEndpointsIsOneFinding() {
    WorkloadEndpoint a = fx.namespaceWorkload(H1, "/var/run/netns/a", "10.65.0.1", OLD);
    WorkloadEndpoint b = fx.namespaceWorkload(H1, "/var/run/netns/b", "10.65.0.2", OLD);
    fx.rewrite(b, x -> x.ipv4Nets(List.of(Cidr.parse("10.65.0.1/32"))));
    List<Finding> fs = check();
    assertThat(kinds(fs))
        .containsExactly(FindingKind.DUPLICATE_IP, FindingKind.ALLOCATION_WITHOUT_ENDPOINT);
    assertThat(fs.get(0).subject()).isEqualTo("10.65.0.1");
    assertThat(fs.get(0).evidence()).contains(a.endpointId()).contains(b.endpointId());
    assertThat(fs.get(1).subject()).isEqualTo("10.65.0.2");
  }

  @Test
  void aRemovedContainerIsGoneAStoppedOneIsNotAndARunningOneNeedsItsLink() {
    fx.dockerWorkload(H1, C1, "10.65.0.1", OLD);
    WorkloadEndpoint stopped = fx.dockerWorkload(H1, C2, "10.65.0.2", OLD);
    String c3 = "c".repeat(64);
    WorkloadEndpoint running = fx.dockerWorkload(H1, c3, "10.65.0.3", OLD);
    fx.host.containers.remove(C1);
    fx.host.containers.put(C2, false);
    fx.host.links.remove(stopped.name()); // a stopped container has no namespace, so no veth
    fx.host.links.remove(running.name());
    List<Finding> fs = check();
    assertThat(kinds(fs))
        .containsExactly(FindingKind.WORKLOAD_GONE, FindingKind.ENDPOINT_WITHOUT_LINK);
    assertThat(fs.get(0).subject()).isEqualTo("docker/" + C1);
    assertThat(fs.get(0).evidence()).contains("container aaaaaaaaaaaa does not exist");
    assertThat(fs.get(1).subject()).isEqualTo(running.endpointId());
    assertThat(fs.get(1).details()).containsEntry("link", running.name());
  }

  @Test
  void aDaemonThatDoesNotAnswerSkipsDockerWorkloadsWithANote() {
    WorkloadEndpoint ep = fx.dockerWorkload(H1, C1, "10.65.0.1", OLD);
    fx.host.links.remove(ep.name());
    fx.host.dockerDown = new IllegalStateException("connection refused");
    CheckReport r = fx.checker().check(CheckOptions.DEFAULT);
    assertThat(r.findings()).isEmpty();
    assertThat(r.notes()).singleElement().asString().contains("connection refused");
  }

  @Test
  void aNamespaceThatIsMissingOrAnotherOneIsGone() {
    fx.namespaceWorkload(H1, "/var/run/netns/a", "10.65.0.1", OLD);
    fx.namespaceWorkload(H1, "/var/run/netns/b", "10.65.0.2", OLD);
    fx.host.namespaces.remove("/var/run/netns/a");
    fx.host.namespaces.put("/var/run/netns/b", new NetNs.Identity(4, 1));
    List<Finding> fs = check();
    assertThat(kinds(fs)).containsExactly(FindingKind.WORKLOAD_GONE, FindingKind.WORKLOAD_GONE);
    assertThat(fs.get(0).evidence()).isEqualTo("netns path /var/run/netns/a is missing");
    assertThat(fs.get(1).evidence()).contains("now names namespace 4:1, not 4:");
    assertThat(fs.get(1).details()).containsEntry("netns", "/var/run/netns/b");
  }

  @Test
  void anEndpointWithoutItsLinkAndALinkWithoutEndpointAreFound() {
    WorkloadEndpoint ep = fx.namespaceWorkload(H1, "/var/run/netns/a", "10.65.0.1", OLD);
    fx.host.links.remove(ep.name());
    fx.host.links.put("cali0123456789a", 77);
    List<Finding> fs = check();
    assertThat(kinds(fs))
        .containsExactly(FindingKind.ENDPOINT_WITHOUT_LINK, FindingKind.LINK_WITHOUT_ENDPOINT);
    assertThat(fs.get(1).subject()).isEqualTo("cali0123456789a");
    assertThat(fs.get(1).evidence()).contains("index 77");
  }

  @Test
  void aMarkerWithoutEndpointIsFoundWithItsWriteTime() {
    fx.store.put(
        WorkloadMarker.key(H1, "namespace", "-x"),
        new WorkloadMarker(CheckFixture.newEndpointId(), fx.now().minus(OLD).toEpochMilli(), null)
            .toJson());
    List<Finding> fs = check();
    assertThat(kinds(fs)).containsExactly(FindingKind.MARKER_WITHOUT_ENDPOINT);
    assertThat(fs.get(0).subject()).isEqualTo("namespace/-x");
    assertThat(fs.get(0).age()).contains(OLD);
    assertThat(fs.get(0).ageSource()).isEqualTo(Finding.AgeSource.CREATED);
  }

  @Test
  void anEmptyAffineBlockIsFoundOnlyWhenItsHostHasNoMarkerForIt() {
    fx.allocate(H1, "namespace", "-x", "10.65.1.1", OLD);
    fx.ipam.release(List.of(ip("10.65.1.1")));
    assertThat(check()).as("an empty block its host knows is kept for the host").isEmpty();
    fx.store.delete(CalicoKeys.affinity(H1, Cidr.parse("10.65.1.0/26")));
    List<Finding> fs = check();
    assertThat(kinds(fs)).containsExactly(FindingKind.EMPTY_AFFINE_BLOCK);
    assertThat(fs.get(0).subject()).isEqualTo("10.65.1.0/26");
    assertThat(fs.get(0).evidence())
        .isEqualTo("block affine to h1 has no allocation, and h1 has no affinity marker for it");
  }

  @Test
  void handlesThatDisagreeWithTheBlocksAreFound() {
    fx.allocate(H1, "namespace", "-x", "10.65.0.1", OLD);
    fx.namespaceWorkload(H1, "/var/run/netns/a", "10.65.0.2", OLD);
    String handle = Owners.handleId(H1, "namespace", "-var-run-netns-a");
    fx.store.put(
        CalicoKeys.handle(handle), BlockJson.handle(handle, Map.of(Cidr.parse("10.65.0.0/26"), 3)));
    fx.store.delete(CalicoKeys.handle(Owners.handleId(H1, "namespace", "-x")));
    List<Finding> fs = check();
    assertThat(kinds(fs))
        .containsExactly(
            FindingKind.ALLOCATION_WITHOUT_ENDPOINT,
            FindingKind.HANDLE_MISMATCH,
            FindingKind.HANDLE_MISMATCH);
    assertThat(fs.get(1).subject()).isEqualTo("calicoj.h1.namespace.-var-run-netns-a");
    assertThat(fs.get(1).evidence())
        .isEqualTo("the handle counts {10.65.0.0/26=3}, but the blocks hold {10.65.0.0/26=1}");
    assertThat(fs.get(2).evidence()).startsWith("no handle key");
  }

  @Test
  void theScopeIsThisHostUnlessAllHostsAndTheDataplaneIsOnlyThisHosts() {
    fx.allocate(H2, "namespace", "-x", "10.65.0.70", OLD);
    fx.namespaceWorkload(H2, "/var/run/netns/b", "10.65.0.71", OLD); // no link or netns here
    fx.host.links.put("cali0123456789a", 5);
    assertThat(kinds(check())).containsExactly(FindingKind.LINK_WITHOUT_ENDPOINT);
    List<Finding> all =
        fx.checker().check(CheckOptions.builder().allHosts(true).build()).findings();
    assertThat(all)
        .extracting(f -> f.kind() + " " + f.host())
        .containsExactly("ALLOCATION_WITHOUT_ENDPOINT h2", "LINK_WITHOUT_ENDPOINT h1");
    List<Finding> noDataplane =
        fx.checker()
            .check(CheckOptions.builder().allHosts(true).dataplane(false).build())
            .findings();
    assertThat(kinds(noDataplane)).containsExactly(FindingKind.ALLOCATION_WITHOUT_ENDPOINT);
  }

  @Test
  void aWorkloadRemovedWhileTheCheckReadsIsNotReported() {
    WorkloadEndpoint ep = fx.namespaceWorkload(H1, "/var/run/netns/a", "10.65.0.1", OLD);
    fx.host.links.remove(ep.name()); // its remove deleted the link after committing
    Datastore racing =
        fx.racing(
            CalicoKeys.HOSTS, // the endpoint was read; now the workload is removed
            () -> {
              fx.endpoints.removeWorkload(H1, "namespace", ep.workloadId());
              fx.ipam.release(List.of(ip("10.65.0.1")));
            });
    assertThat(fx.checker(H1, racing).check(CheckOptions.DEFAULT).findings()).isEmpty();
  }

  @Test
  void aWorkloadAddedWhileTheCheckReadsIsNotReported() {
    WorkloadEndpoint[] added = new WorkloadEndpoint[1];
    Datastore racing =
        fx.racing(
            CalicoKeys.IPAM, // IPAM was read; now a workload is added before the endpoints are
            () -> added[0] = fx.namespaceWorkload(H1, "/var/run/netns/a", "10.65.0.1", OLD));
    assertThat(fx.checker(H1, racing).check(CheckOptions.DEFAULT).findings()).isEmpty();
    assertThat(added[0]).isNotNull();
  }

  @Test
  void anUnreadableEndpointsAddressesStillCountAsHeld() {
    fx.allocate(H1, "docker", C1, "10.65.0.1", OLD);
    Key odd = CalicoKeys.endpoint(H1, "docker", C1, "ep1");
    fx.store.put(
        odd, "{\"state\": \"weird\", \"ipv4_nets\": [\"10.65.0.1/32\"], \"name\": \"caliep1\"}");
    fx.store.put(WorkloadMarker.key(H1, "docker", C1), new WorkloadMarker("ep1", 1, null).toJson());
    CheckReport r = fx.checker().check(CheckOptions.builder().dataplane(false).build());
    assertThat(r.findings()).isEmpty();
    assertThat(r.notes()).singleElement().asString().contains(odd.path());
  }

  @Test
  void findingsOfOneAllocationInABlockAreIndependentOfTheOthers() {
    for (int i = 1; i <= 5; i++) {
      fx.allocate(H1, "namespace", "-w" + i, "10.65.0." + i, OLD);
    }
    AllocationBlock b =
        BlockJson.read(
            fx.store.get(CalicoKeys.block(Cidr.parse("10.65.0.0/26"))).orElseThrow().value());
    assertThat(b.allocatedAddresses()).hasSize(5);
    assertThat(check())
        .extracting(Finding::subject)
        .containsExactlyInAnyOrderElementsOf(
            Set.of("10.65.0.1", "10.65.0.2", "10.65.0.3", "10.65.0.4", "10.65.0.5"));
  }
}
