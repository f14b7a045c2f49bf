package io.github.calicoj.datastore.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.DatastoreException;
import io.github.calicoj.datastore.DatastoreUnavailableException;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.KeyValue;
import io.github.calicoj.datastore.Lease;
import io.github.calicoj.datastore.WatchEvent;
import io.github.calicoj.testkit.EtcdCluster;
import io.github.calicoj.testkit.EtcdExtension;
import io.github.calicoj.testkit.SocketFds;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * After {@code close()} no socket of the client stays open, in every mode: plain, mutual TLS, with
 * credentials, with a watch or a lease still open, and after a member it used died. Checked against
 * this JVM's own socket descriptors ({@code /proc/self/fd}), before the client was built and after
 * it was closed.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
public abstract class EtcdCloseCases {
  /** The client these cases run against. */
  protected abstract EtcdClientKind kind();

  private static final Duration TIMEOUT = Duration.ofSeconds(3);

  /** jetcd closes its channel asynchronously; give it this long. */
  private static final Duration PATIENCE = Duration.ofSeconds(5);

  @RegisterExtension protected static final EtcdExtension PLAIN = EtcdExtension.single();
  @RegisterExtension protected static final EtcdExtension TLS = EtcdExtension.mutualTls();

  /**
   * Builds a client with {@code settings}, uses it with {@code work}, closes it, checks fds. The
   * client must hold a connection before the close, or the test would prove nothing.
   */
  private static void leavesNoSocket(
      EtcdClientKind client, Consumer<EtcdSettings<?>> settings, Consumer<Datastore> work) {
    Set<String> before = SocketFds.open();
    Datastore store =
        EtcdTestClients.build(client, b -> settings.accept(b.requestTimeout(TIMEOUT)));
    work.accept(store);
    assertThat(SocketFds.open()).as("the client had connections open").isNotEqualTo(before);
    store.close();
    assertThat(SocketFds.leftOver(before, PATIENCE)).as("sockets left after close").isEmpty();
  }

  /**
   * As {@link #leavesNoSocket}, for work whose last call must fail with a datastore error; the
   * client may have dropped its connection already.
   */
  private static void leavesNoSocketAfterFailure(
      EtcdClientKind client, Consumer<EtcdSettings<?>> settings, Consumer<Datastore> work) {
    Set<String> before = SocketFds.open();
    Datastore store =
        EtcdTestClients.build(client, b -> settings.accept(b.requestTimeout(TIMEOUT)));
    assertThatThrownBy(() -> work.accept(store)).isInstanceOf(DatastoreException.class);
    store.close();
    assertThat(SocketFds.leftOver(before, PATIENCE)).as("sockets left after close").isEmpty();
  }

  private static void readAndWrite(Datastore store, String name) {
    Key k = Key.of("/calicoj-test/close/" + name);
    KeyValue kv = store.put(k, "1");
    assertThat(store.get(k)).contains(kv);
    assertThat(store.list(k).entries()).containsExactly(kv);
  }

  @Test
  public void plain() {
    EtcdClientKind client = kind();
    leavesNoSocket(client, b -> b.endpoints(PLAIN.endpoints()), s -> readAndWrite(s, "plain"));
  }

  @Test
  public void mutualTls() {
    EtcdClientKind client = kind();
    leavesNoSocket(
        client,
        b ->
            b.endpoints(TLS.endpoints())
                .trustedCa(TLS.tls().caCert())
                .clientCertificate(TLS.tls().clientCert(), TLS.tls().clientKey()),
        s -> readAndWrite(s, "tls"));
  }

  @Test
  public void withCredentials() {
    EtcdClientKind client = kind();
    try (EtcdCluster auth = EtcdCluster.startSingle()) {
      auth.etcdctl("user", "add", "root:rootpw");
      auth.etcdctl("auth", "enable");
      leavesNoSocket(
          client,
          b -> b.endpoints(auth.endpoints()).credentials("root", "rootpw"),
          s -> readAndWrite(s, "auth"));
    }
  }

  @Test
  public void withAWatchStillOpen() {
    EtcdClientKind client = kind();
    leavesNoSocket(
        client,
        b -> b.endpoints(PLAIN.endpoints()),
        s -> {
          Key k = Key.of("/calicoj-test/close/watched-" + client);
          KeyValue first = s.put(k, "1");
          BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
          s.watch(k, first.revision(), events::add); // left open: close() must end it
          KeyValue second = s.put(k, "2");
          try {
            assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo(new WatchEvent.Put(second));
          } catch (InterruptedException e) {
            throw new AssertionError(e);
          }
        });
  }

  @Test
  public void withALeaseStillOpen() {
    EtcdClientKind client = kind();
    Key k = Key.of("/calicoj-test/close/leased-" + client);
    leavesNoSocket(
        client,
        b -> b.endpoints(PLAIN.endpoints()),
        s -> {
          Lease lease = s.grantLease(Duration.ofSeconds(2)); // left open: close() revokes it
          s.put(k, "1", lease);
          try {
            Thread.sleep(1500); // a few renewals
          } catch (InterruptedException e) {
            throw new AssertionError(e);
          }
        });
    assertThat(PLAIN.cluster().value(k.path())).as("revoked by close").isEmpty();
  }

  @Test
  public void afterAWrongPassword() {
    EtcdClientKind client = kind();
    try (EtcdCluster auth = EtcdCluster.startSingle()) {
      auth.etcdctl("user", "add", "root:rootpw");
      auth.etcdctl("auth", "enable");
      leavesNoSocketAfterFailure(
          client,
          b -> b.endpoints(auth.endpoints()).credentials("root", "wrong"),
          s -> s.get(Key.of("/calicoj-test/close/denied")));
    }
  }

  @Test
  public void afterARefusedTlsHandshake() {
    EtcdClientKind client = kind();
    leavesNoSocketAfterFailure(
        client,
        b -> b.endpoints(TLS.endpoints()).trustedCa(TLS.tls().caCert()), // no client certificate
        s -> s.put(Key.of("/calicoj-test/close/nocert"), "1"));
  }

  @Test
  public void afterHttpsToAPlainMember() {
    EtcdClientKind client = kind();
    leavesNoSocketAfterFailure(
        client,
        b -> b.endpoints(PLAIN.endpoints().replace("http://", "https://")),
        s -> s.get(Key.of("/calicoj-test/close/cleartext")));
  }

  @Test
  public void afterAStalledMember() {
    EtcdClientKind client = kind();
    try (EtcdCluster stalled = EtcdCluster.startSingle()) {
      EtcdCluster.Member m = stalled.members().get(0);
      leavesNoSocketAfterFailure(
          client,
          b -> b.endpoints(stalled.endpoints()),
          s -> {
            readAndWrite(s, "stalled-" + client);
            stalled.pause(m);
            s.get(Key.of("/calicoj-test/close/stalled"));
          });
      stalled.resume(m);
    }
  }

  @Test
  public void afterAMemberDied() {
    EtcdClientKind client = kind();
    try (EtcdCluster cluster = EtcdCluster.start(3, null)) {
      leavesNoSocket(
          client,
          b -> b.endpoints(cluster.endpoints()),
          s -> {
            readAndWrite(s, "before-" + client);
            cluster.kill(cluster.members().get(0)); // the gateway client's first choice
            Key k = Key.of("/calicoj-test/close/after-" + client);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
              try {
                s.put(k, "1"); // a write whose outcome was unknown is simply repeated
                break;
              } catch (DatastoreUnavailableException e) {
                assertThat(System.nanoTime() - deadline).as("writable again").isNegative();
              }
            }
            assertThat(s.get(k)).isPresent();
          });
    }
  }
}
