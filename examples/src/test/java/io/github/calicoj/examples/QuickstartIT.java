package io.github.calicoj.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.datastore.jetcd.EtcdDatastore;
import io.github.calicoj.datastore.memory.InMemoryDatastore;
import io.github.calicoj.netns.NetnsSupport;
import io.github.calicoj.testkit.EtcdExtension;
import io.github.calicoj.testkit.Requirements;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The README's main command, in-process: on the embedded datastore, and with {@code
 * --etcd-endpoints} on a real etcd member, which is then read back to show that nothing is left.
 */
class QuickstartIT {
  @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.single();

  @Test
  void quickstartPingsAndLeavesNothing() throws Exception {
    Requirements.requireRoot();
    Requirements.require(NetnsSupport.isAvailable(), "netns support");
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    boolean ok;
    try (InMemoryDatastore store = InMemoryDatastore.create();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      ok = Quickstart.run(store, out);
    }
    String text = buf.toString(StandardCharsets.UTF_8);
    assertThat(ok).as(text).isTrue();
    assertThat(text)
        .contains("reply received")
        .contains("left behind: nothing")
        .contains("| quickstart-")
        .contains("10.66.0.10/32");
  }

  @Test
  void quickstartOnEtcdLeavesNoKeyOfItsOwn() throws Exception {
    Requirements.requireRoot();
    Requirements.require(NetnsSupport.isAvailable(), "netns support");
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    boolean ok;
    try (EtcdDatastore store =
            EtcdDatastore.builder()
                .endpoints(ETCD.endpoints())
                .requestTimeout(Duration.ofSeconds(10))
                .build();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      ok = Quickstart.run(store, out);
    }
    String text = buf.toString(StandardCharsets.UTF_8);
    assertThat(ok).as(text).isTrue();
    assertThat(text).contains("datastore: EtcdDatastore").contains("reply received");
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
