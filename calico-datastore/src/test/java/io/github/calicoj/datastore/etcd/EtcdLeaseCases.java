package io.github.calicoj.datastore.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.Lease;
import io.github.calicoj.datastore.LeaseExpiredException;
import io.github.calicoj.testkit.EtcdCluster;
import io.github.calicoj.testkit.EtcdExtension;
import io.github.calicoj.testkit.TcpProxy;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Leases against real etcd, beyond the contract suite: a lease outlives the loss of the leader and
 * of the member its writer used; a lease that expired while its writer was cut off is reported lost
 * once the writer gets through again; a writer whose process is killed takes its key with it after
 * the TTL. Every key's presence is read back with etcdctl.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
public abstract class EtcdLeaseCases {
  /** The client these cases run against. */
  protected abstract EtcdClientKind kind();

  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  private static final long TTL_SECONDS = 3;

  /** How long etcd may take beyond a TTL to expire a lease (it checks twice a second). */
  private static final Duration EXPIRY_SLACK = Duration.ofSeconds(8);

  @RegisterExtension protected static final EtcdExtension ETCD = EtcdExtension.single();

  @Test
  public void aLeaseOutlivesTheLossOfTheLeaderAndOfTheMemberItsWriterUsed() throws Exception {
    EtcdClientKind client = kind();
    try (EtcdCluster cluster = EtcdCluster.start(3, null)) {
      EtcdCluster.Member leader = cluster.leader();
      List<EtcdCluster.Member> members = cluster.members();
      // The writer's first endpoint is the leader, which the gateway client uses first.
      StringBuilder endpoints = new StringBuilder(cluster.clientUrl(leader));
      for (EtcdCluster.Member m : members) {
        if (m != leader) {
          endpoints.append(',').append(cluster.clientUrl(m));
        }
      }
      EtcdCluster.Member survivor = members.get(members.get(0) == leader ? 1 : 0);
      Key k = Key.of("/calicoj-test/lease/failover-" + client);
      BlockingQueue<Lease> lost = new LinkedBlockingQueue<>();
      try (Datastore store =
              EtcdTestClients.build(
                  client, b -> b.endpoints(endpoints.toString()).requestTimeout(TIMEOUT));
          Lease lease = store.grantLease(Duration.ofSeconds(TTL_SECONDS), lost::add)) {
        store.put(k, "alive", lease);
        cluster.kill(leader);
        Thread.sleep(TimeUnit.SECONDS.toMillis(3 * TTL_SECONDS));
        assertThat(cluster.etcdctl(survivor, "get", "--print-value-only", k.path()).trim())
            .isEqualTo("alive");
        assertThat(lease.isActive()).isTrue();
        assertThat(lost).isEmpty();
      }
      assertThat(cluster.etcdctl(survivor, "get", "--print-value-only", k.path()).trim())
          .as("closed: revoked")
          .isEmpty();
    }
  }

  @Test
  public void aLeaseThatExpiredWhileItsWriterWasCutOffIsReportedLost() throws Exception {
    EtcdClientKind client = kind();
    int port = URI.create(ETCD.endpoints()).getPort();
    Key k = Key.of("/calicoj-test/lease/partition-" + client);
    BlockingQueue<Lease> lost = new LinkedBlockingQueue<>();
    try (TcpProxy proxy = TcpProxy.to(port);
        Datastore store =
            EtcdTestClients.build(
                client,
                b ->
                    b.endpoints("http://127.0.0.1:" + proxy.port())
                        .requestTimeout(EtcdTestClients.TIMEOUT))) {
      // The generous timeout is for the first call on a loaded machine (jetcd connects then);
      // what is tested here is the lease's loss, not the call's bound.
      Lease lease = store.grantLease(Duration.ofSeconds(TTL_SECONDS), lost::add);
      store.put(k, "alive", lease);
      proxy.cut(); // etcd stays up; only this writer is cut off
      long deadline =
          System.nanoTime() + Duration.ofSeconds(TTL_SECONDS).plus(EXPIRY_SLACK).toNanos();
      while (!ETCD.cluster().value(k.path()).isEmpty()) {
        assertThat(System.nanoTime() - deadline).as("expired by etcd").isNegative();
        Thread.sleep(200);
      }
      assertThat(lease.isActive()).as("the writer cannot know yet").isTrue();
      proxy.restore();
      assertThat(lost.poll(TTL_SECONDS + 10, TimeUnit.SECONDS)).isSameAs(lease);
      assertThat(lease.isActive()).isFalse();
      assertThatThrownBy(() -> store.put(k, "again", lease))
          .isInstanceOf(LeaseExpiredException.class);
      // The way back: a new lease, and the key written again.
      try (Lease fresh = store.grantLease(Duration.ofSeconds(TTL_SECONDS))) {
        store.put(k, "again", fresh);
        assertThat(ETCD.cluster().value(k.path())).isEqualTo("again");
      }
    }
  }

  @Test
  public void aKilledWritersKeyExpiresAfterTheTtl() throws Exception {
    EtcdClientKind client = kind();
    Key k = Key.of("/calicoj-test/lease/killed-" + client);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process writer =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                LeaseWriterMain.class.getName(),
                client.name(),
                ETCD.endpoints(),
                k.path(),
                Long.toString(TTL_SECONDS))
            .redirectErrorStream(true)
            .start();
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null && !line.equals("written")) {
        // skip the writer's log lines
      }
      assertThat(line).as("the writer wrote its key").isEqualTo("written");
      Thread.sleep(TimeUnit.SECONDS.toMillis(2 * TTL_SECONDS));
      assertThat(ETCD.cluster().value(k.path())).as("kept alive by the writer").isEqualTo("alive");
      writer.destroyForcibly(); // SIGKILL: no revoke
      assertThat(writer.waitFor(10, TimeUnit.SECONDS)).isTrue();
      long killed = System.nanoTime();
      long deadline = killed + Duration.ofSeconds(TTL_SECONDS).plus(EXPIRY_SLACK).toNanos();
      while (!ETCD.cluster().value(k.path()).isEmpty()) {
        assertThat(System.nanoTime() - deadline).as("expired after the writer died").isNegative();
        Thread.sleep(200);
      }
      System.out.printf(
          "%s: key gone %d ms after its writer was killed (TTL %d s)%n",
          client, (System.nanoTime() - killed) / 1_000_000, TTL_SECONDS);
    } finally {
      writer.destroyForcibly();
    }
  }
}
