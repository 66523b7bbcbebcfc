package dev.socibuilder.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  final RetryPolicy policy = new RetryPolicy(10, Duration.ofMillis(100), Duration.ofSeconds(1));

  @Test
  void delayDoublesWithinItsJitterBandAndIsCapped() {
    assertThat(policy.delayAfter(1, 0.0)).isEqualTo(Duration.ofMillis(50));
    assertThat(policy.delayAfter(1, 0.999)).isBetween(Duration.ofMillis(99), Duration.ofMillis(100));
    assertThat(policy.delayAfter(3, 0.0)).isEqualTo(Duration.ofMillis(200));
    assertThat(policy.delayAfter(9, 0.999)).isLessThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(policy.delayAfter(60, 0.0)).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void defaultsCapASingleWaitAtAMinuteAndAnOperationsWaitsAtTwo() {
    assertThat(RetryPolicy.defaults().maxWait()).isEqualTo(Duration.ofSeconds(60));
    assertThat(RetryPolicy.defaults().retryBudget()).isEqualTo(Duration.ofMinutes(2));
    assertThat(policy.withWaitLimits(Duration.ofSeconds(5), Duration.ofSeconds(20)))
        .isEqualTo(new RetryPolicy(10, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(5),
            Duration.ofSeconds(20)));
  }

  @Test
  void rejectsNonsense() {
    assertThatThrownBy(() -> policy.withWaitLimits(Duration.ofSeconds(-1), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetryPolicy(1, Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
