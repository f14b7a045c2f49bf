package io.github.calicoj.netns.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.NetnsException;
import io.github.calicoj.netns.NetnsSupport;
import io.github.calicoj.netns.internal.msg.Requests;
import io.github.calicoj.testkit.IpOracle;
import io.github.calicoj.testkit.Requirements;
import io.github.calicoj.testkit.TestNamespace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Errors as the kernel reports them, below the public API's own validation: a 16-byte name (which
 * {@code InterfaceName} refuses earlier) reaches the kernel here and must come back as ERANGE.
 */
class KernelErrorsIT {

  @Test
  void aBatchRunsEveryPartAndReportsTheFirstRefusal() {
    Requirements.requireRoot();
    Requirements.require(NetnsSupport.isAvailable(), "netns support");
    try (TestNamespace t = TestNamespace.create();
        NetNs ns = NetNs.open(t.path());
        NetlinkSocket socket =
            NetlinkSocket.configure(
                Namespaces.socketIn(ns.fd(), t.name()), Duration.ofSeconds(5))) {
      t.ip("link", "add", "cjtbatch0", "type", "veth", "peer", "name", "cjtbatch1");
      assertThatThrownBy(
              () ->
                  socket.requestAll(
                      List.of(
                          new NetlinkSocket.Part(
                              "RTM_NEWLINK",
                              "cjtmissing0 up",
                              (buf, seq) -> Requests.setLinkUp(buf, seq, "cjtmissing0", true)),
                          new NetlinkSocket.Part(
                              "RTM_NEWLINK",
                              "cjtbatch0 group 7",
                              (buf, seq) -> Requests.setLinkGroup(buf, seq, "cjtbatch0", 7)),
                          new NetlinkSocket.Part(
                              "RTM_NEWLINK",
                              "cjtbatch0 up",
                              (buf, seq) -> Requests.setLinkUp(buf, seq, "cjtbatch0", true)))))
          .isInstanceOfSatisfying(
              NetnsException.class,
              e -> {
                assertThat(e.isNotFound()).isTrue();
                assertThat(e.subject()).isEqualTo("cjtmissing0 up");
              });
      JsonNode link = IpOracle.link(t.name(), "cjtbatch0").orElseThrow();
      assertThat(link.path("group").asText()).isEqualTo("7");
      assertThat(link.path("flags").toString()).contains("\"UP\"");
      // The socket is in step afterwards: the next request gets its own answer.
      assertThat(
              socket.request("RTM_GETLINK", "lo", (buf, seq) -> Requests.getLink(buf, seq, "lo")))
          .hasSize(1);
    }
  }

  @Test
  void manyPartsSpanSeveralDatagramsAndEachGetsItsOwnOutcome() {
    Requirements.requireRoot();
    Requirements.require(NetnsSupport.isAvailable(), "netns support");
    try (TestNamespace t = TestNamespace.create();
        NetNs ns = NetNs.open(t.path());
        NetlinkSocket socket =
            NetlinkSocket.configure(
                Namespaces.socketIn(ns.fd(), t.name()), Duration.ofSeconds(5))) {
      t.ip("link", "add", "cjtmany0", "type", "veth", "peer", "name", "cjtmany1");
      List<NetlinkSocket.Part> parts = new ArrayList<>();
      for (int i = 0; i < 300; i++) { // about 16 KiB of requests: several datagrams
        String name = i % 3 == 0 ? "cjtmissing" + i : "cjtmany0";
        int group = i + 1;
        parts.add(
            new NetlinkSocket.Part(
                "RTM_NEWLINK",
                name + " group " + group,
                (buf, seq) -> Requests.setLinkGroup(buf, seq, name, group)));
      }
      NetnsException[] outcomes = socket.requestEach(parts);
      assertThat(outcomes).hasSize(300);
      for (int i = 0; i < 300; i++) {
        if (i % 3 == 0) {
          assertThat(outcomes[i]).as("part %s", i).isNotNull();
          assertThat(outcomes[i].isNotFound()).isTrue();
          assertThat(outcomes[i].subject()).isEqualTo("cjtmissing" + i + " group " + (i + 1));
        } else {
          assertThat(outcomes[i]).as("part %s", i).isNull();
        }
      }
      // Applied in order: the last one that named the link wins.
      assertThat(IpOracle.link(t.name(), "cjtmany0").orElseThrow().path("group").asText())
          .isEqualTo("300");
    }
  }

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
