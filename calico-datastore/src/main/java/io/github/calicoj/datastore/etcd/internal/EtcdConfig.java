package io.github.calicoj.datastore.etcd.internal;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An etcd client's settings once checked: what {@code EtcdSettings} hands the client it builds.
 * Immutable; {@link #toString()} leaves the password out.
 */
public final class EtcdConfig {
  private final List<URI> endpoints;
  private final Duration requestTimeout;
  private final Duration connectTimeout;
  private final @Nullable String user;
  private final @Nullable String password;
  private final @Nullable TlsMaterial tls;

  /**
   * @param endpoints at least one, all of one scheme
   * @param tls the TLS material, exactly when the endpoints are {@code https}
   */
  public EtcdConfig(
      List<URI> endpoints,
      Duration requestTimeout,
      Duration connectTimeout,
      @Nullable String user,
      @Nullable String password,
      @Nullable TlsMaterial tls) {
    this.endpoints = List.copyOf(endpoints);
    this.requestTimeout = requestTimeout;
    this.connectTimeout = connectTimeout;
    this.user = user;
    this.password = password;
    this.tls = tls;
  }

  /** The endpoints, in the order given. */
  public List<URI> endpoints() {
    return endpoints;
  }

  /** The bound on every call. */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  /** The bound on one TCP connect. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** The user to authenticate as, or null for none. */
  public @Nullable String user() {
    return user;
  }

  /** The user's password, or null without a user. */
  public @Nullable String password() {
    return password;
  }

  /** The TLS material for {@code https} endpoints, or null for {@code http}. */
  public @Nullable TlsMaterial tls() {
    return tls;
  }

  /** The endpoints for messages: {@code "etcd http://a:2379,http://b:2379"}. */
  public String where() {
    return "etcd " + String.join(",", endpoints.stream().map(URI::toString).toList());
  }

  @Override
  public String toString() {
    return where()
        + ", requestTimeout="
        + requestTimeout
        + ", connectTimeout="
        + connectTimeout
        + (user == null ? "" : ", user=" + user)
        + (tls == null ? "" : ", TLS");
  }
}
