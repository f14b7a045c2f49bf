package io.github.calicoj.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.etcd.EtcdClientKind;
import io.github.calicoj.datastore.etcd.EtcdTestClients;
import io.github.calicoj.datastore.memory.InMemoryDatastore;
import io.github.calicoj.netns.NetnsSupport;
import io.github.calicoj.netns.nft.NftablesSupport;
import io.github.calicoj.testkit.EtcdExtension;
import io.github.calicoj.testkit.Requirements;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The README's main command, in-process with the node agent: on the embedded datastore, and with
 * {@code --etcd-endpoints} on a real etcd member, which is then read back to show that nothing is
 * left. The quickstart itself checks, with netlink and libnftables, that the agent's table and
 * routes are gone at the end.
 */
class QuickstartIT {
  @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.single();

  @Test
  void quickstartPingsAndLeavesNothing() throws Exception {
    Requirements.requireRoot();
    Requirements.require(NetnsSupport.isAvailable(), "netns support");
    Requirements.require(
        NftablesSupport.isAvailable(), "libnftables (apt-get install libnftables1)");
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    boolean ok;
    try (InMemoryDatastore store = InMemoryDatastore.create();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      ok = Quickstart.run(store, out);
    }
    String text = buf.toString(StandardCharsets.UTF_8);
    assertThat(ok).as(text).isTrue();
    assertThat(text)
        .contains("6. ping B from A (both in quickstart): reply received")
        .contains("7. ping A from C (other): dropped")
        .contains("8. appended quickstart to C; ping A from C: reply received")
        .contains("left behind: nothing")
        .contains("quickstart OK")
        .contains("| quickstart-")
        .contains("10.66.0.10/32");
  }

  @Test
  void quickstartOnEtcdLeavesNoKeyOfItsOwn() throws Exception {
    Requirements.requireRoot();
    Requirements.require(NetnsSupport.isAvailable(), "netns support");
    Requirements.require(
        NftablesSupport.isAvailable(), "libnftables (apt-get install libnftables1)");
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    boolean ok;
    // jetcd, as the quickstart's own main uses; the output names the client.
    try (Datastore store = EtcdTestClients.connect(EtcdClientKind.JETCD, ETCD.endpoints());
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      ok = Quickstart.run(store, out);
    }
    String text = buf.toString(StandardCharsets.UTF_8);
    assertThat(ok).as(text).isTrue();
    assertThat(text)
        .contains("datastore: EtcdDatastore")
        .contains("7. ping A from C (other): dropped")
        .contains("quickstart OK");
    String keys = ETCD.cluster().etcdctl("get", "--prefix", "--keys-only", "/");
    assertThat(keys)
        .as("keys left in etcd")
        .doesNotContain("quickstart-")
        .doesNotContain("/calicoj/")
        .doesNotContain("10.66.")
        .doesNotContain("/calico/v1/policy/profile/quickstart");
    // The global config the node step ensures stays, as `calicoctl node` leaves it.
    assertThat(keys).contains("/calico/v1/Ready");
  }
}
