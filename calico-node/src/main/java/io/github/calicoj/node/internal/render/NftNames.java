package io.github.calicoj.node.internal.render;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.common.hash.Hashing;
import io.github.calicoj.node.internal.model.Direction;
import io.github.calicoj.node.internal.model.IpFamily;
import java.util.List;

/**
 * Names of the agent's chains and sets. A name is a kind prefix, {@code _} and the Calico name
 * (tags, profile names and interface names only use {@code [a-zA-Z0-9_.-]}, which nftables accepts
 * after a letter). A name that would exceed {@value #MAX} characters is shortened as Felix's {@code
 * uniquely_shorten} did: the kind with an {@code h} ({@code t4h_}, which no plain name can start
 * with), the first 20 characters and a SHA-256 prefix. Stateless and thread-safe.
 */
public final class NftNames {
  /** The longest name used as is. */
  public static final int MAX = 48;

  /** The table the agent owns. */
  public static final String TABLE = "calico";

  /** The family of the table. */
  public static final String FAMILY = "inet";

  private NftNames() {}

  /** The set of a tag's addresses of one family: {@code t4_TAG} or {@code t6_TAG}. */
  public static String tagSet(IpFamily family, String tag) {
    return name(family == IpFamily.V4 ? "t4" : "t6", tag);
  }

  /** A profile's rule chain: {@code pi_PROFILE} (inbound) or {@code po_PROFILE} (outbound). */
  public static String profileChain(Direction direction, String profile) {
    return name(direction == Direction.INBOUND ? "pi" : "po", profile);
  }

  /**
   * The chain of one profile list, shared by the endpoints with that list: {@code fl_PROFILE} (from
   * the workloads) or {@code tl_PROFILE} (to them) for a list of one profile; for any other list
   * (none, or several) always the shortened form, whose hash is of the names joined by newlines
   * (which no profile name contains), so it cannot meet a one-profile list's name.
   */
  public static String listChain(Direction direction, List<String> profiles) {
    String kind = direction == Direction.OUTBOUND ? "fl" : "tl";
    if (profiles.size() == 1) {
      return name(kind, profiles.get(0));
    }
    String first = profiles.isEmpty() ? "" : profiles.get(0);
    return hashed(kind, first, String.join("\n", profiles));
  }

  static String name(String kind, String raw) {
    String plain = kind + "_" + raw;
    if (plain.length() <= MAX) {
      return plain;
    }
    return hashed(kind, raw, raw);
  }

  private static String hashed(String kind, String shown, String hashed) {
    String hash = Hashing.sha256().hashString(hashed, UTF_8).toString().substring(0, 16);
    return kind + "h_" + shown.substring(0, Math.min(20, shown.length())) + "_" + hash;
  }
}
