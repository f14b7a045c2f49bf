package io.github.calicoj.datastore.etcd;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import io.github.calicoj.datastore.Datastore;
import io.github.calicoj.datastore.etcd.internal.EtcdConfig;
import io.github.calicoj.datastore.etcd.internal.TlsMaterial;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The settings every etcd datastore takes, and the builder they share: endpoints, timeouts,
 * credentials, TLS files. {@link EtcdClientKind#builder()} gives the builder of a client chosen by
 * name; {@link #build()} makes the client. Not thread-safe.
 *
 * <pre>{@code
 * Datastore store = EtcdClientKind.parse("gateway").builder()
 *     .endpoints("https://10.0.0.1:2379")
 *     .trustedCa(Path.of("ca.crt"))
 *     .requestTimeout(Duration.ofSeconds(5))
 *     .build();
 * }</pre>
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class EtcdSettings<B extends EtcdSettings<B>> {
  private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(3);

  private final List<URI> endpoints = new ArrayList<>();
  private Duration requestTimeout = Duration.ofSeconds(5);
  private @Nullable Duration connectTimeout;
  private @Nullable String user;
  private @Nullable String password;
  private @Nullable Path trustedCa;
  private @Nullable Path clientCert;
  private @Nullable Path clientKey;

  /** For the clients' builders. */
  protected EtcdSettings() {}

  /** This builder. */
  protected abstract B self();

  /**
   * Builds the client. No connection is made yet; the first call connects.
   *
   * @throws IllegalStateException if no endpoint was given, or TLS files were given for {@code
   *     http://} endpoints
   * @throws IllegalArgumentException naming a TLS file that cannot be read or used
   */
  public abstract Datastore build();

  /**
   * Adds endpoints such as {@code http://127.0.0.1:2379} or {@code https://10.0.0.1:2379}, given
   * one by one or comma-separated. Each needs the scheme, a host and a port. Several endpoints are
   * balanced round-robin and a dead member is skipped.
   *
   * <p>{@code https} means TLS or a failure, never plain text: an {@code https} endpoint that
   * answers without TLS fails every call. All endpoints must use one scheme.
   *
   * @throws IllegalArgumentException naming the endpoint that lacks a scheme, host or port, or
   *     whose scheme differs from the endpoints before it
   */
  public B endpoints(String... endpoints) {
    for (String e : endpoints) {
      requireNonNull(e, "endpoint");
      for (String part : e.split(",", -1)) {
        add(parseEndpoint(part.trim()));
      }
    }
    return self();
  }

  /** Adds endpoints; see {@link #endpoints(String...)}. */
  public B endpoints(List<URI> endpoints) {
    for (URI e : endpoints) {
      add(parseEndpoint(requireNonNull(e, "endpoint").toString()));
    }
    return self();
  }

  private void add(URI endpoint) {
    if (!endpoints.isEmpty()) {
      URI first = endpoints.get(0);
      checkArgument(
          first.getScheme().equals(endpoint.getScheme()),
          "etcd endpoint %s uses %s, but %s uses %s: all endpoints must use one scheme",
          endpoint,
          endpoint.getScheme(),
          first,
          first.getScheme());
    }
    endpoints.add(endpoint);
  }

  /**
   * The bound on every call: a call that gets no answer in this time fails with {@link
   * io.github.calicoj.datastore.DatastoreTimeoutException}. Default 5 s.
   */
  public B requestTimeout(Duration timeout) {
    requireNonNull(timeout, "timeout");
    checkArgument(
        !timeout.isNegative() && !timeout.isZero(), "requestTimeout must be positive: %s", timeout);
    checkArgument(
        timeout.toMillis() <= Integer.MAX_VALUE, "requestTimeout is too large: %s", timeout);
    this.requestTimeout = timeout;
    return self();
  }

  /** The TCP connect timeout per attempt. Default: 3 s, or the request timeout if shorter. */
  public B connectTimeout(Duration timeout) {
    requireNonNull(timeout, "timeout");
    checkArgument(
        !timeout.isNegative() && !timeout.isZero(), "connectTimeout must be positive: %s", timeout);
    this.connectTimeout = timeout;
    return self();
  }

  /** Authenticates as {@code user} with {@code password} (etcd's user/role auth). */
  public B credentials(String user, String password) {
    requireNonNull(user, "user");
    requireNonNull(password, "password");
    checkArgument(!user.isEmpty(), "user must not be empty");
    this.user = user;
    this.password = password;
    return self();
  }

  /**
   * Trusts server certificates signed by the CA in this PEM file (for {@code https://}); without
   * it, the JDK's default trust store is used.
   *
   * @throws IllegalArgumentException naming the file if it is not a readable regular file of at
   *     most 1 MiB
   */
  public B trustedCa(Path caFile) {
    this.trustedCa = TlsMaterial.checkFile(caFile, "CA file");
    return self();
  }

  /**
   * Presents this client certificate (PEM) and PKCS#8 private key (PEM, {@code BEGIN PRIVATE KEY})
   * for mutual TLS.
   *
   * @throws IllegalArgumentException naming the file that is not a readable regular file of at most
   *     1 MiB
   */
  public B clientCertificate(Path certFile, Path keyFile) {
    this.clientCert = TlsMaterial.checkFile(certFile, "client certificate file");
    this.clientKey = TlsMaterial.checkFile(keyFile, "client key file");
    return self();
  }

  /**
   * Checks the settings, loads the TLS files for {@code https} endpoints and derives the connect
   * timeout: what the client is built from.
   *
   * @throws IllegalStateException if no endpoint was given, or TLS files were given for {@code
   *     http://} endpoints
   * @throws IllegalArgumentException naming a TLS file that cannot be read or parsed
   */
  protected final EtcdConfig config() {
    checkState(!endpoints.isEmpty(), "No etcd endpoint configured");
    boolean https = endpoints.get(0).getScheme().equals("https");
    checkState(
        https || (trustedCa == null && clientCert == null),
        "TLS files given but the endpoints are plain http: %s",
        endpoints);
    Duration connect = connectTimeout;
    if (connect == null) {
      connect =
          requestTimeout.compareTo(DEFAULT_CONNECT_TIMEOUT) < 0
              ? requestTimeout
              : DEFAULT_CONNECT_TIMEOUT;
    }
    return new EtcdConfig(
        endpoints,
        requestTimeout,
        connect,
        user,
        password,
        https ? TlsMaterial.load(trustedCa, clientCert, clientKey) : null);
  }

  private static URI parseEndpoint(String text) {
    URI uri;
    try {
      uri = URI.create(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Bad etcd endpoint: " + text, e);
    }
    checkArgument(
        "http".equals(uri.getScheme()) || "https".equals(uri.getScheme()),
        "etcd endpoint needs http:// or https://: %s",
        text);
    checkArgument(
        uri.getHost() != null && uri.getPort() > 0, "etcd endpoint needs host:port: %s", text);
    return uri;
  }
}
