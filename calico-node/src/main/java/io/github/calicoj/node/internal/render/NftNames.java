package io.github.calicoj.node.internal.render;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.common.hash.Hashing;
import io.github.calicoj.node.internal.model.Direction;
import io.github.calicoj.node.internal.model.IpFamily;

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
   * An endpoint's chain: {@code fw_IFACE} for packets from the workload, {@code tw_IFACE} for
   * packets to it (Felix 2's names).
   */
  public static String endpointChain(Direction direction, String iface) {
    return name(direction == Direction.OUTBOUND ? "fw" : "tw", iface);
  }

  static String name(String kind, String raw) {
    String plain = kind + "_" + raw;
    if (plain.length() <= MAX) {
      return plain;
    }
    String hash = Hashing.sha256().hashString(raw, UTF_8).toString().substring(0, 16);
    return kind + "h_" + raw.substring(0, 20) + "_" + hash;
  }
}
