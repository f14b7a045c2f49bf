package io.github.calicoj.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The availability probe answers consistently. Needs no root: a netlink socket opens for anyone.
 */
class NetnsSupportTest {

  @Test
  void probeIsConsistent() {
    if (NetnsSupport.isAvailable()) {
      assertThat(NetnsSupport.unavailabilityCause()).isEmpty();
      NetnsSupport.ensureAvailable();
    } else {
      assertThat(NetnsSupport.unavailabilityCause()).isPresent();
      assertThatThrownBy(NetnsSupport::ensureAvailable)
          .isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("unavailable");
    }
  }

  @Test
  void availableOnLinux() {
    assertThat(NetnsSupport.isAvailable())
        .as("on Linux with libc: %s", NetnsSupport.unavailabilityCause())
        .isEqualTo(System.getProperty("os.name").startsWith("Linux"));
  }
}
