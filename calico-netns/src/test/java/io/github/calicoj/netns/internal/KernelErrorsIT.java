package io.github.calicoj.netns.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.NetnsException;
import io.github.calicoj.netns.NetnsSupport;
import io.github.calicoj.netns.internal.msg.Requests;
import io.github.calicoj.testkit.Requirements;
import io.github.calicoj.testkit.TestNamespace;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Errors as the kernel reports them, below the public API's own validation: a 16-byte name (which
 * {@code InterfaceName} refuses earlier) reaches the kernel here and must come back as ERANGE.
 */
class KernelErrorsIT {

  @Test
  void tooLongNameIsErangeFromTheKernel() {
    Requirements.requireRoot();
    Requirements.require(NetnsSupport.isAvailable(), "netns support");
    try (TestNamespace t = TestNamespace.create();
        NetNs ns = NetNs.open(t.path());
        NetlinkSocket socket =
            NetlinkSocket.configure(
                Namespaces.socketIn(ns.fd(), t.name()), Duration.ofSeconds(5))) {
      String name = "cjt0123456789abc"; // 16 bytes
      assertThatThrownBy(
              () ->
                  socket.request(
                      "RTM_NEWLINK",
                      name,
                      (buf, seq) ->
                          Requests.newVeth(buf, seq, name, "eth1", ns.fd(), null, 0, 0, true)))
          .isInstanceOfSatisfying(
              NetnsException.class,
              e -> {
                assertThat(e.errno()).isEqualTo(NetnsException.ERANGE);
                assertThat(e.isOutOfRange()).isTrue();
                assertThat(e.errnoName()).isEqualTo("ERANGE");
              });
    }
  }
}
