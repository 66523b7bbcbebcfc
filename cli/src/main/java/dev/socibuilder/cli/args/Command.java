package dev.socibuilder.cli.args;

/**
 * A command of the command line: what it takes ({@link #spec()}), how it takes the values given
 * ({@link #set}), and what it does ({@link #run}). A command that only groups others (a
 * {@link CommandSpec#subcommands() group}) names them and makes them on demand ({@link #subcommand}), so that
 * only the command that runs is ever built.
 */
public interface Command {

  /** What this command takes; the same on every call. */
  CommandSpec spec();

  /**
   * Takes one value: {@code key} is an {@link Option#name() option's name} (its long name) or a
   * {@link Positional#label() positional parameter's label}. A flag gets {@code "true"} or {@code "false"}; a
   * repeatable option or parameter gets one call per value, in order; an option that is not given gets its
   * {@link Option#defaultValue() default}, if it has one, after the others.
   *
   * @throws IllegalArgumentException if {@code value} is not valid (its message says why, e.g.
   *     {@code 'abc' is not a long}): a usage error naming the option
   */
  default void set(String key, String value) {
    throw new IllegalStateException("no option or parameter " + key + " in " + spec().name());
  }

  /**
   * A new instance of the subcommand {@code name} (one of {@link CommandSpec#subcommands()}), or null if there
   * is none.
   */
  default Command subcommand(String name) {
    return null;
  }

  /** The text {@code --version} prints; only the root command's is asked. */
  default String version() {
    return "";
  }

  /**
   * Runs the command once its values are set (for a group: when no subcommand was given).
   *
   * @return the exit code
   * @throws UsageException for a usage error the command finds itself (exit code 2, with the usage)
   * @throws Exception for a failure, which the caller reports
   */
  int run(Streams streams) throws Exception;
}
