package io.github.calicoj.datastore.etcd;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * calicoj's etcd clients, by name, for programs that let their user choose one (the CLI's {@code
 * CALICOJ_ETCD_CLIENT}) and for tests that run against each. Both take the same {@link
 * EtcdSettings} and pass the same contract tests.
 *
 * <pre>{@code
 * EtcdSettings<?> settings = EtcdClientKind.parse(System.getenv("CALICOJ_ETCD_CLIENT")).builder();
 * Datastore store = settings.endpoints("http://127.0.0.1:2379").build();
 * }</pre>
 */
public enum EtcdClientKind {
  /**
   * {@link EtcdGatewayDatastore}: etcd's JSON gateway over HTTP/1.1 on the JDK's sockets. Starts in
   * milliseconds; suits short-lived processes.
   */
  GATEWAY("gateway"),

  /**
   * {@code io.github.calicoj.datastore.jetcd.EtcdDatastore}: etcd's gRPC API through jetcd, in the
   * artifact {@code calico-datastore-jetcd}, which must be on the class path. About half a second
   * to start; lower latency per call; suits long-running processes with many watches.
   */
  JETCD("jetcd");

  /** The jetcd client's class, loaded by name: this artifact does not depend on jetcd. */
  private static final String JETCD_CLIENT = "io.github.calicoj.datastore.jetcd.EtcdDatastore";

  private final String id;

  EtcdClientKind(String id) {
    this.id = id;
  }

  /**
   * The client named {@code name}, ignoring case: {@code gateway} or {@code jetcd}.
   *
   * @throws IllegalArgumentException naming the value and the choices otherwise
   */
  public static EtcdClientKind parse(String name) {
    requireNonNull(name, "name");
    String wanted = name.trim().toLowerCase(Locale.ROOT);
    for (EtcdClientKind kind : values()) {
      if (kind.id.equals(wanted)) {
        return kind;
      }
    }
    throw new IllegalArgumentException(
        "Unknown etcd client '" + name + "': choose gateway or jetcd");
  }

  /** The name {@link #parse} takes: {@code gateway} or {@code jetcd}. */
  public String id() {
    return id;
  }

  /**
   * A new builder of this client.
   *
   * @throws IllegalStateException for {@link #JETCD} if {@code calico-datastore-jetcd} is not on
   *     the class path
   */
  public EtcdSettings<?> builder() {
    return switch (this) {
      case GATEWAY -> EtcdGatewayDatastore.builder();
      case JETCD -> jetcdBuilder();
    };
  }

  /** True if this client can be built here: always for the gateway, with its artifact for jetcd. */
  public boolean isAvailable() {
    if (this == GATEWAY) {
      return true;
    }
    try {
      Class.forName(JETCD_CLIENT, false, EtcdClientKind.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  private static EtcdSettings<?> jetcdBuilder() {
    Class<?> client;
    try {
      client = Class.forName(JETCD_CLIENT, true, EtcdClientKind.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(
          "The jetcd etcd client needs io.github.calicoj:calico-datastore-jetcd on the class path",
          e);
    }
    try {
      return (EtcdSettings<?>) client.getMethod("builder").invoke(null);
    } catch (ReflectiveOperationException | ClassCastException e) {
      throw new IllegalStateException("Cannot make a builder of " + JETCD_CLIENT, e);
    }
  }
}
