package dev.socibuilder.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationOptionTest {
  @Test
  void acceptsGoStyleAndIsoDurations() {
    assertThat(DurationOption.parse("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(DurationOption.parse("15m")).isEqualTo(Duration.ofMinutes(15));
    assertThat(DurationOption.parse("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(DurationOption.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(DurationOption.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(DurationOption.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(DurationOption.parse("PT15M")).isEqualTo(Duration.ofMinutes(15));
    assertThat(DurationOption.parse("pt1h2s")).isEqualTo(Duration.ofSeconds(3602));
  }

  @Test
  void refusesBareNumbersUnknownUnitsAndNonPositiveDurations() {
    for (String bad : new String[] {"90", "15x", "m", "", "1h 30m", "-5s", "0s", "PT0S", "PT-1M", "s15", "15m junk"}) {
      assertThatThrownBy(() -> DurationOption.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
