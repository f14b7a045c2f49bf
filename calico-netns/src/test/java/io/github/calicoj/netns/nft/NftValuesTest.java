package io.github.calicoj.netns.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link NftFamily} and {@link NftTable}: round trips and validation. No root. */
class NftValuesTest {

  @Test
  void familiesRoundTripTheirKeywords() {
    for (NftFamily f : NftFamily.values()) {
      assertThat(NftFamily.of(f.keyword())).isSameAs(f);
      assertThat(f.toString()).isEqualTo(f.keyword());
    }
    assertThat(NftFamily.INET.keyword()).isEqualTo("inet");
    assertThat(NftFamily.IP6.keyword()).isEqualTo("ip6");
    assertThatThrownBy(() -> NftFamily.of("INET"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unknown nftables family: INET");
  }

  @Test
  void tablesRoundTripThroughToString() {
    NftTable t = NftTable.inet("calico");
    assertThat(t.toString()).isEqualTo("inet calico");
    assertThat(NftTable.parse(t.toString())).isEqualTo(t);
    NftTable b = new NftTable(NftFamily.BRIDGE, "cjt_b");
    assertThat(NftTable.parse(b.toString())).isEqualTo(b);
  }

  @Test
  void tablesRejectBadInput() {
    assertThatThrownBy(() -> NftTable.inet("a b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Bad nftables table name")
        .hasMessageContaining("\"a b\"");
    assertThatThrownBy(() -> NftTable.parse("calico")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> NftTable.parse("inet a b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> NftTable.parse("ipx calico"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new NftTable(null, "x")).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> NftTable.inet(null)).isInstanceOf(NullPointerException.class);
  }
}
