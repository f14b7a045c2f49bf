package io.github.calicoj.core.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.time.Duration;

/** The check the builders' duration settings share. */
public final class Durations {
  private Durations() {}

  /**
   * Returns {@code value} if it is positive.
   *
   * @param parameter the parameter's name, for the {@link NullPointerException}
   * @param setting the setting's name, for the {@link IllegalArgumentException} ("dockerTimeout
   *     must be positive")
   */
  public static Duration requirePositive(Duration value, String parameter, String setting) {
    requireNonNull(value, parameter);
    checkArgument(!value.isNegative() && !value.isZero(), "%s must be positive", setting);
    return value;
  }
}
