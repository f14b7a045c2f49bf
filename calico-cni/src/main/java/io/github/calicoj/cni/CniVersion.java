package io.github.calicoj.cni;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The CNI spec versions this plugin speaks. 0.3.0 to 0.4.0 share one result shape (each IP carries
 * its {@code version}); 1.0.0 drops that field. CHECK exists from 0.4.0 on. 0.1.0 and 0.2.0, whose
 * results have another shape altogether, are refused.
 */
enum CniVersion {
  V0_3_0("0.3.0"),
  V0_3_1("0.3.1"),
  V0_4_0("0.4.0"),
  V1_0_0("1.0.0");

  /** The version this plugin writes when it has none to echo (errors before the config is read). */
  static final CniVersion LATEST = V1_0_0;

  private final String text;

  CniVersion(String text) {
    this.text = text;
  }

  /**
   * The version named in a configuration.
   *
   * @throws CniException ({@link CniCode#INCOMPATIBLE_VERSION}) naming the version and the
   *     supported ones
   */
  static CniVersion parse(@Nullable String text) {
    for (CniVersion v : values()) {
      if (v.text.equals(text)) {
        return v;
      }
    }
    throw new CniException(
        CniCode.INCOMPATIBLE_VERSION,
        "cniVersion "
            + (text == null ? "(missing)" : "\"" + text + "\"")
            + " is not supported; this plugin supports "
            + String.join(", ", supported()));
  }

  /** Every supported version, oldest first, as the VERSION command lists them. */
  static List<String> supported() {
    return Arrays.stream(values()).map(v -> v.text).collect(Collectors.toUnmodifiableList());
  }

  /** Whether a result's IPs carry {@code "version": "4"|"6"} (before 1.0.0). */
  boolean ipsCarryVersion() {
    return compareTo(V1_0_0) < 0;
  }

  /** Whether the CHECK command exists in this version (0.4.0 and later). */
  boolean hasCheck() {
    return compareTo(V0_4_0) >= 0;
  }

  /** The version as written in JSON. */
  @Override
  public String toString() {
    return text;
  }
}
