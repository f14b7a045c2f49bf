package io.github.calicoj.datastore.etcd;

import io.github.calicoj.datastore.Datastore;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * etcd datastores for tests, built one way, so that a test says only what it cares about.
 * calico-datastore's test-jar carries this class for the other modules' tests.
 *
 * <p>Tests that do not choose a client get {@link #defaultKind()}: jetcd, or the one named by the
 * system property {@value #KIND_PROPERTY} ({@code gateway} or {@code jetcd}), so a whole suite can
 * be run against either client.
 */
public final class EtcdTestClients {
  /** The system property that picks the default client. */
  public static final String KIND_PROPERTY = "calicoj.test.etcd.client";

  /**
   * The request timeout of tests that do not test timeouts: generous, for a loaded 2-core machine
   * that also runs the etcd members.
   */
  public static final Duration TIMEOUT = Duration.ofSeconds(10);

  private EtcdTestClients() {}

  /** The client tests use unless they choose: jetcd, or {@value #KIND_PROPERTY}. */
  public static EtcdClientKind defaultKind() {
    return EtcdClientKind.parse(System.getProperty(KIND_PROPERTY, "jetcd"));
  }

  /** The default client on {@code endpoints} with {@link #TIMEOUT}. */
  public static Datastore connect(String endpoints) {
    return connect(defaultKind(), endpoints);
  }

  /** Client {@code kind} on {@code endpoints} with {@link #TIMEOUT}. */
  public static Datastore connect(EtcdClientKind kind, String endpoints) {
    return build(kind, b -> b.endpoints(endpoints));
  }

  /**
   * Client {@code kind} with {@link #TIMEOUT} and whatever else {@code settings} sets (which may
   * set another timeout).
   */
  public static Datastore build(EtcdClientKind kind, Consumer<EtcdSettings<?>> settings) {
    EtcdSettings<?> b = kind.builder().requestTimeout(TIMEOUT);
    settings.accept(b);
    return b.build();
  }
}
