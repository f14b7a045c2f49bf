package io.github.calicoj.datastore.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.DatastoreUnavailableException;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.WatchEvent;
import io.github.calicoj.datastore.WatchHandle;
import io.github.calicoj.testkit.EtcdCluster;
import io.github.calicoj.testkit.EtcdExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Mutual TLS against an etcd that requires client certificates, with a CA made by openssl. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
public abstract class EtcdTlsCases {
  /** The client these cases run against. */
  protected abstract EtcdClientKind kind();

  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  @RegisterExtension protected static final EtcdExtension ETCD = EtcdExtension.mutualTls();

  @Test
  public void clientWithCertificateReadsWritesAndWatches() throws Exception {
    EtcdClientKind client = kind();
    try (Datastore store =
        EtcdTestClients.build(
            client,
            b ->
                b.endpoints(ETCD.endpoints())
                    .trustedCa(ETCD.tls().caCert())
                    .clientCertificate(ETCD.tls().clientCert(), ETCD.tls().clientKey())
                    .requestTimeout(
                        EtcdTestClients.TIMEOUT))) { // the success path: no bound tested
      Key k = Key.of("/calicoj-test/tls/" + client + "/k");
      KeyValue written = store.put(k, "secure");
      BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
      try (WatchHandle watch = store.watch(k, written.revision(), events::add)) {
        KeyValue second = store.update(k, "secure2", written.revision());
        assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo(new WatchEvent.Put(second));
        assertThat(watch.isActive()).isTrue();
      }
      assertThat(ETCD.cluster().etcdctl("get", k.path(), "--print-value-only").trim())
          .isEqualTo("secure2");
    }
  }

  @Test
  public void clientWithoutCertificateFailsWithinTheTimeout() {
    EtcdClientKind client = kind();
    try (Datastore store =
        EtcdTestClients.build(
            client,
            b ->
                b.endpoints(ETCD.endpoints())
                    .trustedCa(ETCD.tls().caCert())
                    .requestTimeout(TIMEOUT))) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> store.put(Key.of("/calicoj-test/tls/nocert"), "x"))
          .isInstanceOfSatisfying(
              DatastoreUnavailableException.class,
              e -> {
                // jetcd cannot tell a refused handshake from a lost reply; the gateway client
                // can (TLS 1.2 fails in the handshake, before the request is sent), so there
                // the outcome is known only when the refusal came before the write.
                if (client == EtcdClientKind.JETCD) {
                  assertThat(e.outcomeUnknown()).isTrue();
                }
                assertThat(e).hasMessageContaining(ETCD.endpoints());
              });
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT.plusMillis(1500));
    }
  }

  @Test
  public void plainHttpToTheTlsPortFailsWithinTheTimeout() {
    EtcdClientKind client = kind();
    String http = ETCD.endpoints().replace("https://", "http://");
    try (Datastore store =
        EtcdTestClients.build(client, b -> b.endpoints(http).requestTimeout(TIMEOUT))) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> store.get(Key.of("/calicoj-test/tls/plain")))
          .isInstanceOfSatisfying(
              DatastoreUnavailableException.class, e -> assertThat(e.outcomeUnknown()).isFalse());
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT.plusMillis(1500));
    }
  }

  @Test
  public void httpsToAPlainMemberFailsInsteadOfTalkingPlainText() {
    EtcdClientKind client = kind();
    // https means TLS or a failure: jetcd used to send plain text to an https endpoint when no
    // TLS file was given, and the write succeeded.
    try (EtcdCluster plain = EtcdCluster.startSingle();
        Datastore store =
            EtcdTestClients.build(
                client,
                b ->
                    b.endpoints(plain.endpoints().replace("http://", "https://"))
                        .requestTimeout(TIMEOUT))) {
      Key k = Key.of("/calicoj-test/tls/" + client + "/cleartext");
      long start = System.nanoTime();
      assertThatThrownBy(() -> store.put(k, "must not be written"))
          .isInstanceOfSatisfying(
              DatastoreUnavailableException.class,
              e -> assertThat(e).hasMessageContaining("https://127.0.0.1:"));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT.plusMillis(1500));
      assertThatThrownBy(() -> store.get(k)).isInstanceOf(DatastoreUnavailableException.class);
      assertThat(plain.value(k.path())).as("nothing reached etcd").isEmpty();
    }
  }

  @Test
  public void unreadableTlsFilesAreRejectedAtBuildNamingTheFile() {
    Path missing = Path.of("/nonexistent/ca.crt");
    assertThatThrownBy(() -> kind().builder().trustedCa(missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(missing.toString());
  }
}
