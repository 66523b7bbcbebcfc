package dev.socibuilder.cli.args;

/**
 * A positional parameter: the arguments that are not options fill a command's positional parameters in order.
 *
 * @param label its name in the help and in messages, e.g. {@code IMAGE}: also the key {@link Command#set} gets
 * @param description the help text
 * @param required whether it must be given
 * @param repeatable whether it takes every argument left (then it is the last one)
 */
public record Positional(String label, String description, boolean required, boolean repeatable) {

  /** A required parameter taking one argument. */
  public static Positional of(String label, String description) {
    return new Positional(label, description, true, false);
  }

  /** An optional parameter taking any number of arguments. */
  public static Positional optionalList(String label, String description) {
    return new Positional(label, description, false, true);
  }
}
