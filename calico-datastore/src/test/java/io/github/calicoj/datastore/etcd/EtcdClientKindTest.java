package io.github.calicoj.datastore.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Choosing an etcd client by name, in this artifact alone: the gateway client is here; the jetcd
 * client is not (calico-datastore does not depend on jetcd), which must be a clear error.
 */
class EtcdClientKindTest {

  @Test
  void namesParseIgnoringCaseAndSpaces() {
    assertThat(EtcdClientKind.parse("gateway")).isEqualTo(EtcdClientKind.GATEWAY);
    assertThat(EtcdClientKind.parse(" JetCD ")).isEqualTo(EtcdClientKind.JETCD);
    assertThat(EtcdClientKind.JETCD.id()).isEqualTo("jetcd");
  }

  @Test
  void anUnknownNameIsRefusedNamingItAndTheChoices() {
    assertThatThrownBy(() -> EtcdClientKind.parse("bogus"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'bogus'")
        .hasMessageContaining("gateway")
        .hasMessageContaining("jetcd");
  }

  @Test
  void theGatewayBuilderIsTheGatewayClients() {
    assertThat(EtcdClientKind.GATEWAY.isAvailable()).isTrue();
    assertThat(EtcdClientKind.GATEWAY.builder().endpoints("http://127.0.0.1:2379").build())
        .isInstanceOf(EtcdGatewayDatastore.class);
  }

  @Test
  void withoutItsArtifactTheJetcdClientIsAClearError() {
    assertThat(EtcdClientKind.JETCD.isAvailable()).isFalse();
    assertThatThrownBy(EtcdClientKind.JETCD::builder)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("calico-datastore-jetcd");
  }
}
