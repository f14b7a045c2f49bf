package io.github.calicoj.datastore.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.calicoj.datastore.AuthenticationFailedException;
import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.Key;
import io.github.calicoj.datastore.PermissionDeniedException;
import io.github.calicoj.testkit.EtcdCluster;
import io.github.calicoj.testkit.EtcdExtension;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** etcd user/role auth: a user that may read and write only under /calico/. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
public abstract class EtcdAuthCases {
  /** The client these cases run against. */
  protected abstract EtcdClientKind kind();

  private static final Duration TIMEOUT = Duration.ofSeconds(3);

  @RegisterExtension protected static final EtcdExtension ETCD = EtcdExtension.single();

  @BeforeAll
  public static void enableAuth() {
    EtcdCluster c = ETCD.cluster();
    c.etcdctl("user", "add", "root:rootpw");
    c.etcdctl("auth", "enable");
    String root = "--user=root:rootpw";
    c.etcdctl(root, "role", "add", "calico-rw");
    c.etcdctl(
        root, "role", "grant-permission", "calico-rw", "--prefix=true", "readwrite", "/calico/");
    c.etcdctl(root, "user", "add", "calico:calicopw");
    c.etcdctl(root, "user", "grant-role", "calico", "calico-rw");
  }

  private static Datastore as(EtcdClientKind client, String user, String password) {
    return EtcdTestClients.build(
        client,
        b -> {
          b.endpoints(ETCD.endpoints()).requestTimeout(TIMEOUT);
          if (user != null) {
            b.credentials(user, password);
          }
        });
  }

  @Test
  public void rightUserReadsAndWritesItsPrefix() {
    EtcdClientKind client = kind();
    try (Datastore store = as(client, "calico", "calicopw")) {
      Key k = Key.of("/calico/v1/host/h1/config/marker");
      store.put(k, "ok");
      assertThat(store.get(k).orElseThrow().value()).isEqualTo("ok");
      assertThat(
              ETCD.cluster()
                  .etcdctl("--user=root:rootpw", "get", k.path(), "--print-value-only")
                  .trim())
          .isEqualTo("ok");
    }
  }

  @Test
  public void wrongPasswordIsAnAuthenticationError() {
    EtcdClientKind client = kind();
    try (Datastore store = as(client, "calico", "wrong")) {
      assertThatThrownBy(() -> store.get(Key.of("/calico/v1/x")))
          .isInstanceOf(AuthenticationFailedException.class);
    }
  }

  @Test
  public void missingCredentialsAreAnAuthenticationError() {
    EtcdClientKind client = kind();
    try (Datastore store = as(client, null, null)) {
      assertThatThrownBy(() -> store.put(Key.of("/calico/v1/x"), "1"))
          .isInstanceOf(AuthenticationFailedException.class);
    }
  }

  @Test
  public void keyOutsideTheRolePrefixIsAPermissionError() {
    EtcdClientKind client = kind();
    try (Datastore store = as(client, "calico", "calicopw")) {
      assertThatThrownBy(() -> store.put(Key.of("/other/x"), "1"))
          .isInstanceOfSatisfying(
              PermissionDeniedException.class,
              e -> assertThat(e.key()).contains(Key.of("/other/x")));
      assertThatThrownBy(() -> store.get(Key.of("/other/x")))
          .isInstanceOf(PermissionDeniedException.class);
    }
  }

  @Test
  public void anExpiredTokenIsRenewed() throws Exception {
    EtcdClientKind client = kind();
    // Simple tokens expire after --auth-token-ttl seconds without use.
    try (EtcdCluster c = EtcdCluster.startSingleWith("--auth-token-ttl=1")) {
      c.etcdctl("user", "add", "root:rootpw");
      c.etcdctl("auth", "enable");
      try (Datastore store =
          EtcdTestClients.build(
              client,
              b ->
                  b.endpoints(c.endpoints())
                      .requestTimeout(TIMEOUT)
                      .credentials("root", "rootpw"))) {
        Key k = Key.of("/calico/v1/ttl");
        store.put(k, "1");
        Thread.sleep(3000); // the token is now expired
        store.put(k, "2");
        assertThat(store.get(k).orElseThrow().value()).isEqualTo("2");
        assertThat(c.etcdctl("--user=root:rootpw", "get", k.path(), "--print-value-only").trim())
            .isEqualTo("2");
      }
    }
  }
}
