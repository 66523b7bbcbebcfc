package dev.socibuilder.infra;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A regular expression that matches exactly the decimal integers of a range, written without sign, leading
 * zeros, decimal point or spaces: the {@code AllowedPattern} of a whole-number CloudFormation parameter.
 *
 * <p>Why a pattern: a {@code Number} parameter also takes {@code 4194304.5}, which only fails when the function
 * parses its environment, on every invocation. A {@code String} parameter with this pattern fails the deployment
 * instead, with the parameter's constraint description. ({@code Ref} of a {@code Number} parameter is a string
 * anyway, so the resources see the same value.)
 *
 * <p>The range is split into sub-ranges that each read as a fixed prefix, one digit range and free digits
 * ({@code 1048576-1049999} is {@code 104857[6-9]|10485[8-9][0-9]|...}), the usual construction.
 */
final class IntegerPattern {

  private IntegerPattern() {}

  /**
   * @param min the smallest value, at least 0
   * @param max the largest value, at least {@code min}
   * @return an anchored pattern, e.g. {@code ^(?:[0-9]|[1-9][0-9]|100)$} for 0..100
   */
  static String between(long min, long max) {
    if (min < 0 || max < min || max == Long.MAX_VALUE) {
      throw new IllegalArgumentException("range " + min + ".." + max);
    }
    List<String> alternatives = new ArrayList<>();
    long start = min;
    for (long stop : stops(min, max)) {
      alternatives.add(pattern(start, stop));
      start = stop + 1;
    }
    return "^(?:" + String.join("|", alternatives) + ")$";
  }

  /** The ends of the sub-ranges: each shares a prefix, then runs from ...0..0 or min to ...9..9 or max. */
  private static TreeSet<Long> stops(long min, long max) {
    TreeSet<Long> stops = new TreeSet<>();
    stops.add(max);
    for (int nines = 1; ; nines++) {
      long stop = fillWithNines(min, nines);
      if (stop < min || stop >= max) {
        break;
      }
      stops.add(stop);
    }
    for (int zeros = 1; ; zeros++) {
      long stop = fillWithZeros(max + 1, zeros) - 1;
      if (stop <= min || stop > max) {
        break;
      }
      stops.add(stop);
    }
    return stops;
  }

  /** {@code value} with its last {@code n} digits replaced by 9s (more 9s than digits: {@code n} 9s). */
  private static long fillWithNines(long value, int n) {
    String digits = Long.toString(value);
    String prefix = n >= digits.length() ? "" : digits.substring(0, digits.length() - n);
    return n >= 19 ? Long.MAX_VALUE : Long.parseLong(prefix + "9".repeat(n));
  }

  /** {@code value} with its last {@code n} digits replaced by 0s. */
  private static long fillWithZeros(long value, int n) {
    long power = 1;
    for (int i = 0; i < n && power <= value; i++) {
      power *= 10;
    }
    return value - value % power;
  }

  /** The pattern of a sub-range whose ends have the same number of digits. */
  private static String pattern(long start, long stop) {
    String from = Long.toString(start);
    String to = Long.toString(stop);
    StringBuilder p = new StringBuilder();
    int anyDigits = 0;
    for (int i = 0; i < from.length(); i++) {
      char a = from.charAt(i);
      char b = to.charAt(i);
      if (a == b) {
        p.append(a);
      } else if (a != '0' || b != '9') {
        p.append('[').append(a).append('-').append(b).append(']');
      } else {
        anyDigits++;
      }
    }
    if (anyDigits > 0) {
      p.append("[0-9]");
    }
    if (anyDigits > 1) {
      p.append('{').append(anyDigits).append('}');
    }
    return p.toString();
  }
}
