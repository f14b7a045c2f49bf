package io.github.calicoj.cni;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.net.InetAddresses;
import io.github.calicoj.core.model.Names;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The network configuration a runtime streams to the plugin on stdin, checked field by field.
 * Calico's option names where Calico had the option; {@code host_netns} and {@code etcd_timeout}
 * are this plugin's. Unknown fields are ignored (a conflist written for Calico's own plugin carries
 * options this one has no use for). Immutable; the previous result is parsed on request. A request
 * run by the {@link CniServer} logs as the server does: {@code log_level} and {@code log_file_path}
 * apply to the standalone plugin.
 *
 * <table>
 *   <caption>Fields</caption>
 *   <tr><td>{@code cniVersion}, {@code name}, {@code type}</td><td>required</td></tr>
 *   <tr><td>{@code etcd_endpoints}</td><td>comma-separated URLs; default http://127.0.0.1:2379</td></tr>
 *   <tr><td>{@code etcd_ca_cert_file}, {@code etcd_cert_file}, {@code etcd_key_file}</td>
 *       <td>TLS files (the key in PKCS#8); the certificate and key go together</td></tr>
 *   <tr><td>{@code etcd_timeout}</td><td>seconds each etcd request may take; default 10</td></tr>
 *   <tr><td>{@code nodename}</td><td>the Calico host name; default the kernel's hostname</td></tr>
 *   <tr><td>{@code mtu}</td><td>the veth's MTU; default the kernel's (1500)</td></tr>
 *   <tr><td>{@code host_netns}</td><td>the namespace for the host ends; default the plugin's</td></tr>
 *   <tr><td>{@code log_level}</td><td>error, warning (default), info or debug</td></tr>
 *   <tr><td>{@code log_file_path}</td><td>a file the log is appended to, besides stderr</td></tr>
 *   <tr><td>{@code cni_socket}</td><td>the {@link CniServer}'s socket the launcher sends to, or
 *       {@code off}; default /run/calicoj/cni.sock (read by the launcher, checked here)</td></tr>
 *   <tr><td>{@code ipam}</td><td>see {@link IpamConf}</td></tr>
 *   <tr><td>{@code dns}</td><td>copied into the result</td></tr>
 *   <tr><td>{@code runtimeConfig.ips}</td><td>requested addresses (the {@code ips} capability)</td></tr>
 *   <tr><td>{@code prevResult}</td><td>the ADD's result, for DEL and CHECK</td></tr>
 * </table>
 */
final class NetConf {
  /** The spec's network name rule. */
  private static final Pattern NETWORK_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.\\-]*");

  private static final Map<String, String> LOG_LEVELS =
      Map.of(
          "error", "error",
          "warning", "warn",
          "warn", "warn",
          "info", "info",
          "debug", "debug");

  final CniVersion version;
  final String name;
  final String type;
  final String etcdEndpoints;
  final @Nullable Path etcdCaCertFile;
  final @Nullable Path etcdCertFile;
  final @Nullable Path etcdKeyFile;
  final Duration etcdTimeout;
  final @Nullable String nodename;
  final int mtu;
  final @Nullable Path hostNetns;
  final String logLevel;
  final @Nullable Path logFile;
  final IpamConf ipam;
  final Dns dns;
  final List<InetAddress> runtimeIps;
  private final @Nullable JsonNode prevResult;

  private NetConf(JsonNode o) {
    this.version = CniVersion.parse(Json.text(o, "cniVersion", ""));
    this.name = Json.requiredText(o, "name", "");
    if (!NETWORK_NAME.matcher(name).matches() || name.length() > Names.MAX_PROFILE_NAME) {
      throw new CniException(
          CniCode.INVALID_CONFIG,
          "name \""
              + name
              + "\" is not a network name this plugin can use: it names the network's profile, so it"
              + " must be at most "
              + Names.MAX_PROFILE_NAME
              + " letters, digits, '_', '.' or '-', starting with a letter or digit");
    }
    this.type = Json.requiredText(o, "type", "");
    this.etcdEndpoints = Json.text(o, "etcd_endpoints", "", "http://127.0.0.1:2379");
    this.etcdCaCertFile = path(o, "etcd_ca_cert_file");
    this.etcdCertFile = path(o, "etcd_cert_file");
    this.etcdKeyFile = path(o, "etcd_key_file");
    if ((etcdCertFile == null) != (etcdKeyFile == null)) {
      throw new CniException(
          CniCode.INVALID_CONFIG, "etcd_cert_file and etcd_key_file must be given together");
    }
    this.etcdTimeout = Duration.ofSeconds(Json.number(o, "etcd_timeout", "", 1, 300, 10));
    this.nodename = Json.text(o, "nodename", "");
    if (nodename != null && (nodename.isEmpty() || nodename.indexOf('/') >= 0)) {
      throw new CniException(
          CniCode.INVALID_CONFIG, "nodename \"" + nodename + "\" is not a host name");
    }
    this.mtu = (int) Json.number(o, "mtu", "", 68, 65535, 0);
    this.hostNetns = path(o, "host_netns");
    String level = Json.text(o, "log_level", "", "warning").toLowerCase(Locale.ROOT);
    String slf4j = LOG_LEVELS.get(level);
    if (slf4j == null) {
      throw new CniException(
          CniCode.INVALID_CONFIG,
          "log_level \"" + level + "\" is not one of error, warning, info, debug");
    }
    this.logLevel = slf4j;
    this.logFile = path(o, "log_file_path");
    String socket = Json.text(o, "cni_socket", "");
    if (socket != null && !socket.equals("off")) {
      path(o, "cni_socket");
    }
    this.ipam = IpamConf.parse(Json.object(o, "ipam", ""));
    this.dns = Dns.parse(Json.object(o, "dns", ""), "");
    this.runtimeIps = runtimeIps(Json.object(o, "runtimeConfig", ""));
    this.prevResult = Json.object(o, "prevResult", "");
  }

  /**
   * Parses and checks the configuration.
   *
   * @throws CniException ({@link CniCode#DECODE_FAILURE}) if it is not a JSON object; ({@link
   *     CniCode#INCOMPATIBLE_VERSION}) for an unsupported {@code cniVersion}; ({@link
   *     CniCode#INVALID_CONFIG} or {@link CniCode#UNSUPPORTED_FIELD}) naming a bad field
   */
  static NetConf parse(byte[] stdin) {
    return new NetConf(Json.parseObject(stdin, "The network configuration on stdin"));
  }

  /**
   * The {@code cniVersion} text of a configuration, for an error written before (or because) the
   * configuration could not be read in full: the given text if there is one, else the newest.
   */
  static String versionForErrors(byte[] stdin) {
    try {
      JsonNode v = Json.MAPPER.readTree(stdin).get("cniVersion");
      if (v != null && v.isTextual() && !v.asText().isBlank()) {
        return v.asText();
      }
    } catch (IOException | RuntimeException e) {
      // not JSON: the newest version it is
    }
    return CniVersion.LATEST.toString();
  }

  private static @Nullable Path path(JsonNode o, String field) {
    String v = Json.text(o, field, "");
    if (v == null || v.isEmpty()) {
      return null;
    }
    if (!v.startsWith("/")) {
      throw new CniException(
          CniCode.INVALID_CONFIG, field + " \"" + v + "\" is not an absolute path");
    }
    return Path.of(v);
  }

  private static List<InetAddress> runtimeIps(@Nullable JsonNode runtimeConfig) {
    List<InetAddress> out = new ArrayList<>();
    if (runtimeConfig == null) {
      return out;
    }
    for (String text : Json.texts(runtimeConfig, "ips", "runtimeConfig.")) {
      int slash = text.indexOf('/');
      String addr = slash < 0 ? text : text.substring(0, slash);
      if (!InetAddresses.isInetAddress(addr) || addr.contains("%")) {
        throw new CniException(
            CniCode.INVALID_CONFIG, "runtimeConfig.ips: \"" + text + "\" is not an IP address");
      }
      out.add(InetAddresses.forString(addr));
    }
    return out;
  }

  /** Whether the runtime passed the previous ADD's result. */
  boolean hasPrevResult() {
    return prevResult != null;
  }

  /**
   * The previous ADD's result.
   *
   * @throws CniException ({@link CniCode#INVALID_CONFIG}) if there is none; ({@link
   *     CniCode#DECODE_FAILURE}) if it is not a result
   */
  CniResult prevResult() {
    if (prevResult == null) {
      throw new CniException(
          CniCode.INVALID_CONFIG, "prevResult is missing: CHECK needs the result of the ADD");
    }
    return CniResult.parse(prevResult);
  }

  /** The host name: {@code nodename}, else the kernel's. */
  String nodename(String kernelHostname) {
    return nodename != null ? nodename : requireNonNull(kernelHostname, "kernelHostname");
  }
}
