package dev.socibuilder.cli.args;

/**
 * A usage error (exit code 2): the arguments do not fit the command, or a value is not valid. {@link Cli}
 * prints the message, then the command's usage, or instead of the usage a {@link #hint()} (e.g.
 * {@code Possible solutions: --force}), as the command line always has.
 */
public final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String hint;

  /** A usage error with this message (one line, e.g. {@code --span-size must be positive}). */
  public UsageException(String message) {
    this(message, null);
  }

  UsageException(String message, String hint) {
    super(message);
    this.hint = hint;
  }

  /** What to print instead of the usage (suggestions for a mistyped name), or null. */
  public String hint() {
    return hint;
  }
}
