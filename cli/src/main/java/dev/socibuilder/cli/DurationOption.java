package dev.socibuilder.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A duration on the command line: Go-style {@code 90s}, {@code 15m}, {@code 1h30m}, {@code 500ms}, or
 * ISO-8601 {@code PT15M}. It must be positive; a bare number (no unit) is refused rather than guessed.
 */
final class DurationOption {
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|h|m|s)");

  private DurationOption() {}

  /**
   * The duration {@code text} gives.
   *
   * @throws IllegalArgumentException if it is not a positive duration (for {@code --timeout}: a usage error
   *     with this message)
   */
  static Duration parse(String text) {
    String s = text.strip();
    Duration d;
    if (s.toUpperCase(Locale.ROOT).startsWith("P")) {
      try {
        d = Duration.parse(s.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw invalid(text);
      }
    } else {
      d = Duration.ZERO;
      Matcher m = PART.matcher(s.toLowerCase(Locale.ROOT));
      int end = 0;
      while (m.find() && m.start() == end) {
        double amount = Double.parseDouble(m.group(1));
        long unitMillis = switch (m.group(2)) {
          case "h" -> 3_600_000L;
          case "m" -> 60_000L;
          case "s" -> 1_000L;
          default -> 1L;
        };
        if (amount > Long.MAX_VALUE / 2.0 / unitMillis) {
          throw invalid(text);
        }
        d = d.plusMillis(Math.round(amount * unitMillis));
        end = m.end();
      }
      if (end == 0 || end != s.length()) {
        throw invalid(text);
      }
    }
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("a duration must be positive, got '" + text + "'");
    }
    return d;
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException("'" + text + "' is not a duration (e.g. 90s, 15m, 1h30m, PT15M)");
  }
}
