package io.github.calicoj.cni;

import com.google.common.net.InetAddresses;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code CNI_ARGS}: {@code KEY=VALUE} pairs separated by {@code ;}. This plugin reads {@code IP}
 * (one address, or several separated by commas) and accepts the keys runtimes commonly send ({@code
 * K8S_POD_*}). {@code MAC} is refused (the kernel chooses the container's MAC). Any other key is an
 * error unless {@code IgnoreUnknown} is {@code 1} or {@code true}, as the CNI conventions ask.
 * Immutable.
 *
 * @param values the pairs, in order
 */
record CniArgs(Map<String, String> values) {
  /** No arguments. */
  static final CniArgs NONE = new CniArgs(Map.of());

  private static final Set<String> KNOWN =
      Set.of(
          "IP",
          "MAC",
          "IgnoreUnknown",
          "K8S_POD_NAME",
          "K8S_POD_NAMESPACE",
          "K8S_POD_INFRA_CONTAINER_ID",
          "K8S_POD_UID");

  /** Copies the map. */
  CniArgs {
    values = Map.copyOf(values);
  }

  /**
   * Parses {@code CNI_ARGS}.
   *
   * @throws CniException ({@link CniCode#INVALID_ENVIRONMENT}) for a pair without {@code =}, an
   *     empty key, a repeated key or an unknown key without {@code IgnoreUnknown}
   */
  static CniArgs parse(String text) {
    if (text.isBlank()) {
      return NONE;
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : text.split(";", -1)) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new CniException(
            CniCode.INVALID_ENVIRONMENT,
            "CNI_ARGS: \"" + pair + "\" is not KEY=VALUE (CNI_ARGS=" + text + ")");
      }
      String key = pair.substring(0, eq);
      if (out.put(key, pair.substring(eq + 1)) != null) {
        throw new CniException(
            CniCode.INVALID_ENVIRONMENT,
            "CNI_ARGS: " + key + " is given twice (CNI_ARGS=" + text + ")");
      }
    }
    String ignore = out.getOrDefault("IgnoreUnknown", "").toLowerCase(Locale.ROOT);
    boolean ignoreUnknown = ignore.equals("1") || ignore.equals("true");
    for (String key : out.keySet()) {
      if (!KNOWN.contains(key) && !ignoreUnknown) {
        throw new CniException(
            CniCode.INVALID_ENVIRONMENT,
            "CNI_ARGS: unknown key " + key + " (set IgnoreUnknown=1 to ignore unknown keys)");
      }
    }
    return new CniArgs(out);
  }

  /** The MAC requested by {@code MAC=} (podman sends the previous one on a network reload). */
  Optional<String> mac() {
    return Optional.ofNullable(values.get("MAC")).filter(m -> !m.isBlank());
  }

  /**
   * The addresses requested by {@code IP=}, in order (empty if none).
   *
   * @throws CniException ({@link CniCode#INVALID_ENVIRONMENT}) naming a value that is not an IP
   */
  List<InetAddress> ips() {
    String v = values.get("IP");
    List<InetAddress> out = new ArrayList<>();
    if (v == null || v.isBlank()) {
      return out;
    }
    for (String s : v.split(",", -1)) {
      String ip = s.trim();
      if (!InetAddresses.isInetAddress(ip) || ip.contains("%")) {
        throw new CniException(
            CniCode.INVALID_ENVIRONMENT,
            "CNI_ARGS: IP=" + v + ": \"" + ip + "\" is not an IP address");
      }
      out.add(InetAddresses.forString(ip));
    }
    return out;
  }
}
