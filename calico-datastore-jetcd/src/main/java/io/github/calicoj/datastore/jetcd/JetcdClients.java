package io.github.calicoj.datastore.jetcd;

import static java.util.Objects.requireNonNull;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.github.calicoj.datastore.etcd.internal.EtcdConfig;
import io.github.calicoj.datastore.etcd.internal.TlsMaterial;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import java.net.URI;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * The jetcd {@link Client} for our settings: its bounds, retries, keep-alive, TLS and credentials.
 */
final class JetcdClients {
  private JetcdClients() {}

  /**
   * A jetcd client for {@code config}. No connection is made yet.
   *
   * @throws IllegalArgumentException naming the TLS files if Netty's TLS refuses them
   */
  static Client open(EtcdConfig config) {
    Duration requestTimeout = config.requestTimeout();
    ClientBuilder cb =
        Client.builder()
            .endpoints(config.endpoints().toArray(new URI[0]))
            .connectTimeout(config.connectTimeout())
            // jetcd re-sends reads (never writes) that fail with UNAVAILABLE, such as "leader
            // changed" during an election: quickly, and for as long as the call may last, rather
            // than its default of two attempts half a second apart.
            .retryDelay(50)
            .retryMaxDelay(500)
            .retryMaxAttempts(Integer.MAX_VALUE)
            .retryMaxDuration(requestTimeout)
            .keepaliveTime(Duration.ofSeconds(10))
            .keepaliveTimeout(Duration.ofSeconds(5))
            .interceptor(new DeadlineInterceptor(requestTimeout));
    String user = config.user();
    if (user != null) {
      cb.user(JetcdCodec.bytes(user)).password(JetcdCodec.bytes(requireNonNull(config.password())));
    }
    TlsMaterial tls = config.tls();
    if (tls != null) {
      // Always for https, with or without files: jetcd talks plain text unless given a context.
      try {
        cb.sslContext(
            ssl -> {
              if (!tls.trusted().isEmpty()) {
                ssl.trustManager(tls.trusted().toArray(new X509Certificate[0]));
              }
              PrivateKey key = tls.key();
              if (key != null) {
                ssl.keyManager(key, tls.chain().toArray(new X509Certificate[0]));
              }
            });
      } catch (SSLException | RuntimeException e) {
        throw tls.unusable(e);
      }
    }
    return cb.build();
  }

  /**
   * Gives every unary call a deadline (jetcd sets none, so an unreachable etcd or a failed TLS
   * handshake would make a call wait forever); streaming calls (watch) must live on.
   */
  private static final class DeadlineInterceptor implements ClientInterceptor {
    private final long timeoutNanos;

    DeadlineInterceptor(Duration timeout) {
      this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
        MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
      CallOptions options = callOptions;
      if (method.getType() == MethodDescriptor.MethodType.UNARY && options.getDeadline() == null) {
        options = options.withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS);
      }
      return next.newCall(method, options);
    }
  }
}
