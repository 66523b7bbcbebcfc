package dev.socibuilder.ztoc.tar;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Expectations from soci-format.md §3.5 and Go's RFC 3339 layout, worked out by hand. */
class GoTimeTest {
  private static final ZoneId UTC = ZoneOffset.UTC;

  @Test
  void formatsWholeSecondsInUtcWithZ() {
    assertThat(text(1700000000L, 0, UTC)).isEqualTo("2023-11-14T22:13:20Z");
    assertThat(text(0, 0, UTC)).isEqualTo("1970-01-01T00:00:00Z");
  }

  @Test
  void formatsTheLocalOffsetOfTheZoneAsHoursAndMinutes() {
    assertThat(text(1700000000L, 0, ZoneId.of("America/Los_Angeles")))
        .isEqualTo("2023-11-14T14:13:20-08:00");
    assertThat(text(1700000000L, 0, ZoneId.of("Asia/Kolkata")))
        .isEqualTo("2023-11-15T03:43:20+05:30");
    // Summer time: Los Angeles is at -07:00 on 2023-07-01T00:00:00Z.
    assertThat(text(1688169600L, 0, ZoneId.of("America/Los_Angeles")))
        .isEqualTo("2023-06-30T17:00:00-07:00");
  }

  @Test
  void writesAZeroOffsetZoneAsZ() {
    assertThat(text(1700000000L, 0, ZoneId.of("Europe/London"))).isEqualTo("2023-11-14T22:13:20Z");
  }

  @Test
  void trimsTrailingZerosOfTheFraction() {
    assertThat(text(1700000000L, 120_000_000, UTC)).isEqualTo("2023-11-14T22:13:20.12Z");
    assertThat(text(1700000000L, 1, UTC)).isEqualTo("2023-11-14T22:13:20.000000001Z");
    assertThat(text(1700000000L, 999_999_999, UTC)).isEqualTo("2023-11-14T22:13:20.999999999Z");
  }

  @Test
  void formatsTimesBeforeTheEpoch() {
    assertThat(text(-1, 0, UTC)).isEqualTo("1969-12-31T23:59:59Z");
    assertThat(text(-1, 500_000_000, UTC)).isEqualTo("1969-12-31T23:59:59.5Z");
    assertThat(text(-86400L * 365, 0, UTC)).isEqualTo("1969-01-01T00:00:00Z");
  }

  @Test
  void normalisesNanosecondsOutsideOneSecondLikeTimeUnix() {
    assertThat(text(0, -250_000_000, UTC)).isEqualTo("1969-12-31T23:59:59.75Z");
    assertThat(text(0, 1_500_000_000, UTC)).isEqualTo("1970-01-01T00:00:01.5Z");
  }

  @Test
  void acceptsYearsZeroTo9999() {
    // 0000-01-01T00:00:00Z is 719528 days (proleptic Gregorian) before 1970-01-01.
    assertThat(text(-719528L * 86400, 0, UTC)).isEqualTo("0000-01-01T00:00:00Z");
    // 9999-12-31T23:59:59Z is 2932896 days after 1970-01-01, minus one second.
    assertThat(text(2932897L * 86400 - 1, 0, UTC)).isEqualTo("9999-12-31T23:59:59Z");
  }

  @Test
  void isEmptyOutsideYearsZeroTo9999() {
    assertThat(GoTime.marshalText(-719528L * 86400 - 1, 0, UTC)).isEmpty(); // year -1
    assertThat(GoTime.marshalText(2932897L * 86400, 0, UTC)).isEmpty(); // year 10000
    assertThat(GoTime.marshalText(Long.MAX_VALUE, 0, UTC)).isEmpty();
    assertThat(GoTime.marshalText(Long.MIN_VALUE, 0, UTC)).isEmpty();
  }

  @Test
  void checksTheYearInTheGivenZone() {
    // 10000-01-01T00:00:00Z is still 9999-12-31 in Los Angeles (-08:00 in winter).
    assertThat(text(2932897L * 86400, 0, ZoneId.of("America/Los_Angeles")))
        .isEqualTo("9999-12-31T16:00:00-08:00");
    // 0000-01-01T00:00:00Z is still year -1 in Los Angeles.
    assertThat(GoTime.marshalText(-719528L * 86400, 0, ZoneId.of("America/Los_Angeles")))
        .isEmpty();
  }

  @Test
  void dropsTheSecondsOfAnOffsetAsGoDoes() {
    // Before 1883 Los Angeles used local mean time, -7:52:58; Go prints offset/60 minutes.
    assertThat(text(-3_000_000_000L, 0, ZoneId.of("America/Los_Angeles"))).endsWith("-07:52");
  }

  private static String text(long seconds, int nanos, ZoneId zone) {
    return new String(GoTime.marshalText(seconds, nanos, zone), StandardCharsets.US_ASCII);
  }
}
