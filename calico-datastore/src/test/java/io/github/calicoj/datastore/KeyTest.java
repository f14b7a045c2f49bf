package io.github.calicoj.datastore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KeyTest {

  @Test
  void validKeysRoundTrip() {
    Key k = Key.of("/calico/v1/host/h1/workload/docker/abc/endpoint/0123");
    assertThat(k.toString()).isEqualTo(k.path());
    assertThat(Key.of(k.toString())).isEqualTo(k);
  }

  @Test
  void childJoinsWithOneSlash() {
    assertThat(Key.of("/a").child("b")).isEqualTo(Key.of("/a/b"));
    assertThat(Key.of("/a/").child("b")).isEqualTo(Key.of("/a/b"));
  }

  @Test
  void badKeysNameTheBadValue() {
    assertThatThrownBy(() -> Key.of("relative"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("relative");
    assertThatThrownBy(() -> Key.of("/a\u0000b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("control character");
    assertThatThrownBy(() -> Key.of("/" + "x".repeat(Key.MAX_BYTES)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void orderIsUtf8ByteOrderLikeEtcd() {
    // U+FFFD (EF BF BD) sorts before U+1F600 (F0 9F 98 80) in UTF-8, though not in UTF-16.
    Key bmp = Key.of("/\uFFFD");
    Key astral = Key.of("/\uD83D\uDE00");
    assertThat(bmp.compareTo(astral)).isNegative();
    assertThat(Key.of("/a").compareTo(Key.of("/a/b"))).isNegative();
    assertThat(Key.of("/b").compareTo(Key.of("/a/b"))).isPositive();
  }

  @Test
  void revisionMustBePositive() {
    assertThatThrownBy(() -> Revision.of(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0");
  }
}
