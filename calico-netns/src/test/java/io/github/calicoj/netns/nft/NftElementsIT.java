package io.github.calicoj.netns.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.net.InetAddresses;
import io.github.calicoj.netns.NetNs;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Nftables#applyElements}: element batches sent as raw nf_tables netlink, as root, in test
 * namespaces ({@code cjt-…}) with tables named {@code cjt_…}; every result is read back with {@code
 * nft -j list set} inside the namespace.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class NftElementsIT extends NftFixture.PerTest {
  private Nftables nft;

  @BeforeEach
  void openWithSets() {
    try (NetNs n = NetNs.open(ns.path())) {
      nft = Nftables.open(n);
    }
    nft.run(NftFixture.skeleton(table));
    nft.run(
        NftFixture.document(
            "{\"add\": {\"set\": {\"family\": \"inet\", \"table\": \"%s\", \"name\": \"t6_web\","
                    .formatted(table.name())
                + " \"type\": \"ipv6_addr\"}}}"));
  }

  @AfterEach
  void closeHandle() {
    if (nft != null) {
      nft.close();
    }
  }

  private static List<InetAddress> ips(String... s) {
    List<InetAddress> out = new ArrayList<>();
    for (String a : s) {
      out.add(InetAddresses.forString(a));
    }
    return out;
  }

  /** The oracle: {@code nft -j list set inet TABLE SET}, its elements as text. */
  private TreeSet<String> listed(String set) {
    JsonNode out = NftOracle.nftJson(ns.name(), "list", "set", "inet", table.name(), set);
    TreeSet<String> elements = new TreeSet<>();
    for (JsonNode o : out.path("nftables")) {
      o.path("set").path("elem").forEach(e -> elements.add(e.asText()));
    }
    return elements;
  }

  private NftElements.Builder batch() {
    return NftElements.builder(table);
  }

  @Test
  void addsAndDeletesIpv4AndIpv6ElementsInOneTransaction() {
    nft.applyElements(
        batch().add("t4_web", ips("10.65.0.7", "10.65.0.8")).add("t6_web", ips("fd00::7")).build());
    assertThat(listed("t4_web")).containsExactly("10.65.0.7", "10.65.0.8");
    assertThat(listed("t6_web")).containsExactly("fd00::7");

    nft.applyElements(
        batch()
            .delete("t4_web", ips("10.65.0.7"))
            .add("t4_web", ips("10.65.0.9"))
            .delete("t6_web", ips("fd00::7"))
            .build());
    assertThat(listed("t4_web")).containsExactly("10.65.0.8", "10.65.0.9");
    assertThat(listed("t6_web")).isEmpty();

    // libnftables, run after the raw batches, sees their result.
    nft.run(NftFixture.document(NftFixture.element("delete", table, "t4_web", "10.65.0.9")));
    assertThat(listed("t4_web")).containsExactly("10.65.0.8");
  }

  @Test
  void addOfAPresentElementIsNoErrorCreateFailsTheWholeBatch() {
    nft.applyElements(batch().add("t4_web", ips("10.65.0.7")).build());
    nft.applyElements(batch().add("t4_web", ips("10.65.0.7")).build()); // NLM_F_CREATE only
    assertThat(listed("t4_web")).containsExactly("10.65.0.7");

    assertThatThrownBy(
            () ->
                nft.applyElements(
                    batch()
                        .add("t4_web", ips("10.65.0.1"))
                        .create("t4_web", ips("10.65.0.2", "10.65.0.7"))
                        .build()))
        .isInstanceOfSatisfying(
            NftablesException.class,
            e -> {
              assertThat(e.isAlreadyExists()).isTrue();
              assertThat(e.errnoName()).isEqualTo("EEXIST");
              assertThat(e.command())
                  .isEqualTo("create element " + table + " t4_web { 10.65.0.7 }");
              assertThat(e.getMessage()).contains("EEXIST").contains("10.65.0.7");
              assertThat(e.isOutcomeUnknown()).isFalse();
            });
    assertThat(listed("t4_web")).containsExactly("10.65.0.7"); // neither .1 nor .2
  }

  @Test
  void deletingAnAbsentElementFailsTheWholeBatchNamingIt() {
    nft.applyElements(batch().add("t4_web", ips("10.65.0.7")).build());
    assertThatThrownBy(
            () ->
                nft.applyElements(
                    batch()
                        .add("t4_web", ips("10.65.0.1"))
                        .delete("t4_web", ips("10.65.0.7", "10.65.0.99"))
                        .build()))
        .isInstanceOfSatisfying(
            NftablesException.class,
            e -> {
              assertThat(e.isNotFound()).isTrue();
              assertThat(e.command())
                  .isEqualTo("delete element " + table + " t4_web { 10.65.0.99 }");
              assertThat(e.errorText())
                  .startsWith("Error: No such file or directory: delete element");
            });
    assertThat(listed("t4_web")).containsExactly("10.65.0.7");
  }

  @Test
  void aMissingSetOrTableIsNotFoundAndNamed() {
    assertThatThrownBy(
            () ->
                nft.applyElements(
                    batch()
                        .add("t4_web", ips("10.65.0.1"))
                        .add("t4_nosuch", ips("10.65.0.2"))
                        .build()))
        .isInstanceOfSatisfying(
            NftablesException.class,
            e -> {
              assertThat(e.isNotFound()).isTrue();
              assertThat(e.command()).contains("t4_nosuch");
            });
    assertThat(listed("t4_web")).isEmpty();

    NftTable missing = NftFixture.randomTable();
    assertThatThrownBy(
            () ->
                nft.applyElements(
                    NftElements.builder(missing).add("t4_web", ips("10.65.0.1")).build()))
        .isInstanceOfSatisfying(
            NftablesException.class,
            e -> {
              assertThat(e.isNotFound()).isTrue();
              assertThat(e.command()).contains(missing.name());
            });
  }

  @Test
  void anAddressOfTheOtherFamilyIsRefused() {
    assertThatThrownBy(() -> nft.applyElements(batch().add("t4_web", ips("fd00::1")).build()))
        .isInstanceOfSatisfying(
            NftablesException.class,
            e -> {
              assertThat(e.errnoName()).isEqualTo("EINVAL");
              assertThat(e.command()).contains("t4_web").contains("fd00::1");
            });
    assertThat(listed("t4_web")).isEmpty();
  }

  @Test
  void batchesLargerThanOneDatagramGoThroughLibnftablesWithTheSameResult() {
    List<InetAddress> many = new ArrayList<>();
    for (int i = 0; i < 5000; i++) { // 80 KB of elements: more than the raw path's 64 KiB
      many.add(InetAddresses.forString("10.66." + (i / 250) + "." + (i % 250)));
    }
    nft.applyElements(batch().add("t4_web", many).build());
    assertThat(listed("t4_web")).hasSize(5000).contains("10.66.0.0", "10.66.19.249");

    // 3,000 deletions fit in one raw batch of three messages.
    nft.applyElements(batch().delete("t4_web", many.subList(0, 3000)).build());
    TreeSet<String> left = listed("t4_web");
    assertThat(left).hasSize(2000).contains("10.66.12.0").doesNotContain("10.66.11.249");
  }

  @Test
  void aClosedHandleRefuses() {
    nft.close();
    assertThatThrownBy(() -> nft.applyElements(batch().add("t4_web", ips("10.65.0.1")).build()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }
}
