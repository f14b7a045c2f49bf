package io.github.calicoj.examples.cli;

import io.github.calicoj.core.WireFormat;
import io.github.calicoj.datastore.etcd.EtcdSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The CLI's settings from its environment and global options, each checked: a bad value is refused
 * with a message naming the variable and the value, never replaced by a default. An empty variable
 * counts as unset. Immutable.
 *
 * @param endpoints {@code --etcd-endpoints}, else {@code ETCD_ENDPOINTS}, else {@code
 *     ETCD_SCHEME://ETCD_AUTHORITY}, else {@code http://127.0.0.1:2379}
 * @param timeout {@code CALICO_ETCD_TIMEOUT}: the bound on each etcd request (default 5 s)
 * @param caCert {@code ETCD_CA_CERT_FILE}
 * @param clientCert {@code ETCD_CERT_FILE} (given together with the key, or neither is)
 * @param clientKey {@code ETCD_KEY_FILE}
 * @param user {@code ETCD_USERNAME}
 * @param password {@code ETCD_PASSWORD}
 * @param wireFormat {@code CALICO_DATA_ERA}: {@code A} (default) or {@code B}
 * @param jetcd {@code CALICOJ_ETCD_CLIENT}: {@code gateway} (default, false) or {@code jetcd}
 * @param hostNetns {@code --host-netns}, else {@code CALICO_HOST_NETNS}
 * @param dockerHost {@code DOCKER_HOST}
 */
record Settings(
    String endpoints,
    Duration timeout,
    @Nullable Path caCert,
    @Nullable Path clientCert,
    @Nullable Path clientKey,
    @Nullable String user,
    String password,
    WireFormat wireFormat,
    boolean jetcd,
    @Nullable Path hostNetns,
    @Nullable String dockerHost) {

  /** The default of {@code CALICO_ETCD_TIMEOUT}. */
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  /** The longest {@code CALICO_ETCD_TIMEOUT} accepted, in milliseconds: one hour. */
  private static final long MAX_TIMEOUT_MS = 3_600_000;

  /**
   * Reads and checks the settings.
   *
   * @param hostNetnsOption {@code --host-netns}, if given
   * @param endpointsOption {@code --etcd-endpoints}, if given
   * @throws CliException naming the variable and its value if one is refused
   */
  static Settings from(
      Map<String, String> env, @Nullable Path hostNetnsOption, @Nullable String endpointsOption) {
    String cert = get(env, "ETCD_CERT_FILE");
    String key = get(env, "ETCD_KEY_FILE");
    if ((cert == null) != (key == null)) {
      throw new CliException(
          (cert == null
                  ? "ETCD_KEY_FILE is set but ETCD_CERT_FILE is not"
                  : "ETCD_CERT_FILE is set" + " but ETCD_KEY_FILE is not")
              + ": set both or neither.");
    }
    String ca = get(env, "ETCD_CA_CERT_FILE");
    String netns = get(env, "CALICO_HOST_NETNS");
    String user = get(env, "ETCD_USERNAME");
    String password = env.get("ETCD_PASSWORD");
    return new Settings(
        endpointsOption != null ? endpointsOption : endpoints(env),
        timeout(get(env, "CALICO_ETCD_TIMEOUT")),
        ca == null ? null : Path.of(ca),
        cert == null ? null : Path.of(cert),
        key == null ? null : Path.of(key),
        user,
        password == null ? "" : password,
        oneOf(env, "CALICO_DATA_ERA", "A", "B").equals("B") ? WireFormat.ERA_B : WireFormat.ERA_A,
        oneOf(env, "CALICOJ_ETCD_CLIENT", "gateway", "jetcd").equals("jetcd"),
        hostNetnsOption != null ? hostNetnsOption : netns == null ? null : Path.of(netns),
        get(env, "DOCKER_HOST"));
  }

  /** Gives an etcd client builder these settings: endpoints, timeout, TLS files, credentials. */
  void applyTo(EtcdSettings<?> b) {
    b.endpoints(endpoints).requestTimeout(timeout);
    if (caCert != null) {
      b.trustedCa(caCert);
    }
    if (clientCert != null && clientKey != null) {
      b.clientCertificate(clientCert, clientKey);
    }
    if (user != null) {
      b.credentials(user, password);
    }
  }

  /** The variable's value, or null if it is unset or blank. */
  private static @Nullable String get(Map<String, String> env, String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? null : v.trim();
  }

  private static String endpoints(Map<String, String> env) {
    String e = get(env, "ETCD_ENDPOINTS");
    if (e != null) {
      return e;
    }
    String authority = get(env, "ETCD_AUTHORITY");
    if (authority == null) {
      return "http://127.0.0.1:2379";
    }
    return oneOf(env, "ETCD_SCHEME", "http", "https") + "://" + authority;
  }

  /** Which of the two the variable says (case ignored); {@code first} if it is unset. */
  private static String oneOf(Map<String, String> env, String name, String first, String second) {
    String v = get(env, name);
    if (v == null || v.equalsIgnoreCase(first)) {
      return first;
    }
    if (v.equalsIgnoreCase(second)) {
      return second;
    }
    throw new CliException(
        name + " must be " + first + " or " + second + "; got \"" + Messages.echo(v) + "\".");
  }

  /**
   * {@code CALICO_ETCD_TIMEOUT}: seconds in ASCII digits, with up to three decimals, more than 0
   * and at most 3600.
   */
  static Duration timeout(@Nullable String text) {
    if (text == null) {
      return DEFAULT_TIMEOUT;
    }
    int dot = text.indexOf('.');
    String whole = dot < 0 ? text : text.substring(0, dot);
    String fraction = dot < 0 ? "" : text.substring(dot + 1);
    long ms = -1;
    if (digits(whole, 1, 4) && (dot < 0 || digits(fraction, 1, 3))) {
      ms = Long.parseLong(whole) * 1000 + Long.parseLong((fraction + "000").substring(0, 3));
    }
    if (ms <= 0 || ms > MAX_TIMEOUT_MS) {
      throw new CliException(
          "CALICO_ETCD_TIMEOUT must be a number of seconds above 0 and at most 3600 (such as 5"
              + " or 1.5); got \""
              + Messages.echo(text)
              + "\".");
    }
    return Duration.ofMillis(ms);
  }

  /** Whether {@code s} is {@code min} to {@code max} ASCII digits. */
  private static boolean digits(String s, int min, int max) {
    if (s.length() < min || s.length() > max) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }
}
