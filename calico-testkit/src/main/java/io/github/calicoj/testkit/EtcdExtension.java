package io.github.calicoj.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension that starts real etcd members before a test class and kills them by PID after
 * it: {@code @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.members(3);}.
 * Without the etcd binary the class is skipped, or fails in strict mode (see {@link Requirements}).
 */
public final class EtcdExtension implements BeforeAllCallback, AfterAllCallback {
  private final int size;
  private final boolean tls;
  private EtcdCluster cluster;
  private EtcdTls tlsFiles;

  private EtcdExtension(int size, boolean tls) {
    this.size = size;
    this.tls = tls;
  }

  /** One plain-http member. */
  public static EtcdExtension single() {
    return new EtcdExtension(1, false);
  }

  /** A cluster of {@code size} plain-http members. */
  public static EtcdExtension members(int size) {
    return new EtcdExtension(size, false);
  }

  /** One member that requires client certificates (mutual TLS). */
  public static EtcdExtension mutualTls() {
    return new EtcdExtension(1, true);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    Requirements.requireEtcd();
    if (tls) {
      tlsFiles = EtcdTls.create();
    }
    cluster = EtcdCluster.start(size, tlsFiles);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The running cluster. */
  public EtcdCluster cluster() {
    return cluster;
  }

  /** The TLS files, if this is a TLS extension. */
  public EtcdTls tls() {
    return tlsFiles;
  }

  /** The client URLs, comma-separated. */
  public String endpoints() {
    return cluster.endpoints();
  }
}
