package io.github.calicoj.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * The reference's name rules, in one place: profile names and tags match Felix's {@code
 * VALID_ID_RE}; a new profile's name is shorter than 40 characters, as the reference's message says
 * (the reference itself never checked the length).
 */
public final class Names {
  /** The longest name a new profile may have (the message says {@code "< 40"}). */
  public static final int MAX_PROFILE_NAME = 39;

  /** Felix's {@code VALID_ID_RE}: profile names, tags, endpoint ids. */
  public static final Pattern VALID_ID = Pattern.compile("^[a-zA-Z0-9_.\\-]+$");

  /** The reference's message for a bad profile name. */
  public static final String PROFILE_NAME_RULE =
      "Profile names must be < 40 character long and can only contain numbers, letters, dots,"
          + " dashes and underscores.";

  /** The reference's message for a bad tag. */
  public static final String TAG_RULE =
      "Tags names can only contain numbers, letters, dots, dashes and underscores.";

  private Names() {}

  /**
   * Returns {@code hostname} if it can be a key segment of Calico's tree (not empty, no {@code /}).
   *
   * @throws IllegalArgumentException naming it otherwise
   */
  public static String checkHostname(String hostname) {
    requireNonNull(hostname, "hostname");
    checkArgument(!hostname.isEmpty() && hostname.indexOf('/') < 0, "Bad hostname: %s", hostname);
    return hostname;
  }

  /** True if {@code s} matches {@code ^[a-zA-Z0-9_.-]+$}. */
  public static boolean isValidId(String s) {
    return VALID_ID.matcher(s).matches();
  }

  /** Checks a profile name; the message is the reference's plus the bad value. */
  public static String checkProfileName(String name) {
    requireNonNull(name, "name");
    checkArgument(isValidId(name), "%s Got: %s", PROFILE_NAME_RULE, name);
    return name;
  }

  /**
   * Checks the name of a profile to be created: a valid id of at most {@value #MAX_PROFILE_NAME}
   * characters. Existing profiles (another tool may have made longer names) are looked up with
   * {@link #checkProfileName}.
   */
  public static String checkNewProfileName(String name) {
    checkProfileName(name);
    checkArgument(name.length() <= MAX_PROFILE_NAME, "%s Got: %s", PROFILE_NAME_RULE, name);
    return name;
  }

  /** Checks a tag. */
  public static String checkTag(String tag) {
    requireNonNull(tag, "tag");
    checkArgument(isValidId(tag), "%s Got: %s", TAG_RULE, tag);
    return tag;
  }

  /**
   * The workload id of a namespace path: {@code /} replaced by {@code -} (pycalico {@code
   * escape_etcd}), so the id is one key segment.
   */
  public static String escapeWorkloadId(String path) {
    requireNonNull(path, "path");
    return path.replace('/', '-');
  }
}
