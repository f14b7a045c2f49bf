package io.github.calicoj.netns.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.calicoj.netns.NetNs;
import io.github.calicoj.netns.NetnsSupport;
import io.github.calicoj.testkit.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The availability probe. Needs no root: loading the library and a netfilter socket need none. */
class NftablesSupportTest {

  @Test
  void probeIsConsistent() {
    if (NftablesSupport.isAvailable()) {
      assertThat(NftablesSupport.unavailabilityCause()).isEmpty();
      NftablesSupport.ensureAvailable();
    } else {
      assertThat(NftablesSupport.unavailabilityCause()).isPresent();
      assertThatThrownBy(NftablesSupport::ensureAvailable)
          .isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("unavailable");
    }
  }

  @Test
  void availableWhereTheLibraryIsInstalled() {
    boolean installed =
        NetnsSupport.isAvailable()
            && List.of(
                    "/usr/lib/x86_64-linux-gnu",
                    "/usr/lib/aarch64-linux-gnu",
                    "/usr/lib64",
                    "/usr/lib")
                .stream()
                .anyMatch(d -> Files.exists(Path.of(d, "libnftables.so.1")));
    Requirements.require(installed, "libnftables.so.1 (apt-get install libnftables1)");
    assertThat(NftablesSupport.isAvailable())
        .as("cause: %s", NftablesSupport.unavailabilityCause())
        .isTrue();
  }

  @Test
  void aMissingLibraryNamesTheDebianPackage() {
    Throwable cause = NftablesSupport.probe(List.of("libcjt-no-such-nftables.so.1"));
    assertThat(cause)
        .isInstanceOf(UnsatisfiedLinkError.class)
        .hasMessageContaining("libcjt-no-such-nftables.so.1")
        .hasMessageContaining("install the Debian package libnftables1");
    assertThat(cause.getSuppressed()).hasSize(1);
    assertThat(NftablesSupport.unavailable(cause))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageStartingWith(
            "nftables through libnftables is unavailable: cannot load libnftables")
        .hasMessageContaining("apt-get install libnftables1")
        .hasCause(cause);
  }

  @Test
  void openRefusesAClosedNamespaceBeforeStartingAThread() {
    Requirements.require(
        NftablesSupport.isAvailable(), "libnftables (apt-get install libnftables1)");
    NetNs ns = NetNs.current();
    ns.close();
    assertThatThrownBy(() -> Nftables.open(ns))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().startsWith("calicoj-nft-"));
  }
}
