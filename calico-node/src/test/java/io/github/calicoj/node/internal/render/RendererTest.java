package io.github.calicoj.node.internal.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.calicoj.datastore.Key;
import io.github.calicoj.node.internal.Kvs;
import io.github.calicoj.node.internal.decode.SnapshotDecoder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A renderer fed snapshot after snapshot gives what a fresh one gives, reusing unchanged chains.
 */
class RendererTest {
  private static final String FW_A = "po_P"; // A's profile list, [P], is P's chains

  @Test
  void reusesUnchangedChainsAndEqualsAFreshRender() {
    SnapshotDecoder d = new SnapshotDecoder("h1", Map.of());
    Kvs.spec6().entries().forEach(kv -> d.put(kv.key(), kv.value()));
    Renderer r = new Renderer();
    DesiredState first = r.render(d.snapshot());
    assertThat(first).isEqualTo(DesiredState.of(d.snapshot()));

    List<String[]> changes =
        List.of(
            new String[] {"/calico/v1/policy/profile/Q/tags", "[\"Q\", \"P\"]"},
            new String[] {
              "/calico/v1/policy/profile/Q/rules", "{\"inbound_rules\": [{\"action\": \"deny\"}]}"
            },
            new String[] {Kvs.endpointKey("h1", Kvs.B), null},
            new String[] {"/calico/v1/policy/profile/Q/rules", null},
            new String[] {"/calico/v1/config/IptablesMarkMask", "0xff00"},
            new String[] {"/calico/v1/config/InterfacePrefix", "cali,tap"});
    DesiredState prev = first;
    for (String[] c : changes) {
      if (c[1] == null) {
        d.delete(Key.of(c[0]));
      } else {
        d.put(Key.of(c[0]), c[1]);
      }
      DesiredState next = r.render(d.snapshot());
      assertThat(next).as(c[0]).isEqualTo(DesiredState.of(d.snapshot()));
      boolean markChanged = c[0].endsWith("IptablesMarkMask");
      boolean prefixChanged = c[0].endsWith("InterfacePrefix"); // endpoints are decoded again
      if (!markChanged && !prefixChanged) {
        assertThat(next.table().chains().get(FW_A))
            .as(c[0])
            .isSameAs(prev.table().chains().get(FW_A));
      }
      prev = next;
    }
    // A mark change re-renders every chain that sets or clears the accept bit with the new one.
    assertThat(prev.table().chains().get(FW_A).rules().get(0).expr())
        .contains("\"|\"")
        .contains(",256]");
    assertThat(prev.table().chains().get("to_wl").rules().get(0).expr())
        .contains("4294967039"); // ~0x100
  }
}
