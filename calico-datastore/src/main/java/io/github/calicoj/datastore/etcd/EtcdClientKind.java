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
   * {@link EtcdDatastore}: etcd's gRPC API through jetcd. About half a second to start; lower
   * latency per call; suits long-running processes with many watches.
   */
  JETCD("jetcd");

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

  /** A new builder of this client. */
  public EtcdSettings<?> builder() {
    return switch (this) {
      case GATEWAY -> EtcdGatewayDatastore.builder();
      case JETCD -> EtcdDatastore.builder();
    };
  }
}
