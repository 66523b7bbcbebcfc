package dev.socibuilder.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IntegerPatternTest {

  @ParameterizedTest(name = "{0}..{1}")
  @CsvSource({"0, 100", "0, 0", "7, 7", "1, 1000", "512, 10240", "0, 10000", "95, 1005", "10, 99", "999, 1001"})
  void matchesExactlyTheIntegersOfTheRangeForEveryValueNearby(long min, long max) {
    Pattern pattern = Pattern.compile(IntegerPattern.between(min, max));

    for (long v = 0; v <= max + 1100; v++) {
      assertThat(pattern.matcher(Long.toString(v)).matches()).as("%d in %d..%d", v, min, max)
          .isEqualTo(v >= min && v <= max);
    }
  }

  @Test
  void matchesTheBoundsAndRandomValuesOfALargeRange() {
    long min = 1L << 20;
    long max = 1L << 30;
    Pattern pattern = Pattern.compile(IntegerPattern.between(min, max));
    Random random = new Random(42);

    for (int i = 0; i < 20_000; i++) {
      long v = (long) (random.nextDouble() * 2 * max);
      assertThat(pattern.matcher(Long.toString(v)).matches()).as("%d", v).isEqualTo(v >= min && v <= max);
    }
    assertThat(List.of(min, min + 1, max - 1, max, 4_194_304L)).allMatch(v -> pattern.matcher(v.toString()).matches());
    assertThat(List.of(min - 1, max + 1, 999_999L, 10_000_000_000L))
        .noneMatch(v -> pattern.matcher(v.toString()).matches());
  }

  @Test
  void rejectsEverythingThatIsNotAPlainDecimalInteger() {
    Pattern pattern = Pattern.compile(IntegerPattern.between(0, 999_999_999_999_999L));

    assertThat(List.of("0", "1", "10485760", "999999999999999")).allMatch(v -> pattern.matcher(v).matches());
    assertThat(List.of("", "00", "01", "1.5", "1.0", "1e3", "-1", "+1", " 1", "1 ", "0x1", "١", "1000000000000000"))
        .noneMatch(v -> pattern.matcher(v).matches());
  }

  @Test
  void rejectsAnEmptyOrNegativeRange() {
    assertThatThrownBy(() -> IntegerPattern.between(5, 4)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IntegerPattern.between(-1, 4)).isInstanceOf(IllegalArgumentException.class);
  }
}
