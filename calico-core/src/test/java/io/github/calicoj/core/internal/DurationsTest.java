package io.github.calicoj.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void onlyPositiveDurationsPass() {
    Duration second = Duration.ofSeconds(1);
    assertThat(Durations.requirePositive(second, "timeout", "dockerTimeout")).isSameAs(second);
    assertThat(Durations.requirePositive(Duration.ofNanos(1), "timeout", "dockerTimeout"))
        .isEqualTo(Duration.ofNanos(1));

    assertThatThrownBy(() -> Durations.requirePositive(Duration.ZERO, "timeout", "dockerTimeout"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dockerTimeout must be positive");
    assertThatThrownBy(() -> Durations.requirePositive(Duration.ofSeconds(-1), "wait", "closeWait"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("closeWait must be positive");
    assertThatThrownBy(() -> Durations.requirePositive(null, "timeout", "dockerTimeout"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("timeout");
  }
}
