package io.github.calicoj.node.internal.decode;

import io.github.calicoj.node.internal.model.EndpointToHostAction;
import io.github.calicoj.node.internal.model.FelixConfig;
import io.github.calicoj.node.internal.model.Problem;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Resolves Felix's parameters: explicit overrides (the runtime's environment) over per-host keys
 * over global keys over defaults, parsed as Felix 1.4's {@code config.py} does. Felix refused to
 * start on a bad value; the agent keeps the default and reports a problem. Stateless and
 * thread-safe.
 */
public final class ConfigDecoder {
  private static final Pattern PREFIX = Pattern.compile("[a-zA-Z0-9_.-]{1,14}");

  private ConfigDecoder() {}

  /** The configuration; each bad value is added to {@code problems} and replaced by its default. */
  public static FelixConfig resolve(
      Map<String, String> global,
      Map<String, String> host,
      Map<String, String> overrides,
      List<Problem> problems) {
    Map<String, String> raw = new HashMap<>(global);
    raw.putAll(host);
    raw.putAll(overrides);
    FelixConfig d = FelixConfig.DEFAULTS;
    return new FelixConfig(
        prefixes(raw.get("InterfacePrefix"), problems),
        action(raw.get("DefaultEndpointToHostAction"), problems),
        bool(raw, "IpInIpEnabled", d.ipInIpEnabled(), problems),
        markMask(raw.get("IptablesMarkMask"), problems),
        Math.max(0, integer(raw, "ReportingIntervalSecs", d.reportingIntervalSecs(), problems)),
        integer(raw, "ReportingTTLSecs", d.reportingTtlSecs(), problems),
        bool(raw, "EndpointReportingEnabled", d.endpointReportingEnabled(), problems),
        Math.max(0, integer(raw, "EndpointReportingDelaySecs", 1, problems)),
        raw);
  }

  private static List<String> prefixes(@Nullable String value, List<Problem> problems) {
    if (value == null) {
      return FelixConfig.DEFAULTS.interfacePrefixes();
    }
    List<String> out = new ArrayList<>();
    for (String p : value.split(",", -1)) {
      String t = p.strip();
      if (PREFIX.matcher(t).matches()) {
        out.add(t);
      } else if (!t.isEmpty()) {
        problems.add(bad("InterfacePrefix", value, "prefix '" + t + "' is ignored"));
      }
    }
    if (out.isEmpty()) {
      problems.add(bad("InterfacePrefix", value, "using cali"));
      return FelixConfig.DEFAULTS.interfacePrefixes();
    }
    return out;
  }

  private static EndpointToHostAction action(@Nullable String value, List<Problem> problems) {
    if (value == null) {
      return FelixConfig.DEFAULTS.endpointToHostAction();
    }
    for (EndpointToHostAction a : EndpointToHostAction.values()) {
      if (a.name().equals(value)) { // Felix compares case-sensitively
        return a;
      }
    }
    problems.add(
        bad("DefaultEndpointToHostAction", value, "not DROP, RETURN or ACCEPT; using DROP"));
    return EndpointToHostAction.DROP;
  }

  private static int markMask(@Nullable String value, List<Problem> problems) {
    int dflt = FelixConfig.DEFAULTS.markMask();
    if (value == null) {
      return dflt;
    }
    Long v = parseInt(value);
    if (v == null || v == 0 || v < 0 || v > 0xffffffffL) {
      problems.add(bad("IptablesMarkMask", value, "not a non-zero 32-bit mask; using 0xff000000"));
      return dflt;
    }
    return (int) v.longValue();
  }

  private static boolean bool(
      Map<String, String> raw, String name, boolean dflt, List<Problem> problems) {
    String v = raw.get(name);
    if (v == null) {
      return dflt;
    }
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "y", "t" -> true;
      case "false", "0", "no", "n", "f" -> false;
      default -> {
        problems.add(bad(name, v, "not a Boolean; using " + dflt));
        yield dflt;
      }
    };
  }

  private static int integer(
      Map<String, String> raw, String name, int dflt, List<Problem> problems) {
    String v = raw.get(name);
    if (v == null) {
      return dflt;
    }
    Long n = parseInt(v);
    if (n == null || n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
      problems.add(bad(name, v, "not an integer; using " + dflt));
      return dflt;
    }
    return (int) n.longValue();
  }

  /** Python's {@code int(value, 0)}: decimal, {@code 0x} hex, {@code 0o} octal, {@code 0b}. */
  private static @Nullable Long parseInt(String value) {
    String t = value.strip().toLowerCase(Locale.ROOT).replace("_", "");
    boolean negative = t.startsWith("-");
    if (negative || t.startsWith("+")) {
      t = t.substring(1);
    }
    int radix = 10;
    if (t.startsWith("0x") || t.startsWith("0o") || t.startsWith("0b")) {
      radix = t.charAt(1) == 'x' ? 16 : t.charAt(1) == 'o' ? 8 : 2;
      t = t.substring(2);
    }
    if (t.isEmpty() || t.length() > 12) {
      return null;
    }
    try {
      long v = Long.parseLong(t, radix);
      return negative ? -v : v;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Problem bad(String name, String value, String what) {
    return new Problem("config " + name, "invalid value '" + value + "': " + what);
  }
}
