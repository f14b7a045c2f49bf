package io.github.calicoj.core.model;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * A port or a port range in a rule. The wire form is a JSON integer for a single port and the
 * string {@code "lo:hi"} ({@code lo < hi}) for a range; Felix rejects anything else. Immutable.
 *
 * @param low the first port, 0..65535
 * @param high the last port, equal to {@code low} for a single port
 */
public record PortRange(int low, int high) {

  /** Checks the range. */
  public PortRange {
    checkArgument(low >= 0 && low <= 65535, "Port (%s) out-of-range.", low);
    checkArgument(high >= 0 && high <= 65535, "Port (%s) out-of-range.", high);
    checkArgument(low <= high, "Port range minimum (%s) > maximum (%s).", low, high);
  }

  /** A single port. */
  public static PortRange of(int port) {
    return new PortRange(port, port);
  }

  /** A range; {@code low < high}. */
  public static PortRange range(int low, int high) {
    checkArgument(low < high, "Port range minimum (%s) must be below maximum (%s).", low, high);
    return new PortRange(low, high);
  }

  /** Parses {@code 80}, {@code 80:90} or {@code 80-90}. */
  public static PortRange parse(String text) {
    String t = text.trim();
    checkArgument(t.matches("\\d+([:-]\\d+)?"), "Invalid port or port range: %s", text);
    String[] parts = t.split("[:-]", -1);
    int lo = parseInt(parts[0]);
    if (parts.length == 1) {
      return of(lo);
    }
    int hi = parseInt(parts[1]);
    return new PortRange(lo, hi); // checks the bounds with the reference's messages
  }

  private static int parseInt(String s) {
    checkArgument(s.length() <= 5, "Port (%s) out-of-range.", s);
    return Integer.parseInt(s);
  }

  /** True for a single port. */
  public boolean isSingle() {
    return low == high;
  }

  /** {@code 80} or {@code 80:90}. */
  @Override
  public String toString() {
    return isSingle() ? Integer.toString(low) : low + ":" + high;
  }
}
