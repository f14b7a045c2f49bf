package io.github.calicoj.core.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import io.github.calicoj.core.check.CheckOptions;
import io.github.calicoj.core.check.CheckReport;
import io.github.calicoj.core.check.Finding;
import io.github.calicoj.core.check.FindingKind;
import io.github.calicoj.core.check.Repair;
import io.github.calicoj.core.codec.CalicoKeys;
import io.github.calicoj.core.model.Cidr;
import io.github.calicoj.core.model.IpPool;
import io.github.calicoj.core.model.WorkloadEndpoint;
import io.github.calicoj.core.repository.WorkloadEndpoints;
import io.github.calicoj.datastore.etcd.EtcdDatastore;
import io.github.calicoj.netns.NetnsSupport;
import io.github.calicoj.testkit.Docker;
import io.github.calicoj.testkit.EtcdExtension;
import io.github.calicoj.testkit.IpOracle;
import io.github.calicoj.testkit.Requirements;
import io.github.calicoj.testkit.TestNamespace;
import java.net.Inet4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code ipam check} with real Docker containers: one {@code docker rm -f}ed without {@code
 * container remove} is found gone (from one container list) and repaired; a stopped one, whose link
 * went with its namespace, is left alone for its restart. Checked against etcd and {@code ip -j}.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DockerIpamCheckIT {
  private static final String HOST = "cjt-docker-check";
  private static final String NEXT_HOP = "172.31.254.1";

  @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.single();

  private EtcdDatastore store;
  private TestNamespace hostNs;
  private CalicoClient calico;
  private final List<String> containers = new ArrayList<>();

  @BeforeEach
  void setUp() {
    Requirements.requireRoot();
    Requirements.require(NetnsSupport.isAvailable(), "netns support");
    Docker.requireDaemon();
    store = ClientFixture.freshStore(ETCD);
    hostNs = ClientFixture.hostNamespace(NEXT_HOP);
    calico = CalicoClient.builder(store, HOST).hostNamespace(hostNs.path()).build();
    calico.configureNode(NodeConfig.ipv4((Inet4Address) InetAddresses.forString(NEXT_HOP)));
    calico.ipPools().add(IpPool.of(Cidr.parse("10.131.0.0/16")));
  }

  @AfterEach
  void tearDown() {
    containers.forEach(Docker::remove);
    if (calico != null) {
      calico.close();
    }
    if (hostNs != null) {
      hostNs.close();
    }
    if (store != null) {
      store.close();
    }
  }

  private String container() {
    String name = Docker.newName();
    containers.add(name);
    Docker.runSleeping(name, "none");
    return name;
  }

  @Test
  void aContainerRemovedWithoutCalicoIsGoneAndAStoppedOneIsNot() {
    String removed = container();
    String stopped = container();
    String running = container();
    WorkloadEndpoint epRemoved = calico.addContainer(removed, "ipv4");
    WorkloadEndpoint epStopped = calico.addContainer(stopped, "ipv4");
    WorkloadEndpoint epRunning = calico.addContainer(running, "ipv4");
    Docker.docker("rm", "-f", removed);
    Docker.docker("stop", "-t", "1", stopped);
    assertThat(IpOracle.linkNames(hostNs.name(), "cali"))
        .as("the stopped container's link went with its namespace")
        .containsExactly(epRunning.name());

    CheckReport checked = calico.checkIpam(CheckOptions.DEFAULT);
    assertThat(checked.findings())
        .extracting(Finding::kind)
        .containsExactly(FindingKind.WORKLOAD_GONE);
    Finding gone = checked.findings().get(0);
    assertThat(gone.subject()).isEqualTo("docker/" + epRemoved.workloadId());
    assertThat(gone.evidence())
        .isEqualTo(
            "container "
                + epRemoved.workloadId().substring(0, 12)
                + " does not exist (not in the Docker daemon's list)");
    assertThat(gone.details()).containsEntry("container", epRemoved.workloadId());

    CheckReport repaired =
        calico.checkIpam(CheckOptions.builder().repair(true).grace(Duration.ZERO).build());
    assertThat(repaired.repairs())
        .extracting(Repair::outcome)
        .containsExactly(Repair.Outcome.REPAIRED);
    String ipRemoved = InetAddresses.toAddrString(epRemoved.nets().get(0).address());
    assertThat(repaired.repairs().get(0).action()).contains("freed " + ipRemoved);
    // etcd: the removed container's endpoint, marker, allocation and handle are gone
    assertThat(ETCD.cluster().keys("/calico/v1/host/" + HOST + "/workload/"))
        .containsExactlyInAnyOrder(
            WorkloadEndpoints.keyOf(epStopped).path(), WorkloadEndpoints.keyOf(epRunning).path());
    assertThat(
            ETCD.cluster()
                .value(CalicoKeys.workloadMarker(HOST, "docker", epRemoved.workloadId()).path()))
        .isEmpty();
    assertThat(ETCD.cluster().keys("/calico/ipam/v2/handle/"))
        .containsExactlyInAnyOrder(
            CalicoKeys.handle(Owners.handleId(HOST, "docker", epStopped.workloadId())).path(),
            CalicoKeys.handle(Owners.handleId(HOST, "docker", epRunning.workloadId())).path());
    assertThat(ClientFixture.allocated(store))
        .extracting(InetAddresses::toAddrString)
        .doesNotContain(ipRemoved)
        .hasSize(2);
    assertThat(calico.checkIpam(CheckOptions.DEFAULT).findings()).isEmpty();
  }
}
