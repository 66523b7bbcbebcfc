package dev.socibuilder.cli.args;

/**
 * Converts option values, failing with the command line's usual messages: an {@link IllegalArgumentException} from a
 * {@link Command#set} becomes {@code Invalid value for option '--span-size': 'abc' is not a long}.
 */
public final class Values {
  private Values() {}

  /** A decimal {@code int} ({@code +} or {@code -} allowed, as {@link Integer#parseInt}). */
  public static int toInt(String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + value + "' is not an int");
    }
  }

  /** A decimal {@code long} ({@code +} or {@code -} allowed, as {@link Long#parseLong}). */
  public static long toLong(String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + value + "' is not a long");
    }
  }

  /** A flag's value: {@code true} or {@code false}, in any case. */
  public static boolean toBoolean(String value) {
    if ("true".equalsIgnoreCase(value)) {
      return true;
    }
    if ("false".equalsIgnoreCase(value)) {
      return false;
    }
    throw new IllegalArgumentException("'" + value + "' is not a boolean");
  }

  /** The failure for a value that is none of {@code allowed} (which are matched case-sensitively). */
  public static IllegalArgumentException notOneOf(String value, String... allowed) {
    return new IllegalArgumentException(
        "expected one of [" + String.join(", ", allowed) + "] (case-sensitive) but was '" + value + "'");
  }
}
