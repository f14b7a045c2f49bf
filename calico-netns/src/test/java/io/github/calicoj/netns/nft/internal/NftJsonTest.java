package io.github.calicoj.netns.nft.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.calicoj.netns.nft.NftFamily;
import io.github.calicoj.netns.nft.NftTable;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The documents calicoj writes itself, byte for byte, and the input checks. No root. */
class NftJsonTest {
  private static final NftTable T = NftTable.inet("calico");

  @Test
  void goldenDocuments() {
    assertThat(NftJson.listRuleset())
        .isEqualTo("{\"nftables\": [{\"list\": {\"ruleset\": null}}]}");
    assertThat(NftJson.list("table", new NftTable(NftFamily.IP6, "cjt_a"), null))
        .isEqualTo(
            "{\"nftables\": [{\"list\": {\"table\": {\"family\": \"ip6\", \"name\": \"cjt_a\"}}}]}");
    assertThat(NftJson.list("set", T, "t4_web"))
        .isEqualTo(
            "{\"nftables\": [{\"list\": {\"set\": {\"family\": \"inet\", \"table\": \"calico\","
                + " \"name\": \"t4_web\"}}}]}");
    assertThat(NftJson.list("chain", T, "fw_cali12"))
        .isEqualTo(
            "{\"nftables\": [{\"list\": {\"chain\": {\"family\": \"inet\", \"table\": \"calico\","
                + " \"name\": \"fw_cali12\"}}}]}");
    assertThat(NftJson.deleteTableIfExists(T))
        .isEqualTo(
            "{\"nftables\": [{\"add\": {\"table\": {\"family\": \"inet\", \"name\": \"calico\"}}},"
                + " {\"delete\": {\"table\": {\"family\": \"inet\", \"name\": \"calico\"}}}]}");
    assertThat(NftJson.document(List.of(" {\"add\": {\"a\": 1}}\n", "{\"delete\": {}}")))
        .isEqualTo("{\"nftables\": [{\"add\": {\"a\": 1}}, {\"delete\": {}}]}");
    assertThat(NftJson.document(List.of())).isEqualTo("{\"nftables\": []}");
    assertThat(NftJson.replaceTable(T, List.of("{\"add\": {\"chain\": {}}}")))
        .isEqualTo(
            "{\"nftables\": [{\"add\": {\"table\": {\"family\": \"inet\", \"name\": \"calico\"}}},"
                + " {\"delete\": {\"table\": {\"family\": \"inet\", \"name\": \"calico\"}}},"
                + " {\"add\": {\"table\": {\"family\": \"inet\", \"name\": \"calico\"}}},"
                + " {\"add\": {\"chain\": {}}}]}");
  }

  @Test
  void documentRefusesWhatIsNotAnObject() {
    assertThatThrownBy(() -> NftJson.document(List.of("{\"add\": {}}", "[1]")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("commands[1] is not a JSON object: [1]");
    assertThatThrownBy(() -> NftJson.document(List.of("add table inet x")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void documentBytesAreUtf8WithOneTrailingNul() {
    byte[] b = NftJson.documentBytes("{\"x\": \"é\"}");
    assertThat(b[b.length - 1]).isZero();
    assertThat(new String(Arrays.copyOf(b, b.length - 1), UTF_8)).isEqualTo("{\"x\": \"é\"}");
    assertThat(NftJson.documentBytes("  \n{}")).hasSize(6); // sent as given, plus the NUL
  }

  @Test
  void documentBytesRefuseTextThatLibnftablesWouldRunAsNftLanguage() {
    assertThatThrownBy(() -> NftJson.documentBytes("flush ruleset"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Not a libnftables JSON document")
        .hasMessageContaining("flush ruleset");
    assertThatThrownBy(() -> NftJson.documentBytes("   "))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> NftJson.documentBytes("{}\0flush ruleset"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NUL");
  }

  @Test
  void namesArePlainIdentifiers() {
    assertThat(NftJson.checkName("set", "t4_web-1.x")).isEqualTo("t4_web-1.x");
    assertThat(NftJson.checkName("set", "_" + "a".repeat(254))).hasSize(255);
    for (String bad :
        List.of("", "1abc", "a b", "a\"b", "a\\b", "a;b", "a/b", "_" + "a".repeat(255))) {
      assertThatThrownBy(() -> NftJson.checkName("chain", bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Bad nftables chain name");
    }
    assertThatThrownBy(() -> NftJson.list("rule", T, "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
