package io.github.calicoj.netns;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;

/**
 * A network interface name as the kernel accepts it ({@code dev_valid_name}): 1 to 15 bytes of
 * UTF-8 ({@code IFNAMSIZ} - 1), not {@code .} or {@code ..}, and no {@code /}, {@code :} or
 * whitespace. Checked before any syscall, so a bad name never reaches the kernel. Immutable.
 *
 * @param value the name
 */
public record InterfaceName(String value) {

  /** The longest name in bytes, {@code IFNAMSIZ - 1}. */
  public static final int MAX_BYTES = 15;

  /** Validates the name; the message names the bad value. */
  public InterfaceName {
    requireNonNull(value, "value");
    int bytes = value.getBytes(StandardCharsets.UTF_8).length;
    checkArgument(bytes >= 1, "Interface name must not be empty");
    checkArgument(
        bytes <= MAX_BYTES,
        "Interface name is %s bytes, longer than %s: %s",
        bytes,
        MAX_BYTES,
        value);
    checkArgument(!value.equals(".") && !value.equals(".."), "Interface name may not be %s", value);
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      checkArgument(
          c != '/' && c != ':' && c != 0 && !Character.isWhitespace(c),
          "Interface name has a forbidden character %s at %s: %s",
          c == 0 ? "NUL" : "'" + c + "'",
          i,
          value);
    }
  }

  /** Returns the name {@code value}; see the class documentation for the rules. */
  public static InterfaceName of(String value) {
    return new InterfaceName(value);
  }

  /** Returns the name. */
  @Override
  public String toString() {
    return value;
  }
}
